package dev.badnets.core.backend.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Every product is, element by element, the chain of fused multiply-adds over the shared dimension
 * in order, starting from the bias or zero: {@code s = fma(a_ip, b_pj, s)} for p = 0, 1, ... That
 * is what every kernel computes, so the SIMD products are checked here bit for bit, not within a
 * rounding tolerance, and in particular where the rows of A' are mostly zeros and blocks of rows
 * skip the steps where they are all zero: the skipped steps would have left each sum as it was.
 */
class GemmTest {

    /**
     * Operands shaped like a first layer's: rows of A' that are all zeros, mostly zeros or dense,
     * so some blocks skip most steps, some run dense, and some products do not skip at all.
     */
    @Property(tries = 600) // about 1 in 6 tries skips zero steps (the example below checks that digits do)
    void productsAreTheOrderedChainOfFusedMultiplyAddsBitForBit(
            @ForAll boolean transposedA,
            @ForAll boolean withBias,
            @ForAll @IntRange(min = 1, max = 90) int rows,
            @ForAll @IntRange(min = 1, max = 400) int depth,
            @ForAll @IntRange(min = 1, max = 200) int anyCols,
            @ForAll @IntRange(min = 0, max = 2) int columnsKind,
            @ForAll @IntRange(min = 0, max = 3) int operandKind,
            @ForAll @IntRange(min = 1, max = 4) int parts,
            @ForAll long seed) {
        int cols = columnsKind > 0 ? 64 * (1 + anyCols % 3) : anyCols; // 64: whole main-kernel blocks at any width
        Random random = new Random(seed);
        float[] a = mostlyZeros(rows, depth, transposedA, operandKind > 0, random);
        float[] b = dense(depth * cols, random);
        float[] bias = withBias && !transposedA ? dense(cols, random) : null;
        float[] c = new float[rows * cols];
        Arrays.fill(c, Float.NaN); // every element must be written
        Gemm gemm = gemm(parts);
        run(gemm, a, b, bias, c, rows, depth, cols, transposedA);
        float[] expected = fmaChain(a, b, bias, rows, depth, cols, transposedA);
        for (int i = 0; i < c.length; i++) {
            if (Float.floatToRawIntBits(c[i]) != Float.floatToRawIntBits(expected[i])) {
                throw new AssertionError((transposedA ? "A^T B " : "A B ") + rows + "x" + depth + "x" + cols
                        + " in " + parts + " parts, skipping " + gemm.skippedMultiplyAdds() + " multiply-adds"
                        + ": element (" + i / cols + "," + i % cols + ") is " + c[i] + ", the chain gives " + expected[i]);
            }
        }
    }

    @Example
    void aBatchOfDigitsSkipsZeroStepsAndDenseOperandsDoNot() {
        Random random = new Random(7);
        int rows = 64, depth = 784, cols = 128;
        float[] digits = new float[rows * depth];
        for (int i = 0; i < rows; i++) { // ink in the middle 14 x 14 of a 28 x 28 image, a third of it
            for (int y = 7; y < 21; y++) {
                for (int x = 7; x < 21; x++) {
                    digits[i * depth + y * 28 + x] = random.nextInt(3) == 0 ? random.nextFloat() : 0f;
                }
            }
        }
        float[] w = dense(depth * cols, random);
        long all = (long) rows * depth * cols;
        Gemm gemm = gemm(2);
        run(gemm, digits, w, dense(cols, random), new float[rows * cols], rows, depth, cols, false);
        long skipped = gemm.skippedMultiplyAdds();
        assertTrue(skipped > all / 2 && skipped < all, "X W with X a batch of digits skipped " + skipped + " of " + all);
        run(gemm, digits, dense(rows * cols, random), null, new float[depth * cols], depth, rows, cols, true);
        skipped = gemm.skippedMultiplyAdds() - skipped; // the count adds up over products
        assertTrue(skipped > all / 2 && skipped < all, "X^T dZ with X a batch of digits skipped " + skipped + " of " + all);
        long before = gemm.skippedMultiplyAdds();
        run(gemm, dense(rows * depth, random), w, null, new float[rows * cols], rows, depth, cols, false);
        assertEquals(before, gemm.skippedMultiplyAdds(), "X W with a dense X");
    }

    /** Pools of 2, 3 and 4 threads, made once (index: threads - 1; none for 1 thread). */
    private static final WorkerPool[] POOLS = {null, new WorkerPool(2, "gemm-test"), new WorkerPool(3, "gemm-test"),
        new WorkerPool(4, "gemm-test")};

    /** A product split into up to {@code parts} parts however small, run by that many threads at once. */
    private static Gemm gemm(int parts) {
        return new Gemm(POOLS[parts - 1], parts, 0);
    }

    private static void run(Gemm gemm, float[] a, float[] b, float[] bias, float[] c, int rows, int depth, int cols,
                            boolean transposedA) {
        if (transposedA) {
            gemm.multTransA(a, b, c, rows, depth, cols);
        } else {
            gemm.mult(a, b, bias, c, rows, depth, cols);
        }
    }

    /** A' (rows x depth; stored depth x rows when transposed): each row all zeros, mostly zeros, or dense. */
    private static float[] mostlyZeros(int rows, int depth, boolean transposed, boolean digitLike, Random random) {
        float[] a = new float[rows * depth];
        // like a batch of digits (one row in 20 dense) or anything
        double[] zeroShares = digitLike ? new double[] {1.0, 1.0, 0.95, 0.95, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8} : new double[] {1.0, 0.95, 0.8, 0.5, 0.0};
        for (int i = 0; i < rows; i++) {
            double zeros = digitLike && random.nextInt(20) == 0 ? 0.0 : zeroShares[random.nextInt(zeroShares.length)];
            for (int p = 0; p < depth; p++) {
                float v = random.nextDouble() < zeros ? 0f : (float) random.nextGaussian();
                a[transposed ? p * rows + i : i * depth + p] = v;
            }
        }
        return a;
    }

    private static float[] dense(int n, Random random) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(5) - 2));
        }
        return x;
    }

    /** {@code c_ij = fma(a_i,depth-1 b_depth-1,j, ... fma(a_i0, b_0j, bias_j or 0))}, in floats. */
    private static float[] fmaChain(float[] a, float[] b, float[] bias, int rows, int depth, int cols, boolean transposedA) {
        float[] c = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float s = bias == null ? 0f : bias[j];
                for (int p = 0; p < depth; p++) {
                    s = Math.fma(transposedA ? a[p * rows + i] : a[i * depth + p], b[p * cols + j], s);
                }
                c[i * cols + j] = s;
            }
        }
        return c;
    }
}
