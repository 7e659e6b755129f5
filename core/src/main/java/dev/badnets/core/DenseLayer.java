package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;

/**
 * A fully connected layer: {@code z = x W + b}, {@code a = f(z)}, for a batch {@code x} of n rows.
 * Its parameters are {@code W} (in x out) and {@code b} (1 x out); the per-batch values
 * ({@code x, z, a} and their gradients) belong to the caller, who allocates them once.
 *
 * <p>Backward, given {@code dA = dL/da} (n x out):
 * <pre>
 *   dZ = dA ⊙ f'(z)           (n x out)   the layer's error, "delta" in Nielsen's book
 *   dW = xᵀ dZ                (in x out)  because z_ij = Σ_k x_ik W_kj + b_j
 *   db = Σ_rows dZ            (1 x out)   b is added to every row
 *   dX = dZ Wᵀ                (n x in)    the dA of the layer below
 * </pre>
 */
public final class DenseLayer {

    private final FMatrixRMaj weights;
    private final FMatrixRMaj bias;
    private final Activation activation;

    /** A layer with the given parameters, used as they are (not copied). */
    public DenseLayer(FMatrixRMaj weights, FMatrixRMaj bias, Activation activation) {
        if (bias.numRows != 1 || bias.numCols != weights.numCols) {
            throw new IllegalArgumentException("bias must be 1 x " + weights.numCols + " to match weights "
                    + weights.numRows + " x " + weights.numCols + ", got " + bias.numRows + " x " + bias.numCols);
        }
        this.weights = weights;
        this.bias = bias;
        this.activation = activation;
    }

    /**
     * A freshly initialised layer with zero biases and weights drawn from {@code random}: He
     * initialisation (normal, std {@code sqrt(2/in)}) before a ReLU, which keeps the variance of
     * the activations steady through ReLU layers; Glorot/Xavier (uniform in ±{@code sqrt(6/(in+out))})
     * otherwise, which does the same for symmetric activations and for the output layer.
     */
    public static DenseLayer initialized(int in, int out, Activation activation, SplittableRandom random) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("a layer needs at least 1 input and 1 output, got " + in + " x " + out);
        }
        FMatrixRMaj w = new FMatrixRMaj(in, out);
        if (activation == Activation.RELU) {
            double std = Math.sqrt(2.0 / in);
            for (int i = 0; i < w.data.length; i++) {
                w.data[i] = (float) (gaussian(random) * std);
            }
        } else {
            double limit = Math.sqrt(6.0 / (in + out));
            for (int i = 0; i < w.data.length; i++) {
                w.data[i] = (float) ((2 * random.nextDouble() - 1) * limit);
            }
        }
        return new DenseLayer(w, new FMatrixRMaj(1, out), activation);
    }

    /** Forward: {@code z = x W + b}, then {@code a = f(z)}. x is n x in; z and a are n x out. */
    public void forward(MatrixBackend backend, FMatrixRMaj x, FMatrixRMaj z, FMatrixRMaj a) {
        backend.affine(x, weights, bias, z);
        activation.forward(z, a);
    }

    /**
     * Backward: from {@code dA} computes {@code dZ = dA ⊙ f'(z)}, {@code dW = xᵀ dZ},
     * {@code db = Σ_rows dZ} and, unless {@code dX} is null (the first layer needs no input
     * gradient), {@code dX = dZ Wᵀ}. {@code x, z, a} are those of the forward pass.
     */
    public void backward(MatrixBackend backend, FMatrixRMaj x, FMatrixRMaj z, FMatrixRMaj a, FMatrixRMaj dA,
                         FMatrixRMaj dZ, FMatrixRMaj dW, FMatrixRMaj db, FMatrixRMaj dX) {
        activation.backward(z, a, dA, dZ);
        backend.multTransA(x, dZ, dW);
        columnSums(dZ, db);
        if (dX != null) {
            backend.multTransB(dZ, weights, dX);
        }
    }

    /** {@code db_j = Σ_i dZ_ij}. */
    private static void columnSums(FMatrixRMaj dZ, FMatrixRMaj db) {
        int out = dZ.numCols;
        float[] dZd = dZ.data, dbd = db.data;
        Arrays.fill(dbd, 0, out, 0f);
        for (int row = 0; row < dZ.numRows; row++) {
            int base = row * out;
            for (int j = 0; j < out; j++) {
                dbd[j] += dZd[base + j];
            }
        }
    }

    /** The weights W, in x out (the live matrix: training updates it in place). */
    public FMatrixRMaj weights() {
        return weights;
    }

    /** The bias b, 1 x out (the live matrix). */
    public FMatrixRMaj bias() {
        return bias;
    }

    public Activation activation() {
        return activation;
    }

    /** Number of inputs (rows of W). */
    public int inputs() {
        return weights.numRows;
    }

    /** Number of outputs (columns of W). */
    public int outputs() {
        return weights.numCols;
    }

    /** A deep copy. */
    public DenseLayer copy() {
        return new DenseLayer(weights.copy(), bias.copy(), activation);
    }

    // Box-Muller with StrictMath rather than nextGaussian(), whose algorithm is not specified:
    // the same seed then gives the same initial weights on every JVM.
    private static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble(); // (0, 1]: log is finite
        double u2 = random.nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
    }
}
