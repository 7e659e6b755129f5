package dev.badnets.core.backend;

import org.ejml.data.FMatrixRMaj;

/**
 * The three matrix products of a dense layer, and the bias addition fused with the first; besides
 * them, the loops a fast backend can vectorise or split across threads: element-wise work by
 * ranges ({@link #forRanges}), a pooling window and its adjoint ({@link #maxPool},
 * {@link #unpool}), column sums ({@link #columnSums}), short runs of additions ({@link #addTo})
 * and pixels to floats ({@link #unsignedBytesToFloats}), whose default methods are the reference.
 * Every method writes into an output the caller owns and has already shaped; nothing is allocated.
 * {@link EjmlBackend} is the readable reference; a fast backend must agree with it within float rounding (the pooling,
 * the column sums, the additions and the pixels exactly).
 *
 * <p>Shapes, for a batch of {@code n} samples through a layer of {@code in} inputs and {@code out}
 * units: {@code X} is n x in, {@code W} is in x out, {@code b} is 1 x out.
 */
public interface MatrixBackend {

    /** A short name for reports: "ejml" or "simd". */
    String name();

    /**
     * What runs the products, for reports: the name, and for a vectorised backend the vector width
     * and register block it chose on this CPU (e.g. "simd: 256-bit vectors (AVX2 class, 16 registers), 5x2 kernel").
     */
    default String describe() {
        return name();
    }

    /** Threads this backend splits one product across. */
    int threads();

    /** Forward: {@code Z = X W + 1 b} (b added to every row). Z must be n x out. */
    void affine(FMatrixRMaj x, FMatrixRMaj w, FMatrixRMaj b, FMatrixRMaj z);

    /** Weight gradient: {@code C = A^T B} (as in {@code dW = X^T dZ}). */
    void multTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c);

    /** Input gradient: {@code C = A B^T} (as in {@code dX = dZ W^T}). */
    void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c);

    /** Element-wise work on the indices {@code [from, to)}. */
    @FunctionalInterface
    interface RangeTask {
        void run(int from, int to);
    }

    /**
     * Runs {@code task} over disjoint ranges that together cover {@code [0, n)}, perhaps on several
     * threads at once, so each index must be independent of every other (element-wise work).
     * {@code grain} is the fewest indices worth handing to another thread: there are at most
     * {@code n / grain} ranges. The split depends only on n, grain and {@link #threads()}. The
     * reference runs the whole range on the caller.
     */
    default void forRanges(int n, int grain, RangeTask task) {
        task.run(0, n);
    }

    /**
     * Unsigned bytes to scaled floats (pixels to network inputs):
     * {@code dst[offset + j] = (src[from + j] & 0xFF) * scale} for {@code j < n}, the int converted
     * to float exactly and then multiplied. The reference converts one byte at a time; a vectorised
     * backend V at a time, with the same products.
     */
    default void unsignedBytesToFloats(byte[] src, int from, float[] dst, int offset, int n, float scale) {
        for (int j = 0; j < n; j++) {
            dst[offset + j] = (src[from + j] & 0xFF) * scale;
        }
    }

    /**
     * {@code y[to + j] += x[from + j]} for {@code j < n}: one run of a convolution's input gradient
     * added back into the image it came from (col2im). Modifies {@code y[to, to + n)} only.
     */
    default void addTo(float[] x, int from, float[] y, int to, int n) {
        for (int j = 0; j < n; j++) {
            y[to + j] += x[from + j];
        }
    }

    /**
     * Column sums of a row-major block of {@code rows x cols} starting at {@code x[from]}:
     * <pre>
     *   sums[to + j] = Σ_{r &lt; rows} x[from + r·cols + j]        for j &lt; cols
     * </pre>
     * each starting from 0 and adding the rows in order (a bias gradient, {@code db = Σ_rows dZ}).
     * Overwrites {@code sums[to, to + cols)}. The reference goes row by row; a vectorised backend
     * takes V columns at a time in the same order, so the sums are the same bits.
     */
    default void columnSums(float[] x, int from, int rows, int cols, float[] sums, int to) {
        for (int j = 0; j < cols; j++) {
            sums[to + j] = 0f;
        }
        for (int r = 0; r < rows; r++) {
            int base = from + r * cols;
            for (int j = 0; j < cols; j++) {
                sums[to + j] += x[base + j];
            }
        }
    }

    /**
     * One window of max pooling over {@code channels} contiguous values (channels-last images):
     * for each {@code c < channels}, with {@code q} running over the window's positions in order,
     * <pre>
     *   a[o + c]      = max_q x[corner + offsets[q] + c]
     *   argmax[o + c] = corner + offsets[q*] + c - xBase,  q* the first q that reaches the maximum
     * </pre>
     * With {@code argmax} (training) only a strictly larger value replaces an earlier one, so ties
     * go to the first position; without it (inference) the maximum is {@code Math.max}'s. Writes
     * {@code a[o, o + channels)} and, if not null, {@code argmax[o, o + channels)}. The reference
     * loops over the channels; a vectorised backend takes V channels at a time.
     */
    default void maxPool(float[] x, int corner, int[] offsets, int channels, float[] a, int o, int[] argmax,
                         int xBase) {
        if (argmax == null) {
            System.arraycopy(x, corner + offsets[0], a, o, channels);
            for (int q = 1; q < offsets.length; q++) {
                int p = corner + offsets[q];
                for (int c = 0; c < channels; c++) {
                    a[o + c] = Math.max(a[o + c], x[p + c]);
                }
            }
            return;
        }
        for (int c = 0; c < channels; c++) {
            a[o + c] = x[corner + offsets[0] + c];
            argmax[o + c] = corner + offsets[0] + c - xBase;
        }
        for (int q = 1; q < offsets.length; q++) {
            int p = corner + offsets[q];
            for (int c = 0; c < channels; c++) {
                // a select, not a branch: which input wins is a coin toss that a branch would mispredict
                float v = x[p + c];
                boolean wins = v > a[o + c];
                a[o + c] = wins ? v : a[o + c];
                argmax[o + c] = wins ? p + c - xBase : argmax[o + c];
            }
        }
    }

    /**
     * The adjoint of {@link #maxPool} for a window that no other window overlaps (stride = window):
     * every position of the window gets the gradient of the output it won, or 0,
     * <pre>
     *   dX[corner + offsets[q] + c] = 0 + dA[o + c]   if argmax[o + c] = corner + offsets[q] + c - xBase
     *                               = 0               otherwise
     * </pre>
     * for each {@code c < channels} and each position q (0 + dA, as an addition into a zeroed image
     * gives: -0 becomes +0). Writes the whole window of {@code dX}, so nothing needs zeroing first.
     * The reference loops over the channels; a vectorised backend takes V channels at a time.
     */
    default void unpool(float[] dA, int o, int[] argmax, int channels, float[] dX, int corner, int[] offsets, int xBase) {
        for (int q = 0; q < offsets.length; q++) {
            int p = corner + offsets[q];
            for (int c = 0; c < channels; c++) {
                dX[p + c] = argmax[o + c] == p + c - xBase ? 0f + dA[o + c] : 0f;
            }
        }
    }
}
