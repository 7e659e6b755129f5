package dev.badnets.core;

import org.ejml.data.FMatrixRMaj;

/**
 * The loss of a mini-batch, the mean over its {@code n} samples, computed together with its
 * gradient with respect to the network's output: {@code dA = dL/da}, an n x k matrix. The
 * backward pass of the network starts from that gradient.
 */
public enum Loss {

    /**
     * Softmax followed by cross-entropy, fused so that it is stable and its gradient is simple. With
     * logits {@code a} (the output layer is {@link Activation#IDENTITY}) and true class {@code y}:
     * <pre>
     *   p_j = exp(a_j - m) / Σ_k exp(a_k - m)       (m = max_k a_k, so no exp overflows)
     *   L   = (1/n) Σ_samples -log p_y = (1/n) Σ (m + log Σ_k exp(a_k - m) - a_y)
     *   dL/da_j = (p_j - [j == y]) / n
     * </pre>
     */
    SOFTMAX_CROSS_ENTROPY {
        @Override
        public double lossAndGradient(FMatrixRMaj a, int[] labels, FMatrixRMaj dA) {
            int n = a.numRows, k = a.numCols;
            float[] ad = a.data, dAd = dA.data;
            float invN = 1f / n;
            double total = 0;
            for (int row = 0; row < n; row++) {
                int base = row * k;
                int y = labels[row];
                total += softmax(ad, dAd, base, k) - ad[base + y];
                for (int j = 0; j < k; j++) {
                    dAd[base + j] *= invN;
                }
                dAd[base + y] -= invN;
            }
            return total / n;
        }
    },

    /**
     * Mean squared error against the one-hot target {@code t} (1 for the true class, 0 elsewhere),
     * averaged over all n·k outputs, as in PyTorch's {@code MSELoss}:
     * <pre>
     *   L = (1/(n k)) Σ (a - t)^2          dL/da = 2 (a - t) / (n k)
     * </pre>
     */
    MEAN_SQUARED_ERROR {
        @Override
        public double lossAndGradient(FMatrixRMaj a, int[] labels, FMatrixRMaj dA) {
            int n = a.numRows, k = a.numCols;
            float[] ad = a.data, dAd = dA.data;
            float scale = 2f / (n * k);
            double total = 0;
            for (int row = 0; row < n; row++) {
                int base = row * k;
                int y = labels[row];
                for (int j = 0; j < k; j++) {
                    float diff = ad[base + j] - (j == y ? 1f : 0f);
                    total += (double) diff * diff;
                    dAd[base + j] = scale * diff;
                }
            }
            return total / ((double) n * k);
        }
    };

    /**
     * Returns the mean loss of the batch and writes its gradient {@code dL/da} into {@code dA}.
     *
     * @param a      the network's output, n x k (one row per sample)
     * @param labels the true class of each row; only the first n entries are read
     * @param dA     output, n x k
     */
    public abstract double lossAndGradient(FMatrixRMaj a, int[] labels, FMatrixRMaj dA);

    /**
     * The softmax of {@code src[base .. base+k)} into {@code dst[base .. base+k)} (which may be
     * {@code src}): {@code p_j = exp(a_j - m) / Σ_k exp(a_k - m)} with {@code m} the maximum, so no
     * exp overflows. Returns {@code m + log Σ_k exp(a_k - m)}, the log-sum-exp that the
     * cross-entropy needs.
     */
    static double softmax(float[] src, float[] dst, int base, int k) {
        float max = src[base];
        for (int j = 1; j < k; j++) {
            max = Math.max(max, src[base + j]);
        }
        float sum = 0f;
        for (int j = 0; j < k; j++) {
            float e = (float) Math.exp(src[base + j] - max);
            dst[base + j] = e;
            sum += e;
        }
        float invSum = 1f / sum;
        for (int j = 0; j < k; j++) {
            dst[base + j] *= invSum;
        }
        return max + Math.log(sum);
    }

    /** The loss whose {@link #code()} is {@code code}, or null if there is none. */
    static Loss fromCode(int code) {
        return code >= 0 && code < VALUES.length ? VALUES[code] : null;
    }

    /** A stable number for the model file format (the ordinal; never reorder the constants). */
    int code() {
        return ordinal();
    }

    private static final Loss[] VALUES = values();
}
