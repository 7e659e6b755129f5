package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;

/**
 * A stack of {@link Layer}s trained against a {@link Loss}. For a classifier the last layer is a
 * linear {@link DenseLayer} and its outputs are logits, turned into probabilities by the softmax
 * inside {@link Loss#SOFTMAX_CROSS_ENTROPY}.
 *
 * <p>{@link #forward} and {@link #backward} are the whole of backpropagation: the forward pass
 * feeds each layer's output {@code a} to the next; the backward pass starts from the loss gradient
 * {@code dL/da} of the last layer and hands each layer's input gradient {@code dX} down as the
 * {@code dA} of the layer below. See {@code core/BACKPROP.md}.
 */
public final class Network {

    /** The most layers a network may have (and so a model file holds, and {@link Architecture} builds). */
    public static final int MAX_LAYERS = 1024;
    /**
     * The most floats the buffers of one sample's forward pass may hold ({@link #floatsPerSample},
     * 1 GB): a network asking for more is refused when built or read, before any buffer exists, so
     * that every network a model file or a spec describes can at least classify one image.
     */
    public static final long MAX_FLOATS_PER_SAMPLE = 1L << 28;

    private final Layer[] layers;
    private final Loss loss;

    /**
     * A network of the given layers (used as they are), each taking the previous one's outputs:
     * every layer's input shape must equal the previous layer's output shape.
     *
     * @throws IllegalArgumentException if the shapes do not chain, there are more than
     *                                  {@link #MAX_LAYERS} layers, or one sample's forward pass would
     *                                  need more than {@link #MAX_FLOATS_PER_SAMPLE} floats
     */
    public Network(List<? extends Layer> layers, Loss loss) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer, got none");
        }
        if (layers.size() > MAX_LAYERS) {
            throw new IllegalArgumentException("a network may have at most " + MAX_LAYERS + " layers, got "
                    + layers.size() + "; use fewer layers");
        }
        for (int l = 1; l < layers.size(); l++) {
            Shape expected = layers.get(l - 1).outputShape();
            Shape actual = layers.get(l).inputShape();
            if (!expected.equals(actual)) {
                throw new IllegalArgumentException("layer " + l + " (" + layers.get(l).spec() + ") takes " + actual
                        + " inputs but layer " + (l - 1) + " (" + layers.get(l - 1).spec() + ") gives " + expected
                        + (expected.isFlat() || !actual.isFlat() ? "" : ": put a Flatten between them"));
            }
        }
        if (!layers.get(layers.size() - 1).outputShape().isFlat()) {
            throw new IllegalArgumentException("the last layer must give a flat vector (one value per class), got "
                    + layers.get(layers.size() - 1).outputShape());
        }
        this.layers = layers.toArray(new Layer[0]);
        this.loss = loss;
        long floats = floatsPerSample(false);
        if (floats > MAX_FLOATS_PER_SAMPLE) {
            throw new IllegalArgumentException("one sample's forward pass through this network would need " + floats
                    + " floats of buffers, more than the " + MAX_FLOATS_PER_SAMPLE + " a network may ask for;"
                    + " use a smaller input or smaller layers");
        }
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
     * A dense network with layer widths {@code sizes} (inputs first, outputs last), {@code hidden}
     * after every layer but the last and {@code output} after the last; initialised from {@code seed}.
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
     * Forward pass of the batch in {@code buf.x}: each layer l reads the output of layer l-1 (the
     * batch itself for l = 0) and writes its own. Returns the last layer's output.
     */
    FMatrixRMaj forward(BatchBuffers buf) {
        FMatrixRMaj input = buf.x;
        for (int l = 0; l < layers.length; l++) {
            layers[l].forward(input, buf.work[l]);
            input = buf.work[l].output();
        }
        return input;
    }

    /**
     * Backward pass, after {@link #forward} and after the loss has written {@code dL/da} of the
     * last layer into its workspace's output gradient: from the last layer down, each layer
     * computes its parameter gradients and its input gradient, which is the output gradient of the
     * layer below. The first layer computes its input gradient {@code dL/dx} only into buffers
     * that hold one ({@code buf.dX}): what optimising an input (rather than the weights) needs, see
     * {@link InputGradient}; training needs none.
     */
    void backward(BatchBuffers buf) {
        for (int l = layers.length - 1; l >= 0; l--) {
            layers[l].backward(buf.work[l]);
        }
    }

    /**
     * A reusable {@link InputGradient} for batches of up to {@code capacity} inputs on
     * {@code backend}: the loss and its gradient with respect to the inputs, weights fixed.
     */
    public InputGradient inputGradient(int capacity, MatrixBackend backend) {
        return new InputGradient(this, capacity, backend);
    }

    /**
     * A reusable {@link Predictor} for one image at a time: it keeps its backend and buffers, so a
     * warm call allocates nothing. The fast path when classifying many images one by one; not to
     * be shared between threads.
     */
    public Predictor predictor() {
        return new Predictor(this);
    }

    /**
     * The class of one image: {@code inputWidth()} unsigned bytes 0-255, the {@link #inputShape()}
     * channels-last (for MNIST, 784 pixels row after row), scaled as training scales them. Builds a
     * {@link Predictor} per call (backend and buffers); use {@link #predictor()} for many images.
     *
     * @throws IllegalArgumentException if {@code pixels} does not hold exactly {@code inputWidth()} values
     */
    public int predict(byte[] pixels) {
        try (Predictor predictor = predictor()) {
            return predictor.predict(pixels);
        }
    }

    /**
     * The class of one image of floats in {@code [0, 1]} (grey level / 255), laid out as for
     * {@link #predict(byte[])}.
     *
     * @throws IllegalArgumentException for a wrong length or a value outside [0, 1] (or NaN)
     */
    public int predict(float[] pixels01) {
        try (Predictor predictor = predictor()) {
            return predictor.predict(pixels01);
        }
    }

    /**
     * The class probabilities of one image of bytes 0-255, a new array of {@link #classes()}
     * floats: the softmax of the outputs for {@link Loss#SOFTMAX_CROSS_ENTROPY}, else the outputs
     * as they are. Builds a {@link Predictor} per call.
     */
    public float[] probabilities(byte[] pixels) {
        try (Predictor predictor = predictor()) {
            return predictor.probabilities(pixels);
        }
    }

    /** As {@link #probabilities(byte[])}, for floats in {@code [0, 1]}. */
    public float[] probabilities(float[] pixels01) {
        try (Predictor predictor = predictor()) {
            return predictor.probabilities(pixels01);
        }
    }

    /** The shape of one input sample (the first layer's). */
    public Shape inputShape() {
        return layers[0].inputShape();
    }

    /** Input width: the number of floats of one sample. */
    public int inputWidth() {
        return inputShape().size();
    }

    /**
     * Whether samples of {@code shape} can feed this network: the same shape, or the same number
     * of values when the network takes a flat vector (a dense network reads an image as its pixels).
     */
    public boolean accepts(Shape shape) {
        Shape input = inputShape();
        return input.equals(shape) || (input.isFlat() && input.size() == shape.size());
    }

    /**
     * Fails unless samples of {@code shape} can feed this network ({@link #accepts}), with a
     * message naming both shapes, e.g. {@code "input shape mismatch: the network takes samples of
     * 784 values, the data has 1x20x20"}.
     *
     * @throws IllegalArgumentException if they cannot
     */
    public void checkInput(Shape shape) {
        if (!accepts(shape)) {
            Shape input = inputShape();
            throw new IllegalArgumentException("input shape mismatch: the network takes samples of " + input
                    + (input.isFlat() ? " values" : "") + ", the data has " + shape + (shape.isFlat() ? " values" : ""));
        }
    }

    /** Number of outputs of the last layer: the number of classes of a classifier. */
    public int classes() {
        return layers[layers.length - 1].outputShape().size();
    }

    /** Number of layers (2 for 784-128-10; 7 for conv, pool, conv, pool, flatten, dense, dense). */
    public int layerCount() {
        return layers.length;
    }

    /** Layer {@code l} (0-based), live: its parameters are the network's. */
    public Layer layer(int l) {
        return layers[l];
    }

    /** The layers, in order (live). */
    public List<Layer> layers() {
        return List.of(layers);
    }

    public Loss loss() {
        return loss;
    }

    /** Floats the input and every layer's workspace hold per sample of a batch (see {@link Layer#floatsPerSample}). */
    public long floatsPerSample(boolean training) {
        long floats = inputWidth();
        for (Layer layer : layers) {
            floats += layer.floatsPerSample(training);
        }
        return floats;
    }

    /** Multiply-adds of one sample's forward pass. */
    public long multiplyAdds() {
        long count = 0;
        for (Layer layer : layers) {
            count += layer.multiplyAdds();
        }
        return count;
    }

    /** A deep copy: training one does not change the other. */
    public Network copy() {
        List<Layer> copies = new ArrayList<>();
        for (Layer layer : layers) {
            copies.add(layer.copy());
        }
        return new Network(copies, loss);
    }

    /**
     * The layers in the grammar of {@link Architecture}, input shape first, e.g.
     * {@code "1x28x28 conv32x3,pool2,conv64x3,pool2,flatten,dense128,dense10:identity"}.
     */
    public String spec() {
        StringBuilder s = new StringBuilder(inputShape().toString()).append(' ');
        for (int l = 0; l < layers.length; l++) {
            s.append(l == 0 ? "" : ",").append(layers[l].spec());
        }
        return s.toString();
    }

    /** {@code 784-128-10 relu softmax_cross_entropy} for a dense network, else the {@link #spec()} and the loss. */
    @Override
    public String toString() {
        boolean dense = true;
        for (Layer layer : layers) {
            dense &= layer instanceof DenseLayer;
        }
        if (!dense) {
            return spec() + " " + loss.name().toLowerCase();
        }
        StringBuilder s = new StringBuilder().append(inputWidth());
        for (Layer layer : layers) {
            s.append('-').append(layer.outputShape().size());
        }
        return s + " " + ((DenseLayer) layers[0]).activation().name().toLowerCase() + " " + loss.name().toLowerCase();
    }
}
