package dev.badnets.core.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums V values at a time, with the reference's additions in the reference's order, so the results
 * are the same bit for bit. {@link dev.badnets.core.backend.MatrixBackend#addTo}: one vector
 * addition per V values. {@link dev.badnets.core.backend.MatrixBackend#columnSums}: a vector of
 * sums per V columns, starting at zero and adding the rows in order. The JIT left both reference
 * loops (runs and rows of 16 to 96 floats, a convolution's width) scalar: its vectorised loops
 * start after an alignment prologue and step four vectors at a time.
 */
final class Sums {

    private static final VectorSpecies<Float> SPECIES = Kernels.SPECIES;
    private static final int V = Kernels.V;

    private Sums() {
    }

    // JIT pitfalls met here, each of which left C2 code that boxed every vector (JDK 17): a caller
    // doing the values that do not fill a vector (C2 compiled the caller, not this method); a
    // second loop, two vectors wide, that some callers never reach (a dense output layer's 10
    // columns); and a method called on a running sum (s.add(x)), a virtual call C2 only resolves
    // from a profile, which a loop that ran rarely before compilation lacks. So each method does
    // its own tail and has one vector loop, and every vector method is called on a vector fresh
    // from fromArray or zero, whose exact class C2 knows.

    /** {@code y[to + j] += x[from + j]} for {@code j < n}. */
    public static void addTo(float[] x, int from, float[] y, int to, int n) {
        int j = 0;
        for (; j + V <= n; j += V) {
            FloatVector.fromArray(SPECIES, y, to + j).add(FloatVector.fromArray(SPECIES, x, from + j))
                    .intoArray(y, to + j);
        }
        for (; j < n; j++) {
            y[to + j] += x[from + j];
        }
    }

    /** {@code sums[to + j] = Σ_r x[from + r·cols + j]} for {@code j < cols}, rows in order. */
    public static void columnSums(float[] x, int from, int rows, int cols, float[] sums, int to) {
        int j = 0;
        for (; j + V <= cols; j += V) {
            FloatVector s = FloatVector.zero(SPECIES);
            for (int r = 0, at = from + j; r < rows; r++, at += cols) {
                s = FloatVector.fromArray(SPECIES, x, at).add(s); // x + s: the same bits as s + x; called on x (see above)
            }
            s.intoArray(sums, to + j);
        }
        for (; j < cols; j++) {
            float s = 0f;
            for (int r = 0, at = from + j; r < rows; r++, at += cols) {
                s += x[at];
            }
            sums[to + j] = s;
        }
    }
}
