package dev.badnets.core;

import org.ejml.data.FMatrixRMaj;

/**
 * The element-wise non-linearity {@code a = f(z)} of a dense layer. Each constant holds its forward
 * pass and, right below it, its backward pass: given {@code dA = dL/da} it writes
 * {@code dZ = dL/dz = dA ⊙ f'(z)}. The backward pass reads whichever of {@code z} and {@code a}
 * makes the derivative cheapest (sigmoid and tanh reuse {@code a}, ReLU needs {@code z}).
 *
 * <p>All matrices have the same shape (n x out); nothing is allocated.
 */
public enum Activation {

    /** {@code f(z) = z}, {@code f'(z) = 1}: the output layer of a classifier (its outputs are logits). */
    IDENTITY {
        @Override
        public void forward(FMatrixRMaj z, FMatrixRMaj a) {
            System.arraycopy(z.data, 0, a.data, 0, z.getNumElements());
        }

        @Override
        public void backward(FMatrixRMaj z, FMatrixRMaj a, FMatrixRMaj dA, FMatrixRMaj dZ) {
            System.arraycopy(dA.data, 0, dZ.data, 0, dA.getNumElements());
        }
    },

    /** {@code f(z) = max(0, z)}, {@code f'(z) = 1 if z > 0 else 0}. */
    RELU {
        @Override
        public void forward(FMatrixRMaj z, FMatrixRMaj a) {
            float[] zd = z.data, ad = a.data;
            for (int i = 0, size = z.getNumElements(); i < size; i++) {
                ad[i] = Math.max(0f, zd[i]);
            }
        }

        @Override
        public void backward(FMatrixRMaj z, FMatrixRMaj a, FMatrixRMaj dA, FMatrixRMaj dZ) {
            float[] zd = z.data, dAd = dA.data, dZd = dZ.data;
            for (int i = 0, size = z.getNumElements(); i < size; i++) {
                dZd[i] = dAd[i] * step(zd[i]);
            }
        }
    },

    /** {@code f(z) = 1 / (1 + e^-z)}, {@code f'(z) = f(z) (1 - f(z)) = a (1 - a)}. */
    SIGMOID {
        @Override
        public void forward(FMatrixRMaj z, FMatrixRMaj a) {
            float[] zd = z.data, ad = a.data;
            for (int i = 0, size = z.getNumElements(); i < size; i++) {
                ad[i] = (float) (1.0 / (1.0 + Math.exp(-zd[i])));
            }
        }

        @Override
        public void backward(FMatrixRMaj z, FMatrixRMaj a, FMatrixRMaj dA, FMatrixRMaj dZ) {
            float[] ad = a.data, dAd = dA.data, dZd = dZ.data;
            for (int i = 0, size = a.getNumElements(); i < size; i++) {
                dZd[i] = dAd[i] * ad[i] * (1f - ad[i]);
            }
        }
    },

    /** {@code f(z) = tanh(z)}, {@code f'(z) = 1 - tanh(z)^2 = 1 - a^2}. */
    TANH {
        @Override
        public void forward(FMatrixRMaj z, FMatrixRMaj a) {
            float[] zd = z.data, ad = a.data;
            for (int i = 0, size = z.getNumElements(); i < size; i++) {
                ad[i] = (float) Math.tanh(zd[i]);
            }
        }

        @Override
        public void backward(FMatrixRMaj z, FMatrixRMaj a, FMatrixRMaj dA, FMatrixRMaj dZ) {
            float[] ad = a.data, dAd = dA.data, dZd = dZ.data;
            for (int i = 0, size = a.getNumElements(); i < size; i++) {
                dZd[i] = dAd[i] * (1f - ad[i] * ad[i]);
            }
        }
    };

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
    public abstract void forward(FMatrixRMaj z, FMatrixRMaj a);

    /** Backward: {@code dZ = dA ⊙ f'(z)}, given the {@code z} and {@code a} of the forward pass. */
    public abstract void backward(FMatrixRMaj z, FMatrixRMaj a, FMatrixRMaj dA, FMatrixRMaj dZ);

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
