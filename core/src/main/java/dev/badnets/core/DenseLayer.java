package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;

/**
 * A fully connected layer: {@code z = x W + b}, {@code a = f(z)}, for a batch {@code x} of n rows.
 * Its parameters are {@code W} (in x out) and {@code b} (1 x out); its input is a flat vector
 * ({@code in x 1 x 1}: after a convolution, put a {@link Flatten} first).
 *
 * <p>Backward, given {@code dA = dL/da} (n x out):
 * <pre>
 *   dZ = dA ⊙ f'(z)           (n x out)   the layer's error, "delta" in Nielsen's book
 *   dW = xᵀ dZ                (in x out)  because z_ij = Σ_k x_ik W_kj + b_j
 *   db = Σ_rows dZ            (1 x out)   b is added to every row
 *   dX = dZ Wᵀ                (n x in)    the dA of the layer below
 * </pre>
 */
public final class DenseLayer extends WeightedLayer {


    /** A layer with the given parameters, used as they are (not copied). */
    public DenseLayer(FMatrixRMaj weights, FMatrixRMaj bias, Activation activation) {
        super(Shape.flat(checkBias(weights, bias).numRows), Shape.flat(weights.numCols), weights, bias, activation);
    }

    /** Refuses a bias that is not {@code 1 x out}; returns the weights. */
    private static FMatrixRMaj checkBias(FMatrixRMaj weights, FMatrixRMaj bias) {
        if (bias.numRows != 1 || bias.numCols != weights.numCols) {
            throw new IllegalArgumentException("bias must be 1 x " + weights.numCols + " to match weights "
                    + weights.numRows + " x " + weights.numCols + ", got " + bias.numRows + " x " + bias.numCols);
        }
        return weights;
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
        initialize(w.data, in, out, activation, random);
        return new DenseLayer(w, new FMatrixRMaj(1, out), activation);
    }

    /**
     * Fills {@code w} with initial weights for a unit of {@code fanIn} inputs feeding
     * {@code fanOut} outputs: He (normal, std {@code sqrt(2/fanIn)}) before a ReLU, else Glorot
     * (uniform in ±{@code sqrt(6/(fanIn+fanOut))}).
     */
    static void initialize(float[] w, int fanIn, int fanOut, Activation activation, SplittableRandom random) {
        if (activation == Activation.RELU) {
            double std = Math.sqrt(2.0 / fanIn);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (gaussian(random) * std);
            }
        } else {
            double limit = Math.sqrt(6.0 / (fanIn + fanOut));
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) ((2 * random.nextDouble() - 1) * limit);
            }
        }
    }

    /** A workspace with this layer's {@link Cache}. */
    @Override
    public Workspace workspace(MatrixBackend backend, int capacity, boolean training, FMatrixRMaj dX) {
        return new Cache(this, backend, capacity, training, dX);
    }

    /** The cache of a dense layer: the pre-activation z and, when training, dZ. */
    static final class Cache extends Workspace {
        final FMatrixRMaj z;
        final FMatrixRMaj dZ;

        Cache(DenseLayer layer, MatrixBackend backend, int capacity, boolean training, FMatrixRMaj dX) {
            super(layer, backend, capacity, training, dX);
            z = new FMatrixRMaj(capacity, layer.outputs());
            dZ = training ? new FMatrixRMaj(capacity, layer.outputs()) : null;
        }

        @Override
        void resize(int n) {
            z.reshape(n, z.numCols);
            if (dZ != null) {
                dZ.reshape(n, dZ.numCols);
            }
        }
    }

    /** Forward: {@code z = x W + b}, then {@code a = f(z)}. x is n x in; z and a are n x out. */
    @Override
    public void forward(FMatrixRMaj x, Workspace ws) {
        Cache c = (Cache) ws;
        c.begin(x);
        c.backend.affine(x, weights, bias, c.z);
        activation.forward(c.z, c.output());
    }

    /**
     * Backward: from {@code dA} computes {@code dZ = dA ⊙ f'(z)}, {@code dW = xᵀ dZ} and
     * {@code db = Σ_rows dZ} (unless the workspace wants the input gradient only) and, unless the
     * workspace has no {@code dX}, {@code dX = dZ Wᵀ}.
     */
    @Override
    public void backward(Workspace ws) {
        Cache c = (Cache) ws;
        MatrixBackend backend = c.backend;
        FMatrixRMaj dX = c.inputGradient();
        activation.backward(c.z, c.output(), c.outputGradient(), c.dZ);
        if (c.parameterGradients()) {
            backend.multTransA(c.input, c.dZ, c.gradient(0));
            backend.columnSums(c.dZ.data, 0, c.dZ.numRows, c.dZ.numCols, c.gradient(1).data, 0); // db = Σ_rows dZ
        }
        if (dX != null) {
            backend.multTransB(c.dZ, weights, dX);
        }
    }

    @Override
    public long floatsPerSample(boolean training) {
        return (training ? 4L : 2L) * outputs(); // a and z, and dA and dZ
    }

    @Override
    public long multiplyAdds() {
        return (long) inputs() * outputs();
    }

    @Override
    public String spec() {
        return "dense" + outputs() + activationSuffix();
    }

    /** Number of inputs (rows of W). */
    public int inputs() {
        return weights.numRows;
    }

    /** Number of outputs (columns of W). */
    public int outputs() {
        return weights.numCols;
    }

    @Override
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
