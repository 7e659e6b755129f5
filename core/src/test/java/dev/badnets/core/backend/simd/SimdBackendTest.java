package dev.badnets.core.backend.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.backend.EjmlBackend;
import dev.badnets.core.backend.MatrixBackend;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.ejml.data.FMatrixRMaj;

/**
 * The SIMD products agree with EJML's within float rounding for any shape, and are bit-identical
 * from run to run and across thread counts.
 */
class SimdBackendTest {

    private static final EjmlBackend EJML = new EjmlBackend();
    // Shared across tries on purpose: buffers kept from larger or smaller earlier products must not leak into later ones.
    private static final SimdBackend ONE = new SimdBackend(1);
    private static final SimdBackend TWO = new SimdBackend(2);

    private enum Op { AFFINE, MULT_TRANS_A, MULT_TRANS_B }

    @Property(tries = 300)
    void everyProductMatchesEjml(@ForAll Op op,
                                 @ForAll @IntRange(min = 1, max = 70) int rows,
                                 @ForAll @IntRange(min = 1, max = 70) int depth,
                                 @ForAll @IntRange(min = 1, max = 70) int cols,
                                 @ForAll @IntRange(min = 1, max = 2) int threads,
                                 @ForAll long seed) {
        assertMatchesEjml(op, rows, depth, cols, threads == 1 ? ONE : TWO, seed);
    }

    @Property(tries = 60)
    void largeProductsSplitAcrossThreadsMatchEjml(@ForAll Op op,
                                                  @ForAll @IntRange(min = 60, max = 200) int rows,
                                                  @ForAll @IntRange(min = 60, max = 300) int depth,
                                                  @ForAll @IntRange(min = 20, max = 150) int cols,
                                                  @ForAll long seed) {
        assertMatchesEjml(op, rows, depth, cols, TWO, seed);
    }

    @Example
    void edgeShapesMatchEjml() {
        int[][] shapes = {
            {1, 1, 1}, {1, 1, 17}, {17, 1, 1}, {1, 1000, 1},       // 1x1 and degenerate
            {1000, 3, 1}, {3, 1000, 2}, {2, 5, 1000}, {1000, 2, 33}, // tall and skinny, wide
            {64, 784, 128}, {64, 128, 10}, {16, 784, 256}, {257, 129, 65},
            {0, 3, 4}, {3, 0, 4}, {3, 4, 0},                        // empty: Z is just the bias
        };
        for (Op op : Op.values()) {
            for (int[] s : shapes) {
                for (SimdBackend backend : new SimdBackend[] {ONE, TWO}) {
                    assertMatchesEjml(op, s[0], s[1], s[2], backend, 42);
                }
            }
        }
    }

    @Property(tries = 40)
    void resultsAreBitIdenticalForAnyThreadCount(@ForAll Op op,
                                                 @ForAll @IntRange(min = 1, max = 130) int rows,
                                                 @ForAll @IntRange(min = 1, max = 400) int depth,
                                                 @ForAll @IntRange(min = 1, max = 140) int cols,
                                                 @ForAll long seed) {
        float[] reference = run(op, rows, depth, cols, new SimdBackend(1), seed).data;
        for (int threads : new int[] {1, 2, 3}) {
            SimdBackend fresh = new SimdBackend(threads);
            assertArrayEquals(reference, run(op, rows, depth, cols, fresh, seed).data,
                    op + " " + rows + "x" + depth + "x" + cols + " with " + threads + " threads");
            assertArrayEquals(reference, run(op, rows, depth, cols, fresh, seed).data, "second call");
        }
    }

    /**
     * {@code A B^T} transposes B, or A and then C^T back, whichever moves fewer floats; both are the
     * same products summed in the same order, so both equal {@code A (B^T)} bit for bit, and the
     * transposes (whole V x V tiles in registers, the rest float by float) lose nothing.
     */
    @Property(tries = 200)
    void multTransBEqualsMultByTheTransposeBitForBit(@ForAll @IntRange(min = 1, max = 90) int rows,
                                                     @ForAll @IntRange(min = 1, max = 140) int depth,
                                                     @ForAll @IntRange(min = 1, max = 200) int cols,
                                                     @ForAll @IntRange(min = 1, max = 2) int threads,
                                                     @ForAll long seed) {
        Random random = new Random(seed);
        FMatrixRMaj a = random(rows, depth, random);
        FMatrixRMaj b = random(cols, depth, random);
        FMatrixRMaj bT = new FMatrixRMaj(depth, cols);
        org.ejml.dense.row.CommonOps_FDRM.transpose(b, bT);
        SimdBackend simd = threads == 1 ? ONE : TWO;
        FMatrixRMaj viaTranspose = new FMatrixRMaj(rows, cols);
        simd.affine(a, bT, new FMatrixRMaj(1, cols), viaTranspose); // a zero bias: A (B^T) exactly
        FMatrixRMaj actual = new FMatrixRMaj(rows, cols);
        simd.multTransB(a, b, actual);
        assertArrayEquals(viaTranspose.data, actual.data, rows + "x" + depth + "x" + cols
                + (rows * (depth + cols) < cols * depth ? " (computed as C^T = B A^T)" : " (B transposed)"));
    }

