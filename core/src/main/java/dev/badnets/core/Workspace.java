package dev.badnets.core;

import java.util.List;
import org.ejml.data.FMatrixRMaj;

/**
 * The per-batch matrices of one {@link Layer} (CS231n's "cache"), allocated once for the largest
 * batch and reshaped, never reallocated, for a smaller one: the layer's output {@code a} and, in a
 * training workspace, {@code dA = dL/da} and the gradient of every parameter. Layers extend it with
 * what their backward pass has to remember (a dense layer its pre-activation {@code z}, a pooling
 * layer the position of each maximum).
 */
public class Workspace {

    private final int capacity;
    private final FMatrixRMaj output;
    private final FMatrixRMaj outputGradient;
    private final FMatrixRMaj[] gradients;
    /** The input of the last forward pass, which backward reads (the previous layer's output). */
    FMatrixRMaj input;

    /** Output and (when training) gradient matrices for {@code layer}, for up to {@code capacity} samples. */
    Workspace(Layer layer, int capacity, boolean training) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a workspace needs room for at least 1 sample, got " + capacity);
        }
        int width = layer.outputShape().size();
        checkFloats((long) capacity * width, layer);
        this.capacity = capacity;
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

    /** {@code dL/dθ} of each of the layer's parameters, in the order of {@link Layer#parameters()}. */
    public List<FMatrixRMaj> gradients() {
        return List.of(gradients);
    }

    FMatrixRMaj gradient(int p) {
        return gradients[p];
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
