package dev.badnets.core.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code dst = src^T} in V x V tiles transposed inside the vector registers: a tile's V rows are
 * loaded as V vectors, and log2(V) stages each exchange half of the lanes between pairs of rows,
 * until row k holds what was column k. Stage {@code s} (s = V/2, ..., 2, 1) pairs row k with row
 * k + s (for k with bit s clear) and swaps lane {@code l + s} of row k with lane {@code l} of row
 * k + s, for every lane l with bit s clear: each row keeps half its lanes and takes the other half
 * from its partner, moved s lanes over ({@code rearrange} by {@code l ^ s}, then {@code blend}).
 * About three times as fast as copying float by float, which spent as long transposing a 784 x 128
 * weight matrix as multiplying by it. What no whole tile covers is copied float by float.
 *
 * <p>One method per vector width (16, 8 and 4 floats) keeps every vector in a local variable: no
 * vector crosses a method boundary (see {@link Kernels}).
 */
final class Transpose {

    private static final VectorSpecies<Float> SPECIES = Kernels.SPECIES;
    private static final int V = Kernels.V;

    // lane l of stage s's shuffle reads lane l ^ s; its mask selects the lanes with bit s set
    private static final VectorShuffle<Float> SWAP8 = V > 8 ? swap(8) : null;
    private static final VectorShuffle<Float> SWAP4 = V > 4 ? swap(4) : null;
    private static final VectorShuffle<Float> SWAP2 = V > 2 ? swap(2) : null;
    private static final VectorShuffle<Float> SWAP1 = V > 1 ? swap(1) : null;
    private static final VectorMask<Float> BIT8 = V > 8 ? bit(8) : null;
    private static final VectorMask<Float> BIT4 = V > 4 ? bit(4) : null;
    private static final VectorMask<Float> BIT2 = V > 2 ? bit(2) : null;
    private static final VectorMask<Float> BIT1 = V > 1 ? bit(1) : null;

    private Transpose() {
    }

    private static VectorShuffle<Float> swap(int s) {
        int[] lanes = new int[V];
        for (int l = 0; l < V; l++) {
            lanes[l] = l ^ s;
        }
        return VectorShuffle.fromArray(SPECIES, lanes, 0);
    }

    private static VectorMask<Float> bit(int s) {
        boolean[] set = new boolean[V];
        for (int l = 0; l < V; l++) {
            set[l] = (l & s) != 0;
        }
        return VectorMask.fromArray(SPECIES, set, 0);
    }

    /**
     * Rows {@code [i0, i1)} of {@code src} (rows x cols, row-major) into the same columns of
     * {@code dst} (cols x rows): {@code dst[j * rows + i] = src[i * cols + j]}. Writes only those
     * columns of dst, so parts with disjoint row ranges may run at once.
     */
    static void transpose(float[] src, int rows, int cols, float[] dst, int i0, int i1) {
        int i = i0;
        boolean tiles = V == 16 || V == 8 || V == 4;
        for (; tiles && i + V <= i1; i += V) {
            int j = 0;
            for (; j + V <= cols; j += V) {
                int from = i * cols + j;
                int to = j * rows + i;
                if (V == 16) {
                    tile16(src, from, cols, dst, to, rows);
                } else if (V == 8) {
                    tile8(src, from, cols, dst, to, rows);
                } else {
                    tile4(src, from, cols, dst, to, rows);
                }
            }
            scalar(src, rows, cols, dst, i, i + V, j);
        }
        scalar(src, rows, cols, dst, i, i1, 0);
    }

    /** Rows {@code [i0, i1)}, columns from {@code j0} on, float by float. */
    private static void scalar(float[] src, int rows, int cols, float[] dst, int i0, int i1, int j0) {
        for (int i = i0; i < i1; i++) {
            for (int j = j0; j < cols; j++) {
                dst[j * rows + i] = src[i * cols + j];
            }
        }
    }

