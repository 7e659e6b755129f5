package dev.badnets.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.EjmlBackend;
import dev.badnets.core.backend.MatrixBackend;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The yardstick must compute what the library computes, or its speed means nothing: each of the
 * four products through OpenBLAS equals EJML's within float rounding, on any shape.
 */
class OpenBlasBackendTest {

    private final MatrixBackend reference = new EjmlBackend();

    @Property(tries = 40)
    void everyProductEqualsTheReference(@ForAll @IntRange(min = 1, max = 70) int n,
                                        @ForAll @IntRange(min = 1, max = 90) int in,
                                        @ForAll @IntRange(min = 1, max = 40) int out,
                                        @ForAll @IntRange(min = 1, max = 2) int threads,
                                        @ForAll long seed) {
        MatrixBackend openblas = new OpenBlasBackend(threads);
        Random random = new Random(seed);
        FMatrixRMaj x = random(n, in, random), w = random(in, out, random), b = random(1, out, random);
        FMatrixRMaj dZ = random(n, out, random);

        assertClose(run(reference, "affine", x, w, b, n, out), run(openblas, "affine", x, w, b, n, out), in);
        assertClose(run(reference, "transA", x, dZ, null, in, out), run(openblas, "transA", x, dZ, null, in, out), n);
        assertClose(run(reference, "transB", dZ, w, null, n, in), run(openblas, "transB", dZ, w, null, n, in), out);
    }

    @Test
    void theLibraryFindsItByName() {
        MatrixBackend backend = Backends.create("openblas", 1);
        assertEquals("openblas", backend.name());
        assertEquals(true, backend.describe().startsWith("openblas: OpenBLAS "), backend.describe());
    }

    private static FMatrixRMaj run(MatrixBackend backend, String product, FMatrixRMaj a, FMatrixRMaj b,
                                   FMatrixRMaj bias, int rows, int cols) {
        FMatrixRMaj c = new FMatrixRMaj(rows, cols);
        c.fill(Float.NaN); // every element must be written, none read
        switch (product) {
            case "affine" -> backend.affine(a, b, bias, c);
            case "transA" -> backend.multTransA(a, b, c);
            default -> backend.multTransB(a, b, c);
        }
        return c;
    }

    /** Within the rounding of a float sum of {@code depth} products of values below 3 in size. */
    private static void assertClose(FMatrixRMaj expected, FMatrixRMaj actual, int depth) {
        float tolerance = 1e-5f * depth * 9;
        for (int i = 0; i < expected.getNumElements(); i++) {
            assertEquals(expected.data[i], actual.data[i], tolerance, "element " + i);
        }
    }

    private static FMatrixRMaj random(int rows, int cols, Random random) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) (2 * random.nextDouble() - 1);
        }
        return m;
    }
}
