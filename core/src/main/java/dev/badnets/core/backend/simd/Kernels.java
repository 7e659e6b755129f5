package dev.badnets.core.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked micro-kernels for {@code C = A' B (+ bias)}, where row {@code r} of A' and
 * step {@code p} of the shared dimension are read at {@code a[aOff + r*aRow + p*aStep]} (so the
 * same kernel serves {@code A} and {@code A^T}) and B is row-major with row stride {@code bStep}.
 *
 * <p>Each kernel computes a block of R rows by U vectors of C, holding the R*U partial sums in
 * registers across the whole shared dimension: per step it loads U vectors of B, broadcasts R
 * values of A and does R*U fused multiply-adds. Every output element is summed in the same order
 * (p = 0, 1, ..., starting from its bias or zero) by whichever kernel computes it, so the result
 * does not depend on how the rows are blocked or split across threads. With {@code accumulate} a
 * kernel starts from the values already in C instead: the caller may cut the shared dimension into
 * slices run one after the other, and the sums come out the same, float for float, since each
 * continues from exactly where the last slice stored it.
 *
 * <p>Each kernel writes out where its sums start ({@code accumulate ? C : bias != null ? bias : 0})
 * rather than calling a helper that returns a vector: no vector crosses a method boundary, because
 * a helper returning one is compiled on its own sooner or later, and once it is, the JIT may stop
 * inlining it and box every vector it returns.
 *
 * <p>Internal to {@link dev.badnets.core.backend.SimdBackend}; no argument checks here.
 */
final class Kernels {

    /** The widest vector this CPU supports (16 floats with AVX-512, 8 with AVX2). */
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    public static final int V = SPECIES.length();

    /**
     * Vector registers the register blocks may count on: 16 with 256-bit vectors (AVX2, whose 16
     * ymm registers would spill the 16 sums of a 4x4 or 8x2 block, so 5x2 blocks of 10 are used),
     * else 32 (AVX-512; 128-bit vectors are taken to be ARM's NEON, which has 32).
     */
    public static final int REGISTERS = V == 8 ? 16 : 32;

    private Kernels() {
    }

    /** Four rows by four vectors: 16 accumulators, the main kernel. */
    static void k4x4(float[] a, int aOff, int aRow, int aStep, int depth,
                     float[] b, int bOff, int bStep, float[] bias, int biasOff,
                     float[] c, int cOff, int cStride, boolean accumulate) {
        FloatVector c00 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c01 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c02 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 2 * V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + 2 * V) : FloatVector.zero(SPECIES);
        FloatVector c03 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 3 * V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + 3 * V) : FloatVector.zero(SPECIES);
        int r1 = cOff + cStride, r2 = r1 + cStride, r3 = r2 + cStride;
        FloatVector c10 = accumulate ? FloatVector.fromArray(SPECIES, c, r1) : c00;
        FloatVector c11 = accumulate ? FloatVector.fromArray(SPECIES, c, r1 + V) : c01;
        FloatVector c12 = accumulate ? FloatVector.fromArray(SPECIES, c, r1 + 2 * V) : c02;
        FloatVector c13 = accumulate ? FloatVector.fromArray(SPECIES, c, r1 + 3 * V) : c03;
        FloatVector c20 = accumulate ? FloatVector.fromArray(SPECIES, c, r2) : c00;
        FloatVector c21 = accumulate ? FloatVector.fromArray(SPECIES, c, r2 + V) : c01;
        FloatVector c22 = accumulate ? FloatVector.fromArray(SPECIES, c, r2 + 2 * V) : c02;
        FloatVector c23 = accumulate ? FloatVector.fromArray(SPECIES, c, r2 + 3 * V) : c03;
        FloatVector c30 = accumulate ? FloatVector.fromArray(SPECIES, c, r3) : c00;
        FloatVector c31 = accumulate ? FloatVector.fromArray(SPECIES, c, r3 + V) : c01;
        FloatVector c32 = accumulate ? FloatVector.fromArray(SPECIES, c, r3 + 2 * V) : c02;
        FloatVector c33 = accumulate ? FloatVector.fromArray(SPECIES, c, r3 + 3 * V) : c03;
        int a0 = aOff, a1 = aOff + aRow, a2 = aOff + 2 * aRow, a3 = aOff + 3 * aRow;
        int bp = bOff;
        for (int p = 0; p < depth; p++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + V);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bp + 2 * V);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bp + 3 * V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02); c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(SPECIES, a[a1]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12); c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(SPECIES, a[a2]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22); c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(SPECIES, a[a3]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32); c33 = b3.fma(x, c33);
            a0 += aStep; a1 += aStep; a2 += aStep; a3 += aStep;
            bp += bStep;
        }
        int r = cOff;
        c00.intoArray(c, r); c01.intoArray(c, r + V); c02.intoArray(c, r + 2 * V); c03.intoArray(c, r + 3 * V);
        r += cStride;
        c10.intoArray(c, r); c11.intoArray(c, r + V); c12.intoArray(c, r + 2 * V); c13.intoArray(c, r + 3 * V);
        r += cStride;
        c20.intoArray(c, r); c21.intoArray(c, r + V); c22.intoArray(c, r + 2 * V); c23.intoArray(c, r + 3 * V);
        r += cStride;
        c30.intoArray(c, r); c31.intoArray(c, r + V); c32.intoArray(c, r + 2 * V); c33.intoArray(c, r + 3 * V);
    }

    /**
     * {@link #k4x4} over the steps {@code steps[0, count)} only (ascending), starting from the bias
     * or zero: the steps left out are those where all four rows of A' are zero, which add nothing.
     */
    static void k4x4Steps(float[] a, int aOff, int aRow, int aStep, int[] steps, int count,
                          float[] b, int bOff, int bStep, float[] bias, int biasOff, float[] c, int cOff, int cStride) {
        FloatVector c00 = bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c01 = bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c02 = bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + 2 * V) : FloatVector.zero(SPECIES);
        FloatVector c03 = bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + 3 * V) : FloatVector.zero(SPECIES);
        FloatVector c10 = c00, c11 = c01, c12 = c02, c13 = c03;
        FloatVector c20 = c00, c21 = c01, c22 = c02, c23 = c03;
        FloatVector c30 = c00, c31 = c01, c32 = c02, c33 = c03;
        for (int q = 0; q < count; q++) {
            int p = steps[q];
            int a0 = aOff + p * aStep;
            int bp = bOff + p * bStep;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + V);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bp + 2 * V);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bp + 3 * V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02); c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(SPECIES, a[a0 + aRow]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12); c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(SPECIES, a[a0 + 2 * aRow]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22); c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(SPECIES, a[a0 + 3 * aRow]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32); c33 = b3.fma(x, c33);
        }
        int r = cOff;
        c00.intoArray(c, r); c01.intoArray(c, r + V); c02.intoArray(c, r + 2 * V); c03.intoArray(c, r + 3 * V);
        r += cStride;
        c10.intoArray(c, r); c11.intoArray(c, r + V); c12.intoArray(c, r + 2 * V); c13.intoArray(c, r + 3 * V);
        r += cStride;
        c20.intoArray(c, r); c21.intoArray(c, r + V); c22.intoArray(c, r + 2 * V); c23.intoArray(c, r + 3 * V);
        r += cStride;
        c30.intoArray(c, r); c31.intoArray(c, r + V); c32.intoArray(c, r + 2 * V); c33.intoArray(c, r + 3 * V);
    }

    /**
     * Eight rows by two vectors: 16 accumulators for products with only one or two vectors of
     * columns (a convolution's 16 or 32 filters), where four rows would leave the multipliers idle
     * waiting on too few independent sums.
     */
    static void k8x2(float[] a, int aOff, int aRow, int aStep, int depth,
                     float[] b, int bOff, int bStep, float[] bias, int biasOff,
                     float[] c, int cOff, int cStride, boolean accumulate) {
        FloatVector c00 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c01 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c10 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c11 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c20 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 2 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c21 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 2 * cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c30 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 3 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c31 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 3 * cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c40 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 4 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c41 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 4 * cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c50 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 5 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c51 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 5 * cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c60 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 6 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c61 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 6 * cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c70 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 7 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c71 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 7 * cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        int a0 = aOff;
        int bp = bOff;
        for (int p = 0; p < depth; p++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(SPECIES, a[a0 + aRow]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(SPECIES, a[a0 + 2 * aRow]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(SPECIES, a[a0 + 3 * aRow]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(SPECIES, a[a0 + 4 * aRow]);
            c40 = b0.fma(x, c40); c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(SPECIES, a[a0 + 5 * aRow]);
            c50 = b0.fma(x, c50); c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(SPECIES, a[a0 + 6 * aRow]);
            c60 = b0.fma(x, c60); c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(SPECIES, a[a0 + 7 * aRow]);
            c70 = b0.fma(x, c70); c71 = b1.fma(x, c71);
            a0 += aStep;
            bp += bStep;
        }
        int r = cOff;
        c00.intoArray(c, r); c01.intoArray(c, r + V); r += cStride;
        c10.intoArray(c, r); c11.intoArray(c, r + V); r += cStride;
        c20.intoArray(c, r); c21.intoArray(c, r + V); r += cStride;
        c30.intoArray(c, r); c31.intoArray(c, r + V); r += cStride;
        c40.intoArray(c, r); c41.intoArray(c, r + V); r += cStride;
        c50.intoArray(c, r); c51.intoArray(c, r + V); r += cStride;
        c60.intoArray(c, r); c61.intoArray(c, r + V); r += cStride;
        c70.intoArray(c, r); c71.intoArray(c, r + V);
    }

    /**
     * Five rows by two vectors: 10 accumulators, the main kernel where the CPU has 16 vector
     * registers (AVX2, SSE), on which 4x4 or 8x2 blocks would spill their sums to memory. Not six
     * rows: those machines have 16 general registers too, and the loop's counter, A's and B's
     * running indices, A's row offsets, B's stride and both arrays' bounds fill them; with six
     * rows C2 (JDK 17) in some JVMs kept B's running index on the stack and A's in a vector
     * register, so that every step waited on the one before. Five rows need one offset fewer
     * (the README's Performance section has the measurements).
     */
    static void k5x2(float[] a, int aOff, int aRow, int aStep, int depth,
                     float[] b, int bOff, int bStep, float[] bias, int biasOff,
                     float[] c, int cOff, int cStride, boolean accumulate) {
        FloatVector c00 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c01 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c10 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c11 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c20 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 2 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c21 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 2 * cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c30 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 3 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c31 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 3 * cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c40 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 4 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c41 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 4 * cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        int a0 = aOff;
        int bp = bOff;
        for (int p = 0; p < depth; p++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(SPECIES, a[a0 + aRow]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(SPECIES, a[a0 + 2 * aRow]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(SPECIES, a[a0 + 3 * aRow]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(SPECIES, a[a0 + 4 * aRow]);
            c40 = b0.fma(x, c40); c41 = b1.fma(x, c41);
            a0 += aStep;
            bp += bStep;
        }
        int r = cOff;
        c00.intoArray(c, r); c01.intoArray(c, r + V); r += cStride;
        c10.intoArray(c, r); c11.intoArray(c, r + V); r += cStride;
        c20.intoArray(c, r); c21.intoArray(c, r + V); r += cStride;
        c30.intoArray(c, r); c31.intoArray(c, r + V); r += cStride;
        c40.intoArray(c, r); c41.intoArray(c, r + V);
    }

    /** {@link #k5x2} over the steps {@code steps[0, count)} only, as {@link #k4x4Steps} is to {@link #k4x4}. */
    static void k5x2Steps(float[] a, int aOff, int aRow, int aStep, int[] steps, int count,
                          float[] b, int bOff, int bStep, float[] bias, int biasOff, float[] c, int cOff, int cStride) {
        FloatVector c00 = bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c01 = bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01, c40 = c00, c41 = c01;
        for (int q = 0; q < count; q++) {
            int p = steps[q];
            int a0 = aOff + p * aStep;
            int bp = bOff + p * bStep;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(SPECIES, a[a0 + aRow]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(SPECIES, a[a0 + 2 * aRow]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(SPECIES, a[a0 + 3 * aRow]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(SPECIES, a[a0 + 4 * aRow]);
            c40 = b0.fma(x, c40); c41 = b1.fma(x, c41);
        }
        int r = cOff;
        c00.intoArray(c, r); c01.intoArray(c, r + V); r += cStride;
        c10.intoArray(c, r); c11.intoArray(c, r + V); r += cStride;
        c20.intoArray(c, r); c21.intoArray(c, r + V); r += cStride;
        c30.intoArray(c, r); c31.intoArray(c, r + V); r += cStride;
        c40.intoArray(c, r); c41.intoArray(c, r + V);
    }

    /** Four rows by two vectors: the rows that {@link #k5x2} blocks leave over (a batch of 64 is 12 blocks and 4 rows). */
    static void k4x2(float[] a, int aOff, int aRow, int aStep, int depth,
                     float[] b, int bOff, int bStep, float[] bias, int biasOff,
                     float[] c, int cOff, int cStride, boolean accumulate) {
        FloatVector c00 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c01 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c10 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c11 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c20 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 2 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c21 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 2 * cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c30 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 3 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c31 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 3 * cStride + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        int a0 = aOff;
        int bp = bOff;
        for (int p = 0; p < depth; p++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(SPECIES, a[a0 + aRow]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(SPECIES, a[a0 + 2 * aRow]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(SPECIES, a[a0 + 3 * aRow]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            a0 += aStep;
            bp += bStep;
        }
        int r = cOff;
        c00.intoArray(c, r); c01.intoArray(c, r + V); r += cStride;
        c10.intoArray(c, r); c11.intoArray(c, r + V); r += cStride;
        c20.intoArray(c, r); c21.intoArray(c, r + V); r += cStride;
        c30.intoArray(c, r); c31.intoArray(c, r + V);
    }

    /** Five rows by one vector: the odd vector and the packed column tail where {@link #k5x2} is the main kernel. */
    static void k5x1(float[] a, int aOff, int aRow, int aStep, int depth,
                     float[] b, int bOff, int bStep, float[] bias, int biasOff,
                     float[] c, int cOff, int cStride, boolean accumulate) {
        FloatVector c0 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c1 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c2 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 2 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c3 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 3 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c4 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 4 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        int a0 = aOff;
        int bp = bOff;
        for (int p = 0; p < depth; p++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            c0 = b0.fma(FloatVector.broadcast(SPECIES, a[a0]), c0);
            c1 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + aRow]), c1);
            c2 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + 2 * aRow]), c2);
            c3 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + 3 * aRow]), c3);
            c4 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + 4 * aRow]), c4);
            a0 += aStep;
            bp += bStep;
        }
        int r = cOff;
        c0.intoArray(c, r); r += cStride;
        c1.intoArray(c, r); r += cStride;
        c2.intoArray(c, r); r += cStride;
        c3.intoArray(c, r); r += cStride;
        c4.intoArray(c, r);
    }

    /** Eight rows by one vector: the single vector of a narrow product, and its packed column tail. */
    static void k8x1(float[] a, int aOff, int aRow, int aStep, int depth,
                     float[] b, int bOff, int bStep, float[] bias, int biasOff,
                     float[] c, int cOff, int cStride, boolean accumulate) {
        FloatVector c0 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c1 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c2 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 2 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c3 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 3 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c4 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 4 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c5 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 5 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c6 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 6 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c7 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 7 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        int a0 = aOff;
        int bp = bOff;
        for (int p = 0; p < depth; p++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            c0 = b0.fma(FloatVector.broadcast(SPECIES, a[a0]), c0);
            c1 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + aRow]), c1);
            c2 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + 2 * aRow]), c2);
            c3 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + 3 * aRow]), c3);
            c4 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + 4 * aRow]), c4);
            c5 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + 5 * aRow]), c5);
            c6 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + 6 * aRow]), c6);
            c7 = b0.fma(FloatVector.broadcast(SPECIES, a[a0 + 7 * aRow]), c7);
            a0 += aStep;
            bp += bStep;
        }
        int r = cOff;
        c0.intoArray(c, r); r += cStride;
        c1.intoArray(c, r); r += cStride;
        c2.intoArray(c, r); r += cStride;
        c3.intoArray(c, r); r += cStride;
        c4.intoArray(c, r); r += cStride;
        c5.intoArray(c, r); r += cStride;
        c6.intoArray(c, r); r += cStride;
        c7.intoArray(c, r);
    }

    /** Four rows by one vector: leftover vectors of a row block, and the packed column tail. */
    static void k4x1(float[] a, int aOff, int aRow, int aStep, int depth,
                     float[] b, int bOff, int bStep, float[] bias, int biasOff,
                     float[] c, int cOff, int cStride, boolean accumulate) {
        FloatVector c0 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c1 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c2 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 2 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c3 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 3 * cStride)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        int a0 = aOff, a1 = aOff + aRow, a2 = aOff + 2 * aRow, a3 = aOff + 3 * aRow;
        int bp = bOff;
        for (int p = 0; p < depth; p++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            c0 = b0.fma(FloatVector.broadcast(SPECIES, a[a0]), c0);
            c1 = b0.fma(FloatVector.broadcast(SPECIES, a[a1]), c1);
            c2 = b0.fma(FloatVector.broadcast(SPECIES, a[a2]), c2);
            c3 = b0.fma(FloatVector.broadcast(SPECIES, a[a3]), c3);
            a0 += aStep; a1 += aStep; a2 += aStep; a3 += aStep;
            bp += bStep;
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + cStride);
        c2.intoArray(c, cOff + 2 * cStride);
        c3.intoArray(c, cOff + 3 * cStride);
    }

    /** One row by four vectors: rows left over when the row count is not a multiple of four. */
    static void k1x4(float[] a, int aOff, int aStep, int depth,
                     float[] b, int bOff, int bStep, float[] bias, int biasOff,
                     float[] c, int cOff, boolean accumulate) {
        FloatVector c0 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        FloatVector c1 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + V) : FloatVector.zero(SPECIES);
        FloatVector c2 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 2 * V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + 2 * V) : FloatVector.zero(SPECIES);
        FloatVector c3 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + 3 * V)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + 3 * V) : FloatVector.zero(SPECIES);
        int a0 = aOff;
        int bp = bOff;
        for (int p = 0; p < depth; p++) {
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0]);
            c0 = FloatVector.fromArray(SPECIES, b, bp).fma(x, c0);
            c1 = FloatVector.fromArray(SPECIES, b, bp + V).fma(x, c1);
            c2 = FloatVector.fromArray(SPECIES, b, bp + 2 * V).fma(x, c2);
            c3 = FloatVector.fromArray(SPECIES, b, bp + 3 * V).fma(x, c3);
            a0 += aStep;
            bp += bStep;
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + V);
        c2.intoArray(c, cOff + 2 * V);
        c3.intoArray(c, cOff + 3 * V);
    }

    /** One row by one vector. */
    static void k1x1(float[] a, int aOff, int aStep, int depth,
                     float[] b, int bOff, int bStep, float[] bias, int biasOff,
                     float[] c, int cOff, boolean accumulate) {
        FloatVector c0 = accumulate ? FloatVector.fromArray(SPECIES, c, cOff)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff) : FloatVector.zero(SPECIES);
        int a0 = aOff;
        int bp = bOff;
        for (int p = 0; p < depth; p++) {
            c0 = FloatVector.fromArray(SPECIES, b, bp).fma(FloatVector.broadcast(SPECIES, a[a0]), c0);
            a0 += aStep;
            bp += bStep;
        }
        c0.intoArray(c, cOff);
    }
}