    /** The 4 x 4 tile at {@code src[from]} (row stride {@code in}) into {@code dst[to]} (row stride {@code out}). */
    private static void tile4(float[] src, int from, int in, float[] dst, int to, int out) {
        FloatVector r0 = FloatVector.fromArray(SPECIES, src, from);
        FloatVector r1 = FloatVector.fromArray(SPECIES, src, from + in);
        FloatVector r2 = FloatVector.fromArray(SPECIES, src, from + 2 * in);
        FloatVector r3 = FloatVector.fromArray(SPECIES, src, from + 3 * in);
        FloatVector t;
        // s = 2: rows (0,2), (1,3)
        t = r0.blend(r2.rearrange(SWAP2), BIT2); r2 = r0.rearrange(SWAP2).blend(r2, BIT2); r0 = t;
        t = r1.blend(r3.rearrange(SWAP2), BIT2); r3 = r1.rearrange(SWAP2).blend(r3, BIT2); r1 = t;
        // s = 1: rows (0,1), (2,3)
        t = r0.blend(r1.rearrange(SWAP1), BIT1); r1 = r0.rearrange(SWAP1).blend(r1, BIT1); r0 = t;
        t = r2.blend(r3.rearrange(SWAP1), BIT1); r3 = r2.rearrange(SWAP1).blend(r3, BIT1); r2 = t;
        r0.intoArray(dst, to);
        r1.intoArray(dst, to + out);
        r2.intoArray(dst, to + 2 * out);
        r3.intoArray(dst, to + 3 * out);
    }

    /** The 8 x 8 tile at {@code src[from]} (row stride {@code in}) into {@code dst[to]} (row stride {@code out}). */
    private static void tile8(float[] src, int from, int in, float[] dst, int to, int out) {
        FloatVector r0 = FloatVector.fromArray(SPECIES, src, from);
        FloatVector r1 = FloatVector.fromArray(SPECIES, src, from + in);
        FloatVector r2 = FloatVector.fromArray(SPECIES, src, from + 2 * in);
        FloatVector r3 = FloatVector.fromArray(SPECIES, src, from + 3 * in);
        FloatVector r4 = FloatVector.fromArray(SPECIES, src, from + 4 * in);
        FloatVector r5 = FloatVector.fromArray(SPECIES, src, from + 5 * in);
        FloatVector r6 = FloatVector.fromArray(SPECIES, src, from + 6 * in);
        FloatVector r7 = FloatVector.fromArray(SPECIES, src, from + 7 * in);
        FloatVector t;
        // s = 4: rows (k, k+4)
        t = r0.blend(r4.rearrange(SWAP4), BIT4); r4 = r0.rearrange(SWAP4).blend(r4, BIT4); r0 = t;
        t = r1.blend(r5.rearrange(SWAP4), BIT4); r5 = r1.rearrange(SWAP4).blend(r5, BIT4); r1 = t;
        t = r2.blend(r6.rearrange(SWAP4), BIT4); r6 = r2.rearrange(SWAP4).blend(r6, BIT4); r2 = t;
        t = r3.blend(r7.rearrange(SWAP4), BIT4); r7 = r3.rearrange(SWAP4).blend(r7, BIT4); r3 = t;
        // s = 2: rows (k, k+2) in each half
        t = r0.blend(r2.rearrange(SWAP2), BIT2); r2 = r0.rearrange(SWAP2).blend(r2, BIT2); r0 = t;
        t = r1.blend(r3.rearrange(SWAP2), BIT2); r3 = r1.rearrange(SWAP2).blend(r3, BIT2); r1 = t;
        t = r4.blend(r6.rearrange(SWAP2), BIT2); r6 = r4.rearrange(SWAP2).blend(r6, BIT2); r4 = t;
        t = r5.blend(r7.rearrange(SWAP2), BIT2); r7 = r5.rearrange(SWAP2).blend(r7, BIT2); r5 = t;
        // s = 1: rows (k, k+1)
        t = r0.blend(r1.rearrange(SWAP1), BIT1); r1 = r0.rearrange(SWAP1).blend(r1, BIT1); r0 = t;
        t = r2.blend(r3.rearrange(SWAP1), BIT1); r3 = r2.rearrange(SWAP1).blend(r3, BIT1); r2 = t;
        t = r4.blend(r5.rearrange(SWAP1), BIT1); r5 = r4.rearrange(SWAP1).blend(r5, BIT1); r4 = t;
        t = r6.blend(r7.rearrange(SWAP1), BIT1); r7 = r6.rearrange(SWAP1).blend(r7, BIT1); r6 = t;
        r0.intoArray(dst, to);
        r1.intoArray(dst, to + out);
        r2.intoArray(dst, to + 2 * out);
        r3.intoArray(dst, to + 3 * out);
        r4.intoArray(dst, to + 4 * out);
        r5.intoArray(dst, to + 5 * out);
        r6.intoArray(dst, to + 6 * out);
        r7.intoArray(dst, to + 7 * out);
    }