    /** Pixels to floats V at a time gives the reference's floats exactly, for every byte value and any length and offsets. */
    @Property(tries = 200)
    void unsignedBytesToFloatsEqualsTheReferenceBitForBit(@ForAll @IntRange(min = 0, max = 100) int n,
                                                          @ForAll @IntRange(min = 0, max = 9) int from,
                                                          @ForAll @IntRange(min = 0, max = 9) int offset,
                                                          @ForAll long seed) {
        byte[] src = new byte[from + n + 3];
        new Random(seed).nextBytes(src);
        float scale = 1f / 255f;
        float[] expected = new float[offset + n + 2];
        float[] actual = new float[offset + n + 2];
        EJML.unsignedBytesToFloats(src, from, expected, offset, n, scale);
        ONE.unsignedBytesToFloats(src, from, actual, offset, n, scale);
        assertArrayEquals(expected, actual, n + " bytes from " + from + " to " + offset);
    }

    /**
     * Column sums V columns at a time equal the reference's row-by-row sums bit for bit, for widths
     * below, at and above whole vectors; the values span many magnitudes, so a different order of
     * additions would show in the last bits.
     */
    @Property(tries = 200)
    void columnSumsEqualTheReferenceBitForBit(@ForAll @IntRange(min = 0, max = 300) int rows,
                                              @ForAll @IntRange(min = 1, max = 70) int cols,
                                              @ForAll @IntRange(min = 0, max = 7) int from,
                                              @ForAll @IntRange(min = 0, max = 7) int to,
                                              @ForAll long seed) {
        Random random = new Random(seed);
        float[] x = new float[from + rows * cols + 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
        }
        float[] expected = new float[to + cols + 3];
        float[] actual = new float[to + cols + 3];
        Arrays.fill(expected, 7f); // outside [to, to + cols) stays as it was; inside is overwritten
        Arrays.fill(actual, 7f);
        EJML.columnSums(x, from, rows, cols, expected, to);
        ONE.columnSums(x, from, rows, cols, actual, to);
        assertArrayEquals(expected, actual, rows + " x " + cols + " from " + from + " to " + to);
    }

    /**
     * The pooling adjoint V channels at a time writes what the reference writes, for channel counts
     * below, at and above whole vectors, with gradients of either sign and zero, and with arg-maxes
     * that point anywhere in the window (or outside it: such lanes get zeros everywhere).
     */
    @Property(tries = 200)
    void unpoolEqualsTheReferenceBitForBit(@ForAll @IntRange(min = 1, max = 40) int channels,
                                           @ForAll @IntRange(min = 1, max = 3) int window,
                                           @ForAll long seed) {
        int width = 5;
        Random random = new Random(seed);
        int[] offsets = new int[window * window];
        for (int ky = 0; ky < window; ky++) {
            for (int kx = 0; kx < window; kx++) {
                offsets[ky * window + kx] = (ky * width + kx) * channels;
            }
        }
        int corner = (width + 1) * channels, o = 3, xBase = 2;
        float[] dA = new float[o + channels];
        int[] argmax = new int[o + channels];
        for (int c = 0; c < channels; c++) {
            dA[o + c] = random.nextInt(5) == 0 ? -0f : (float) random.nextGaussian();
            argmax[o + c] = corner + offsets[random.nextInt(offsets.length)] + c - xBase + (random.nextInt(8) == 0 ? 1 : 0);
        }
        float[] expected = new float[width * width * channels + 7];
        Arrays.fill(expected, 9f);
        float[] actual = expected.clone();
        EJML.unpool(dA, o, argmax, channels, expected, corner, offsets, xBase);
        ONE.unpool(dA, o, argmax, channels, actual, corner, offsets, xBase);
        assertArrayEquals(expected, actual, channels + " channels, window " + window);
    }

    @Property(tries = 200)
    void addToEqualsTheReferenceBitForBit(@ForAll @IntRange(min = 0, max = 100) int n,
                                          @ForAll @IntRange(min = 0, max = 9) int from,
                                          @ForAll @IntRange(min = 0, max = 9) int to,
                                          @ForAll long seed) {
        Random random = new Random(seed);
        float[] x = new float[from + n + 3];
        float[] expected = new float[to + n + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (float) (random.nextGaussian() * 1000);
        }
        float[] actual = expected.clone();
        EJML.addTo(x, from, expected, to, n);
        ONE.addTo(x, from, actual, to, n);
        assertArrayEquals(expected, actual, n + " values from " + from + " to " + to);
    }

