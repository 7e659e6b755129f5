package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import java.util.List;
import org.ejml.data.FMatrixRMaj;

/**
 * The per-batch matrices of one {@link Layer} (CS231n's "cache"), allocated once for the largest
 * batch and reshaped, never reallocated, for a smaller one: the layer's output {@code a} and, in a
 * training workspace, {@code dA = dL/da} and the gradient of every parameter. Layers extend it with
 * what their backward pass has to remember (a dense layer its pre-activation {@code z}, a pooling
 * layer the position of each maximum).
 *
 * <p>A workspace is made for one backend and one input gradient {@code dX = dL/dx}: every pass
 * through it runs on that backend and writes that dX, so the work a layer hands to the backend's
 * threads is made once, here, and reads no argument of the call in progress.
 */
public class Workspace {

    private final int capacity;
    /** The backend every pass through this workspace runs on. */
    final MatrixBackend backend;
    private final FMatrixRMaj output;
    private final FMatrixRMaj outputGradient;
    private final FMatrixRMaj inputGradient;
    /** One per parameter; none in a workspace for inference, or for an input gradient alone ({@link #dropParameterGradients}). */
    private FMatrixRMaj[] gradients;
    /** The input of the last forward pass, which backward reads (the previous layer's output). */
    FMatrixRMaj input;

    /**
     * Output and (when training) gradient matrices for {@code layer}, for up to {@code capacity}
     * samples, run on {@code backend}; see {@link Layer#workspace}.
     */
    Workspace(Layer layer, MatrixBackend backend, int capacity, boolean training, FMatrixRMaj dX) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a workspace needs room for at least 1 sample, got " + capacity);
        }
        if (dX != null && !training) {
            throw new IllegalArgumentException("a workspace without gradients computes no dX; pass null, or make a"
                    + " training workspace");
        }
        if (dX != null && (dX.numCols != layer.inputShape().size() || dX.data.length < (long) capacity * dX.numCols)) {
            throw new IllegalArgumentException("dX must have room for " + capacity + " x " + layer.inputShape().size()
                    + " input gradients, got " + dX.numRows + " x " + dX.numCols);
        }
        int width = layer.outputShape().size();
        checkFloats((long) capacity * width, layer);
        this.capacity = capacity;
        this.backend = java.util.Objects.requireNonNull(backend, "backend");
        this.inputGradient = dX;
        output = new FMatrixRMaj(capacity, width);
        outputGradient = training ? new FMatrixRMaj(capacity, width) : null;
        List<Layer.Parameter> parameters = layer.parameters();
        gradients = new FMatrixRMaj[training ? parameters.size() : 0];
        for (int p = 0; p < gradients.length; p++) {
            FMatrixRMaj value = parameters.get(p).value();
            gradients[p] = new FMatrixRMaj(value.numRows, value.numCols);
        }
    }

    /** Refuses a matrix that a Java array cannot hold, before trying to allocate it. */
    static void checkFloats(long floats, Layer layer) {
        if (floats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a batch through layer " + layer.spec() + " would need " + floats
                    + " floats in one matrix, more than a Java array holds; use a batch of fewer samples");
        }
    }

    /** The most samples a batch may have. */
    public int capacity() {
        return capacity;
    }

    /** Whether this workspace can run backward (it holds gradients). */
    public boolean training() {
        return outputGradient != null;
    }

    /** Rows (samples) of the current batch. */
    public int rows() {
        return output.numRows;
    }

    /** The layer's output {@code a}, rows x outputShape().size() (live). */
    public FMatrixRMaj output() {
        return output;
    }

    /** {@code dL/da}, shaped as the output; null in a workspace for inference. */
    public FMatrixRMaj outputGradient() {
        return outputGradient;
    }

    /**
     * {@code dL/dx}, where backward writes the input gradient: n x inputShape().size(), reshaped to
     * the batch by whoever owns it (the layer below, as its output gradient); null when none is wanted.
     */
    public FMatrixRMaj inputGradient() {
        return inputGradient;
    }

    /** {@code dL/dθ} of each of the layer's parameters, in the order of {@link Layer#parameters()}. */
    public List<FMatrixRMaj> gradients() {
        return List.of(gradients);
    }

    FMatrixRMaj gradient(int p) {
        return gradients[p];
    }

    /**
     * Whether backward writes {@code dL/dθ}: in a training workspace, unless its owner wants only
     * the input gradient. A layer with parameters skips their gradients when this is false.
     */
    final boolean parameterGradients() {
        return gradients.length > 0;
    }

    /**
     * Makes this training workspace one whose backward computes {@code dL/da} and {@code dL/dx} but
     * no parameter gradients: for {@link InputGradient}, which holds the weights fixed and would
     * throw those gradients away (for a convolution, {@code dW = colsᵀ dZ} is a quarter of the
     * backward pass). Called by the owner right after construction, before any pass.
     */
    final void dropParameterGradients() {
        if (!training()) {
            throw new IllegalStateException("a workspace for inference has no gradients to drop");
        }
        gradients = new FMatrixRMaj[0];
    }

    /**
     * Starts a forward pass of the batch {@code x}: sets the workspace to its rows and remembers x
     * as the input that backward reads.
     */
    final void begin(FMatrixRMaj x) {
        rows(x.numRows);
        input = x;
    }

    /** Sets the batch to {@code n <= capacity} rows; keeps the arrays. */
    final void rows(int n) {
        if (n < 1 || n > capacity) {
            throw new IllegalArgumentException("batch of " + n + " rows does not fit a workspace of " + capacity);
        }
        if (n == output.numRows) {
            return;
        }
        output.reshape(n, output.numCols);
        if (outputGradient != null) {
            outputGradient.reshape(n, outputGradient.numCols);
        }
        resize(n);
    }

    /** Reshapes a layer's own cache matrices to a batch of n samples. */
    void resize(int n) {
    }

    /** A matrix of {@code rows x cols} over {@code data} (shared, not copied): a second view of a buffer. */
    static FMatrixRMaj view(int rows, int cols, float[] data) {
        return FMatrixRMaj.wrap(rows, cols, data);
    }
}
