package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;

/**
 * A stack of {@link DenseLayer}s trained against a {@link Loss}. For a classifier the last layer is
 * linear and its outputs are logits, turned into probabilities by the softmax inside
 * {@link Loss#SOFTMAX_CROSS_ENTROPY}.
 *
 * <p>{@link #forward} and {@link #backward} are the whole of backpropagation: the forward pass
 * feeds each layer's output {@code a} to the next; the backward pass starts from the loss gradient
 * {@code dL/da} of the last layer and hands each layer's input gradient {@code dX} down as the
 * {@code dA} of the layer below. See {@code core/BACKPROP.md}.
 */
public final class Network {

    private final DenseLayer[] layers;
    private final Loss loss;

    /** A network of the given layers (used as they are), each taking the previous one's outputs. */
    public Network(List<DenseLayer> layers, Loss loss) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer, got none");
        }
        for (int l = 1; l < layers.size(); l++) {
            int expected = layers.get(l - 1).outputs();
            int actual = layers.get(l).inputs();
            if (expected != actual) {
                throw new IllegalArgumentException("layer " + l + " must have " + expected
                        + " inputs (the outputs of layer " + (l - 1) + "), got " + actual);
            }
        }
        this.layers = layers.toArray(new DenseLayer[0]);
        this.loss = loss;
    }

    /**
     * The classifier of the BadNets paper's MNIST baseline and of this project's examples: ReLU
     * hidden layers (He initialisation), a linear output layer (Glorot), softmax cross-entropy.
     *
     * @param inputs  input width (784 for MNIST)
     * @param hidden  widths of the hidden layers, e.g. {@code {128}}; may be empty (softmax regression)
     * @param classes number of classes, at least 2
     * @param seed    seed of the initial weights
     */
    public static Network mlp(int inputs, int[] hidden, int classes, long seed) {
        if (classes < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
        }
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = inputs;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = classes;
        return create(sizes, Activation.RELU, Activation.IDENTITY, Loss.SOFTMAX_CROSS_ENTROPY, seed);
    }

    /**
     * A network with layer widths {@code sizes} (inputs first, outputs last), {@code hidden} after
     * every layer but the last and {@code output} after the last; initialised from {@code seed}.
     */
    public static Network create(int[] sizes, Activation hidden, Activation output, Loss loss, long seed) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("sizes must list at least the input and output widths, got "
                    + Arrays.toString(sizes));
        }
        for (int size : sizes) {
            if (size < 1) {
                throw new IllegalArgumentException("every layer width must be >= 1, got " + Arrays.toString(sizes));
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<DenseLayer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < sizes.length; l++) {
            Activation f = l + 2 == sizes.length ? output : hidden;
            layers.add(DenseLayer.initialized(sizes[l], sizes[l + 1], f, random));
        }
        return new Network(layers, loss);
    }

    /**
     * Forward pass of the batch in {@code buf.x}: for each layer l, {@code z[l] = a[l-1] W + b} and
     * {@code a[l] = f(z[l])}, with {@code a[-1] = x}. Returns the output {@code a[last]}.
     */
    FMatrixRMaj forward(MatrixBackend backend, BatchBuffers buf) {
        FMatrixRMaj input = buf.x;
        for (int l = 0; l < layers.length; l++) {
            layers[l].forward(backend, input, buf.z[l], buf.a[l]);
            input = buf.a[l];
        }
        return input;
    }

    /**
     * Backward pass, after {@link #forward} and after the loss has written {@code dL/da} of the
     * last layer into {@code buf.dA[last]}: from the last layer down, each layer computes its
     * {@code dW, db} into {@code grads} and its input gradient into the {@code dA} of the layer
     * below. The first layer skips its input gradient: nothing needs {@code dL/dx}.
     */
    void backward(MatrixBackend backend, BatchBuffers buf, Gradients grads) {
        for (int l = layers.length - 1; l >= 0; l--) {
            FMatrixRMaj input = l == 0 ? buf.x : buf.a[l - 1];
            FMatrixRMaj dInput = l == 0 ? null : buf.dA[l - 1];
            layers[l].backward(backend, input, buf.z[l], buf.a[l], buf.dA[l], buf.dZ[l],
                    grads.dW[l], grads.db[l], dInput);
        }
    }

    /** Input width (the first layer's inputs). */
    public int inputWidth() {
        return layers[0].inputs();
    }

    /** Number of outputs of the last layer: the number of classes of a classifier. */
    public int classes() {
        return layers[layers.length - 1].outputs();
    }

    /** Widths from input to output, e.g. {@code {784, 128, 10}}. */
    public int[] layerSizes() {
        int[] sizes = new int[layers.length + 1];
        sizes[0] = inputWidth();
        for (int l = 0; l < layers.length; l++) {
            sizes[l + 1] = layers[l].outputs();
        }
        return sizes;
    }

    /** Number of dense layers (2 for 784-128-10). */
    public int layerCount() {
        return layers.length;
    }

    /** Dense layer {@code l} (0-based), live: its parameters are the network's. */
    public DenseLayer layer(int l) {
        return layers[l];
    }

    public Loss loss() {
        return loss;
    }

    /** Number of trainable floats (weights and biases). */
    public long parameterCount() {
        long count = 0;
        for (DenseLayer layer : layers) {
            count += (long) layer.inputs() * layer.outputs() + layer.outputs();
        }
        return count;
    }

    /** A deep copy: training one does not change the other. */
    public Network copy() {
        List<DenseLayer> copies = new ArrayList<>();
        for (DenseLayer layer : layers) {
            copies.add(layer.copy());
        }
        return new Network(copies, loss);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (int size : layerSizes()) {
            s.append(s.length() == 0 ? "" : "-").append(size);
        }
        return s + " " + layers[0].activation().name().toLowerCase() + " " + loss.name().toLowerCase();
    }
}