    @Example
    void everyByteValueConvertsAsTheReferenceDoes() {
        byte[] all = new byte[256];
        for (int b = 0; b < 256; b++) {
            all[b] = (byte) b;
        }
        float[] expected = new float[256];
        float[] actual = new float[256];
        EJML.unsignedBytesToFloats(all, 0, expected, 0, 256, 1f / 255f);
        ONE.unsignedBytesToFloats(all, 0, actual, 0, 256, 1f / 255f);
        assertArrayEquals(expected, actual);
        assertEquals(1f, actual[255]);
        assertEquals(0f, actual[0]);
    }

    /**
     * Max pooling V channels at a time gives the reference's values and arg-maxes exactly, ties
     * included (small integer inputs tie often; the first position in reading order must win), for
     * channel counts below, at and above whole vectors, with and without arg-maxes.
     */
    @Property(tries = 200)
    void maxPoolEqualsTheReferenceBitForBit(@ForAll @IntRange(min = 1, max = 40) int channels,
                                            @ForAll @IntRange(min = 1, max = 3) int window,
                                            @ForAll boolean training,
                                            @ForAll long seed) {
        int width = 5;
        Random random = new Random(seed);
        float[] x = new float[width * width * channels + 7];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextInt(4) - 1; // -1, 0, 1 or 2: many ties
        }
        int[] offsets = new int[window * window];
        for (int ky = 0; ky < window; ky++) {
            for (int kx = 0; kx < window; kx++) {
                offsets[ky * window + kx] = (ky * width + kx) * channels;
            }
        }
        int corner = (width + 1) * channels, o = 3, xBase = 2;
        float[] expected = new float[o + channels], actual = new float[o + channels];
        int[] expectedArgmax = training ? new int[o + channels] : null;
        int[] actualArgmax = training ? new int[o + channels] : null;
        EJML.maxPool(x, corner, offsets, channels, expected, o, expectedArgmax, xBase);
        ONE.maxPool(x, corner, offsets, channels, actual, o, actualArgmax, xBase);
        assertArrayEquals(expected, actual, channels + " channels, window " + window);
        if (training) {
            assertArrayEquals(expectedArgmax, actualArgmax, "arg-max, " + channels + " channels, window " + window);
        }
    }

    @Example
    void usesOnlyTheLeadingElementsOfArraysLargerThanTheirMatrices() {
        Random random = new Random(3);
        FMatrixRMaj x = larger(random(5, 7, random), random);
        FMatrixRMaj w = larger(random(7, 19, random), random);
        FMatrixRMaj b = larger(random(1, 19, random), random);
        FMatrixRMaj z = new FMatrixRMaj(40, 40);
        Arrays.fill(z.data, 7f);
        z.reshape(5, 19); // EJML keeps the larger array
        TWO.affine(x, w, b, z);
        FMatrixRMaj expected = new FMatrixRMaj(5, 19);
        EJML.affine(x, w, b, expected);
        for (int i = 0; i < 5 * 19; i++) {
            assertEquals(expected.data[i], z.data[i], 1e-5 * Math.abs(expected.data[i]) + 1e-6);
        }
        for (int i = 5 * 19; i < z.data.length; i++) {
            assertEquals(7f, z.data[i], "element " + i + " beyond the output was overwritten");
        }
    }

    /** The same matrix in an array with extra, non-zero elements after it. */
    private static FMatrixRMaj larger(FMatrixRMaj m, Random random) {
        FMatrixRMaj big = random(m.numRows + 3, m.numCols + 5, random);
        big.reshape(m.numRows, m.numCols);
        System.arraycopy(m.data, 0, big.data, 0, m.getNumElements());
        return big;
    }

    @Example
    void mismatchedShapesAreRejectedWithAMessageNamingThem() {
        FMatrixRMaj a = new FMatrixRMaj(4, 3);
        FMatrixRMaj b = new FMatrixRMaj(5, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ONE.affine(a, b, new FMatrixRMaj(1, 2), new FMatrixRMaj(4, 2)));
        assertTrue(e.getMessage().contains("4x3") && e.getMessage().contains("5x2"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> ONE.multTransA(new FMatrixRMaj(5, 3), b, new FMatrixRMaj(2, 3)));
        assertTrue(e.getMessage().contains("output is 2x3") && e.getMessage().contains("3x2"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> ONE.affine(new FMatrixRMaj(4, 5), b, new FMatrixRMaj(1, 3), new FMatrixRMaj(4, 2)));
        assertTrue(e.getMessage().contains("b is 1x3"), e.getMessage());

        FMatrixRMaj square = new FMatrixRMaj(3, 3);
        assertThrows(IllegalArgumentException.class, () -> ONE.multTransA(square, new FMatrixRMaj(3, 3), square));
        FMatrixRMaj row = new FMatrixRMaj(1, 3);
        assertThrows(IllegalArgumentException.class, () -> ONE.affine(new FMatrixRMaj(1, 3), square, row, row));
        assertThrows(IllegalArgumentException.class, () -> new SimdBackend(0));
    }

    @Example
    void theWarmUpFitsEveryProductItRunsAtThisWidth() {
        SimdBackend.exercise(); // throws if a warm-up shape no longer fits its product (CI runs this at 512, 256 and 128 bits)
    }

    @Example
    void reportsItsNameAndThreads() {
        assertEquals("simd", TWO.name());
        assertEquals(2, TWO.threads());
        assertTrue(SimdBackend.vectorLength() >= 4 && Integer.bitCount(SimdBackend.vectorLength()) == 1);
    }

    private static void assertMatchesEjml(Op op, int rows, int depth, int cols, SimdBackend simd, long seed) {
        FMatrixRMaj[] in = inputs(op, rows, depth, cols, seed);
        FMatrixRMaj expected = new FMatrixRMaj(rows, cols);
        apply(EJML, op, in, expected);
        FMatrixRMaj actual = new FMatrixRMaj(rows, cols);
        Arrays.fill(actual.data, Float.NaN); // every element must be written
        apply(simd, op, in, actual);
        double[] scale = magnitudes(op, in, rows, depth, cols);
        for (int i = 0; i < rows * cols; i++) {
            // Both sums are within depth * 2^-24 of the exact one, relative to the sum of |terms|.
            double tolerance = 2.0 * (depth + 2) * 0x1p-24 * scale[i] + Float.MIN_NORMAL;
            double error = Math.abs((double) actual.data[i] - expected.data[i]);
            if (!(error <= tolerance)) {
                throw new AssertionError(op + " " + rows + "x" + depth + "x" + cols + " threads " + simd.threads()
                        + ": element (" + i / cols + "," + i % cols + ") is " + actual.data[i]
                        + ", EJML gives " + expected.data[i] + " (tolerance " + tolerance + ")");
            }
        }
    }

    private static FMatrixRMaj run(Op op, int rows, int depth, int cols, MatrixBackend backend, long seed) {
        FMatrixRMaj out = new FMatrixRMaj(rows, cols);
        apply(backend, op, inputs(op, rows, depth, cols, seed), out);
        return out;
    }

    /** Operands of {@code op} whose result is rows x cols with a shared dimension of depth. */
    private static FMatrixRMaj[] inputs(Op op, int rows, int depth, int cols, long seed) {
        Random random = new Random(seed);
        return switch (op) {
            case AFFINE -> new FMatrixRMaj[] {random(rows, depth, random), random(depth, cols, random), random(1, cols, random)};
            case MULT_TRANS_A -> new FMatrixRMaj[] {random(depth, rows, random), random(depth, cols, random)};
            case MULT_TRANS_B -> new FMatrixRMaj[] {random(rows, depth, random), random(cols, depth, random)};
        };
    }

    private static void apply(MatrixBackend backend, Op op, FMatrixRMaj[] in, FMatrixRMaj out) {
        switch (op) {
            case AFFINE -> backend.affine(in[0], in[1], in[2], out);
            case MULT_TRANS_A -> backend.multTransA(in[0], in[1], out);
            case MULT_TRANS_B -> backend.multTransB(in[0], in[1], out);
        }
    }

    /** Sum over the shared dimension of |a_ip b_pj| (+ |bias_j|) for each output element. */
    private static double[] magnitudes(Op op, FMatrixRMaj[] in, int rows, int depth, int cols) {
        double[] s = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double sum = op == Op.AFFINE ? Math.abs(in[2].data[j]) : 0;
                for (int p = 0; p < depth; p++) {
                    double a = op == Op.MULT_TRANS_A ? in[0].get(p, i) : in[0].get(i, p);
                    double b = op == Op.MULT_TRANS_B ? in[1].get(j, p) : in[1].get(p, j);
                    sum += Math.abs(a * b);
                }
                s[i * cols + j] = sum;
            }
        }
        return s;
    }

    /** Values of mixed sign and magnitude, so cancellation happens as it does in training. */
    private static FMatrixRMaj random(int rows, int cols, Random random) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(5) - 2));
        }
        return m;
    }
}
