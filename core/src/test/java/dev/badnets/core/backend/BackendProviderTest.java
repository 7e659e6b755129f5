package dev.badnets.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Backends outside core are found by name through {@link java.util.ServiceLoader} (this test registers one). */
class BackendProviderTest {

    /** Registered in this module's test resources under META-INF/services. */
    public static final class ReferenceCopy implements BackendProvider {
        @Override
        public String name() {
            return "reference-copy";
        }

        @Override
        public MatrixBackend create(int threads) {
            EjmlBackend reference = new EjmlBackend();
            return new MatrixBackend() {
                @Override
                public String name() {
                    return "reference-copy";
                }

                @Override
                public int threads() {
                    return 1;
                }

                @Override
                public void affine(FMatrixRMaj x, FMatrixRMaj w, FMatrixRMaj b, FMatrixRMaj z) {
                    reference.affine(x, w, b, z);
                }

                @Override
                public void mult(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
                    reference.mult(a, b, c);
                }

                @Override
                public void multTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
                    reference.multTransA(a, b, c);
                }

                @Override
                public void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
                    reference.multTransB(a, b, c);
                }
            };
        }
    }

    @Test
    void aProviderOnTheClassPathIsCreatedByName() {
        assertEquals("reference-copy", Backends.create("Reference-Copy", 3).name());
        assertTrue(Backends.names().containsAll(Backends.NAMES));
        assertTrue(Backends.names().contains("reference-copy"));
        assertEquals("ejml", Backends.create("ejml", 1).name(), "core's own names come first");
    }

    @Test
    void anUnknownNameListsEveryNameThatWouldWork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("blis", 1));
        assertEquals("unknown backend 'blis': use auto, ejml, simd, reference-copy", e.getMessage());
    }
}
