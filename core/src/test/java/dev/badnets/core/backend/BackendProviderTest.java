package dev.badnets.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            return new EjmlBackend();
        }
    }

    @Test
    void aProviderOnTheClassPathIsCreatedByName() {
        assertInstanceOf(EjmlBackend.class, Backends.create("Reference-Copy", 3));
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
