package dev.badnets.core.backend.simd;

import jdk.incubator.vector.FloatVector;

/**
 * Sums V values at a time, with the reference's additions in the reference's order, so the results
 * are the same bit for bit. {@link dev.badnets.core.backend.MatrixBackend#addTo}: one vector
 * addition per V values. {@link dev.badnets.core.backend.MatrixBackend#columnSums}: a vector of
 * sums per V columns, starting at zero and adding the rows in order. The JIT left both reference
 * loops (runs and rows of 16 to 96 floats, a convolution's width) scalar: its vectorised loops
 * start after an alignment prologue and step four vectors at a time.
 */
public final class Sums {

    private static final int V = Kernels.V;

    private Sums() {
    }

    /** {@code y[to + j] += x[from + j]} for the first {@code n - n % V} values; returns how many were done. */
    public static int addTo(float[] x, int from, float[] y, int to, int n) {
        int j = 0;
        for (; j + V <= n; j += V) {
            FloatVector.fromArray(Kernels.SPECIES, y, to + j).add(FloatVector.fromArray(Kernels.SPECIES, x, from + j))
                    .intoArray(y, to + j);
        }
        return j;
    }

    /** The first {@code cols - cols % V} columns; returns how many were done. */
    public static int columnSums(float[] x, int from, int rows, int cols, float[] sums, int to) {
        int j = 0;
        for (; j + 2 * V <= cols; j += 2 * V) { // two independent chains of additions in flight
            FloatVector s0 = FloatVector.zero(Kernels.SPECIES);
            FloatVector s1 = FloatVector.zero(Kernels.SPECIES);
            for (int r = 0, at = from + j; r < rows; r++, at += cols) {
                s0 = s0.add(FloatVector.fromArray(Kernels.SPECIES, x, at));
                s1 = s1.add(FloatVector.fromArray(Kernels.SPECIES, x, at + V));
            }
            s0.intoArray(sums, to + j);
            s1.intoArray(sums, to + j + V);
        }
        for (; j + V <= cols; j += V) {
            FloatVector s = FloatVector.zero(Kernels.SPECIES);
            for (int r = 0, at = from + j; r < rows; r++, at += cols) {
                s = s.add(FloatVector.fromArray(Kernels.SPECIES, x, at));
            }
            s.intoArray(sums, to + j);
        }
        return j;
    }
}
