package dev.badnets.core;

import org.ejml.data.FMatrixRMaj;

/**
 * The element-wise non-linearity {@code a = f(z)} of a dense layer. Each constant holds its forward
 * pass and, right below it, its backward pass: given {@code dA = dL/da} it writes
 * {@code dZ = dL/dz = dA ⊙ f'(z)}. The backward pass reads whichever of {@code z} and {@code a}
 * makes the derivative cheapest (sigmoid and tanh reuse {@code a}, ReLU and leaky ReLU need {@code z}).
 *
 * <p>All matrices have the same shape (n x out); nothing is allocated.
 */
public enum Activation {

    /** {@code f(z) = z}, {@code f'(z) = 1}: the output layer of a classifier (its outputs are logits). */
    IDENTITY {
        @Override
        void forward(float[] z, float[] a, int from, int to) {
            System.arraycopy(z, from, a, from, to - from);
        }

        @Override
        void backward(float[] z, float[] a, float[] dA, float[] dZ, int from, int to) {
            System.arraycopy(dA, from, dZ, from, to - from);
        }
    },

    /** {@code f(z) = max(0, z)}, {@code f'(z) = 1 if z > 0 else 0}. */
    RELU {
        @Override
        void forward(float[] z, float[] a, int from, int to) {
            for (int i = from; i < to; i++) {
                a[i] = Math.max(0f, z[i]);
            }
        }

        @Override
        void backward(float[] z, float[] a, float[] dA, float[] dZ, int from, int to) {
            for (int i = from; i < to; i++) {
                dZ[i] = dA[i] * step(z[i]);
            }
        }
    },

    /** {@code f(z) = 1 / (1 + e^-z)}, {@code f'(z) = f(z) (1 - f(z)) = a (1 - a)}. */
    SIGMOID {
        @Override
        void forward(float[] z, float[] a, int from, int to) {
            for (int i = from; i < to; i++) {
                a[i] = (float) (1.0 / (1.0 + Math.exp(-z[i])));
            }
        }

        @Override
        void backward(float[] z, float[] a, float[] dA, float[] dZ, int from, int to) {
            for (int i = from; i < to; i++) {
                dZ[i] = dA[i] * a[i] * (1f - a[i]);
            }
        }
    },

    /** {@code f(z) = tanh(z)}, {@code f'(z) = 1 - tanh(z)^2 = 1 - a^2}. */
    TANH {
        @Override
        void forward(float[] z, float[] a, int from, int to) {
            for (int i = from; i < to; i++) {
                a[i] = (float) Math.tanh(z[i]);
            }
        }

        @Override
        void backward(float[] z, float[] a, float[] dA, float[] dZ, int from, int to) {
            for (int i = from; i < to; i++) {
                dZ[i] = dA[i] * (1f - a[i] * a[i]);
            }
        }
    },

    /**
     * Leaky ReLU with PyTorch's and ONNX's default slope {@value #LEAKY_SLOPE}:
     * {@code f(z) = z if z > 0 else 0.01 z}, {@code f'(z) = 1 if z > 0 else 0.01}.
     */
    LEAKY_RELU {
        @Override
        void forward(float[] z, float[] a, int from, int to) {
            for (int i = from; i < to; i++) {
                a[i] = z[i] > 0f ? z[i] : z[i] * LEAKY_SLOPE;
            }
        }

        @Override
        void backward(float[] z, float[] a, float[] dA, float[] dZ, int from, int to) {
            for (int i = from; i < to; i++) {
                dZ[i] = z[i] > 0f ? dA[i] : dA[i] * LEAKY_SLOPE;
            }
        }
    };

    /** The slope of {@link #LEAKY_RELU} below 0 (fixed: a model file stores only the activation's code). */
    public static final float LEAKY_SLOPE = 0.01f;

    /**
     * The derivative of ReLU, 1 if z > 0 else 0, without a branch: whether a unit fired is a coin
     * toss, so a branch here is mispredicted about half the time, which cost more than the whole
     * rest of the element-wise work of a training step; min and max compile to branch-free vector
     * instructions. Scaling by 2^252 lifts even the smallest positive float (2^-149) above 1.
     */
    static float step(float z) {
        return Math.min(1f, Math.max(0f, z * 0x1p126f * 0x1p126f));
    }

    /** Forward: {@code a = f(z)}, element by element. */
    public void forward(FMatrixRMaj z, FMatrixRMaj a) {
        forward(z.data, a.data, 0, z.getNumElements());
    }

    /** Backward: {@code dZ = dA ⊙ f'(z)}, given the {@code z} and {@code a} of the forward pass. */
    public void backward(FMatrixRMaj z, FMatrixRMaj a, FMatrixRMaj dA, FMatrixRMaj dZ) {
        backward(z.data, a.data, dA.data, dZ.data, 0, z.getNumElements());
    }

    /** Forward on entries {@code [from, to)}: {@code a[i] = f(z[i])}. */
    abstract void forward(float[] z, float[] a, int from, int to);

    /** Backward on entries {@code [from, to)}: {@code dZ[i] = dA[i] f'(z[i])}. */
    abstract void backward(float[] z, float[] a, float[] dA, float[] dZ, int from, int to);

    /** Fewest entries worth handing to another thread: a few microseconds of element-wise work. */
    static final int GRAIN = 1 << 14;

    /** The activation whose {@link #code()} is {@code code}, or null if there is none. */
    static Activation fromCode(int code) {
        return code >= 0 && code < VALUES.length ? VALUES[code] : null;
    }

    /** A stable number for the model file format (the ordinal; never reorder the constants). */
    int code() {
        return ordinal();
    }

    private static final Activation[] VALUES = values();
}