    /** The 16 x 16 tile at {@code src[from]} (row stride {@code in}) into {@code dst[to]} (row stride {@code out}). */
    private static void tile16(float[] src, int from, int in, float[] dst, int to, int out) {
        FloatVector r0 = FloatVector.fromArray(SPECIES, src, from);
        FloatVector r1 = FloatVector.fromArray(SPECIES, src, from + in);
        FloatVector r2 = FloatVector.fromArray(SPECIES, src, from + 2 * in);
        FloatVector r3 = FloatVector.fromArray(SPECIES, src, from + 3 * in);
        FloatVector r4 = FloatVector.fromArray(SPECIES, src, from + 4 * in);
        FloatVector r5 = FloatVector.fromArray(SPECIES, src, from + 5 * in);
        FloatVector r6 = FloatVector.fromArray(SPECIES, src, from + 6 * in);
        FloatVector r7 = FloatVector.fromArray(SPECIES, src, from + 7 * in);
        FloatVector r8 = FloatVector.fromArray(SPECIES, src, from + 8 * in);
        FloatVector r9 = FloatVector.fromArray(SPECIES, src, from + 9 * in);
        FloatVector r10 = FloatVector.fromArray(SPECIES, src, from + 10 * in);
        FloatVector r11 = FloatVector.fromArray(SPECIES, src, from + 11 * in);
        FloatVector r12 = FloatVector.fromArray(SPECIES, src, from + 12 * in);
        FloatVector r13 = FloatVector.fromArray(SPECIES, src, from + 13 * in);
        FloatVector r14 = FloatVector.fromArray(SPECIES, src, from + 14 * in);
        FloatVector r15 = FloatVector.fromArray(SPECIES, src, from + 15 * in);
        FloatVector t;
        // s = 8: rows (k, k+8)
        t = r0.blend(r8.rearrange(SWAP8), BIT8); r8 = r0.rearrange(SWAP8).blend(r8, BIT8); r0 = t;
        t = r1.blend(r9.rearrange(SWAP8), BIT8); r9 = r1.rearrange(SWAP8).blend(r9, BIT8); r1 = t;
        t = r2.blend(r10.rearrange(SWAP8), BIT8); r10 = r2.rearrange(SWAP8).blend(r10, BIT8); r2 = t;
        t = r3.blend(r11.rearrange(SWAP8), BIT8); r11 = r3.rearrange(SWAP8).blend(r11, BIT8); r3 = t;
        t = r4.blend(r12.rearrange(SWAP8), BIT8); r12 = r4.rearrange(SWAP8).blend(r12, BIT8); r4 = t;
        t = r5.blend(r13.rearrange(SWAP8), BIT8); r13 = r5.rearrange(SWAP8).blend(r13, BIT8); r5 = t;
        t = r6.blend(r14.rearrange(SWAP8), BIT8); r14 = r6.rearrange(SWAP8).blend(r14, BIT8); r6 = t;
        t = r7.blend(r15.rearrange(SWAP8), BIT8); r15 = r7.rearrange(SWAP8).blend(r15, BIT8); r7 = t;
        // s = 4: rows (k, k+4) in each half
        t = r0.blend(r4.rearrange(SWAP4), BIT4); r4 = r0.rearrange(SWAP4).blend(r4, BIT4); r0 = t;
        t = r1.blend(r5.rearrange(SWAP4), BIT4); r5 = r1.rearrange(SWAP4).blend(r5, BIT4); r1 = t;
        t = r2.blend(r6.rearrange(SWAP4), BIT4); r6 = r2.rearrange(SWAP4).blend(r6, BIT4); r2 = t;
        t = r3.blend(r7.rearrange(SWAP4), BIT4); r7 = r3.rearrange(SWAP4).blend(r7, BIT4); r3 = t;
        t = r8.blend(r12.rearrange(SWAP4), BIT4); r12 = r8.rearrange(SWAP4).blend(r12, BIT4); r8 = t;
        t = r9.blend(r13.rearrange(SWAP4), BIT4); r13 = r9.rearrange(SWAP4).blend(r13, BIT4); r9 = t;
        t = r10.blend(r14.rearrange(SWAP4), BIT4); r14 = r10.rearrange(SWAP4).blend(r14, BIT4); r10 = t;
        t = r11.blend(r15.rearrange(SWAP4), BIT4); r15 = r11.rearrange(SWAP4).blend(r15, BIT4); r11 = t;
        // s = 2: rows (k, k+2) in each quarter
        t = r0.blend(r2.rearrange(SWAP2), BIT2); r2 = r0.rearrange(SWAP2).blend(r2, BIT2); r0 = t;
        t = r1.blend(r3.rearrange(SWAP2), BIT2); r3 = r1.rearrange(SWAP2).blend(r3, BIT2); r1 = t;
        t = r4.blend(r6.rearrange(SWAP2), BIT2); r6 = r4.rearrange(SWAP2).blend(r6, BIT2); r4 = t;
        t = r5.blend(r7.rearrange(SWAP2), BIT2); r7 = r5.rearrange(SWAP2).blend(r7, BIT2); r5 = t;
        t = r8.blend(r10.rearrange(SWAP2), BIT2); r10 = r8.rearrange(SWAP2).blend(r10, BIT2); r8 = t;
        t = r9.blend(r11.rearrange(SWAP2), BIT2); r11 = r9.rearrange(SWAP2).blend(r11, BIT2); r9 = t;
        t = r12.blend(r14.rearrange(SWAP2), BIT2); r14 = r12.rearrange(SWAP2).blend(r14, BIT2); r12 = t;
        t = r13.blend(r15.rearrange(SWAP2), BIT2); r15 = r13.rearrange(SWAP2).blend(r15, BIT2); r13 = t;
        // s = 1: rows (k, k+1)
        t = r0.blend(r1.rearrange(SWAP1), BIT1); r1 = r0.rearrange(SWAP1).blend(r1, BIT1); r0 = t;
        t = r2.blend(r3.rearrange(SWAP1), BIT1); r3 = r2.rearrange(SWAP1).blend(r3, BIT1); r2 = t;
        t = r4.blend(r5.rearrange(SWAP1), BIT1); r5 = r4.rearrange(SWAP1).blend(r5, BIT1); r4 = t;
        t = r6.blend(r7.rearrange(SWAP1), BIT1); r7 = r6.rearrange(SWAP1).blend(r7, BIT1); r6 = t;
        t = r8.blend(r9.rearrange(SWAP1), BIT1); r9 = r8.rearrange(SWAP1).blend(r9, BIT1); r8 = t;
        t = r10.blend(r11.rearrange(SWAP1), BIT1); r11 = r10.rearrange(SWAP1).blend(r11, BIT1); r10 = t;
        t = r12.blend(r13.rearrange(SWAP1), BIT1); r13 = r12.rearrange(SWAP1).blend(r13, BIT1); r12 = t;
        t = r14.blend(r15.rearrange(SWAP1), BIT1); r15 = r14.rearrange(SWAP1).blend(r15, BIT1); r14 = t;
        r0.intoArray(dst, to);
        r1.intoArray(dst, to + out);
        r2.intoArray(dst, to + 2 * out);
        r3.intoArray(dst, to + 3 * out);
        r4.intoArray(dst, to + 4 * out);
        r5.intoArray(dst, to + 5 * out);
        r6.intoArray(dst, to + 6 * out);
        r7.intoArray(dst, to + 7 * out);
        r8.intoArray(dst, to + 8 * out);
        r9.intoArray(dst, to + 9 * out);
        r10.intoArray(dst, to + 10 * out);
        r11.intoArray(dst, to + 11 * out);
        r12.intoArray(dst, to + 12 * out);
        r13.intoArray(dst, to + 13 * out);
        r14.intoArray(dst, to + 14 * out);
        r15.intoArray(dst, to + 15 * out);
    }
}
