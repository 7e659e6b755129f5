package dev.badnets.core;

import dev.badnets.core.backend.EjmlBackend;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.backend.Backends;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * What the layers, {@link Network}, {@link Shape} and {@link Activation} promise besides their
 * gradients: their documented refusals, names, copies, and the element ranges an activation works on.
 */
class LayerContractTest {

    private static String refusal(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void shapesAreBoundedByWhatAJavaArrayHolds() {
        assertEquals(Shape.MAX_SIZE, new Shape(2, 1 << 14, 1 << 13).size()); // exactly 2^28 values
        assertEquals(Shape.MAX_SIZE, Shape.flat(Shape.MAX_SIZE).size());
        assertEquals("shape 3x16384x8192 has more than 268435456 elements", refusal(() -> new Shape(3, 1 << 14, 1 << 13)));
        assertEquals("shape 1x268435457x1 has more than 268435456 elements", refusal(() -> new Shape(1, Shape.MAX_SIZE + 1, 1)));
        assertEquals("shape 65536x65536x65536 has more than 268435456 elements",
                refusal(() -> new Shape(1 << 16, 1 << 16, 1 << 16))); // 2^48: an int product would wrap to 0
        for (int[] bad : new int[][] {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}, {-1, 1, 1}}) {
            assertEquals("a shape needs channels, height and width >= 1, got " + bad[0] + "x" + bad[1] + "x" + bad[2],
                    refusal(() -> new Shape(bad[0], bad[1], bad[2])));
        }
        assertEquals("784 inputs", Shape.flat(784).describe());
        assertEquals("inputs of 1x28x28", Shape.image(28, 28).describe());
        assertEquals("inputs of 3x1x5", new Shape(3, 1, 5).describe());
        assertEquals("2x5x1", new Shape(2, 5, 1).toString());
        assertFalse(new Shape(3, 1, 5).isFlat());
        assertFalse(new Shape(3, 5, 1).isFlat());
    }

    /** Each activation on a sub-range {@code [from, to)} starting above 0: that range written, nothing else. */
    @Test
    void activationsWorkOnTheirRangeOnly() {
        float[] z = {-2f, -0.5f, 0.25f, 1.5f, -1f, 3f, 0.75f, -3f, 2f, 0.1f};
        float[] dA = {1f, -2f, 0.5f, 3f, -1f, 2f, -0.25f, 4f, 1.5f, -3f};
        int from = 3, to = 8;
        for (Activation f : Activation.values()) {
            float[] a = new float[z.length];
            Arrays.fill(a, Float.NaN);
            f.forward(z, a, from, to);
            float[] dZ = new float[z.length];
            Arrays.fill(dZ, Float.NaN);
            float[] aFull = new float[z.length];
            f.forward(FMatrixRMaj.wrap(1, z.length, z), FMatrixRMaj.wrap(1, z.length, aFull));
            f.backward(z, aFull, dA, dZ, from, to);
            double[] expected = GradientCheckTest.activate(GradientCheckTest.toDouble(FMatrixRMaj.wrap(1, z.length, z)), f);
            for (int i = 0; i < z.length; i++) {
                if (i < from || i >= to) {
                    assertTrue(Float.isNaN(a[i]) && Float.isNaN(dZ[i]), f + " wrote entry " + i + " outside [3, 8)");
                    continue;
                }
                assertEquals(expected[i], a[i], 1e-6, f + " a[" + i + "]");
                double slope = switch (f) {
                    case IDENTITY -> 1;
                    case RELU -> z[i] > 0 ? 1 : 0;
                    case SIGMOID -> expected[i] * (1 - expected[i]);
                    case TANH -> 1 - expected[i] * expected[i];
                    case LEAKY_RELU -> z[i] > 0 ? 1 : 0.01;
                };
                assertEquals(dA[i] * slope, dZ[i], 1e-6, f + " dZ[" + i + "]");
            }
        }
    }

    @Test
    void layersRefuseParametersThatDoNotFit() {
        Shape image = new Shape(2, 5, 6);
        FMatrixRMaj w = new FMatrixRMaj(18, 4), b = new FMatrixRMaj(1, 4);
        assertEquals("a convolution needs kernel >= 1, stride >= 1 and 0 <= padding < kernel, got kernel 0, stride 1, padding 0",
                refusal(() -> new Conv2D(image, 0, 1, 0, w, b, Activation.RELU)));
        assertEquals("a convolution needs kernel >= 1, stride >= 1 and 0 <= padding < kernel, got kernel 3, stride 0, padding 1",
                refusal(() -> new Conv2D(image, 3, 0, 1, w, b, Activation.RELU)));
        assertEquals("a convolution needs kernel >= 1, stride >= 1 and 0 <= padding < kernel, got kernel 3, stride 1, padding -1",
                refusal(() -> new Conv2D(image, 3, 1, -1, w, b, Activation.RELU)));
        assertEquals("a convolution needs kernel >= 1, stride >= 1 and 0 <= padding < kernel, got kernel 3, stride 1, padding 3",
                refusal(() -> new Conv2D(image, 3, 1, 3, w, b, Activation.RELU)));
        assertEquals("a 7x7 kernel does not fit an input of 2x5x6 padded by 0",
                refusal(() -> new Conv2D(image, 7, 1, 0, new FMatrixRMaj(98, 4), b, Activation.RELU)));
        assertEquals("a 6x6 kernel does not fit an input of 2x5x6 padded by 0",
                refusal(() -> new Conv2D(image, 6, 1, 0, new FMatrixRMaj(72, 4), b, Activation.RELU)));
        assertEquals("a 6x6 kernel does not fit an input of 2x6x5 padded by 0",
                refusal(() -> new Conv2D(new Shape(2, 6, 5), 6, 1, 0, new FMatrixRMaj(72, 4), b, Activation.RELU)));
        assertEquals(new Shape(4, 2, 3), new Conv2D(image, 6, 1, 1, new FMatrixRMaj(72, 4), b, Activation.RELU).outputShape());
        assertEquals("weights must be 18 x K (kernel 3x3 x 2 channels), got 17 x 4",
                refusal(() -> new Conv2D(image, 3, 1, 1, new FMatrixRMaj(17, 4), b, Activation.RELU)));
        assertEquals("weights must be 18 x K (kernel 3x3 x 2 channels), got 18 x 0",
                refusal(() -> new Conv2D(image, 3, 1, 1, new FMatrixRMaj(18, 0), new FMatrixRMaj(1, 0), Activation.RELU)));
        assertEquals("bias must be 1 x 4, got 1 x 3",
                refusal(() -> new Conv2D(image, 3, 1, 1, w, new FMatrixRMaj(1, 3), Activation.RELU)));
        assertEquals("bias must be 1 x 4, got 2 x 4",
                refusal(() -> new Conv2D(image, 3, 1, 1, w, new FMatrixRMaj(2, 4), Activation.RELU)));
        assertEquals("a convolution needs at least 1 filter, got 0",
                refusal(() -> Conv2D.initialized(image, 0, 3, 1, 1, Activation.RELU, new SplittableRandom(1))));

        assertEquals("pooling needs a window of 1 to 256 and a stride >= 1, got window 0, stride 1", refusal(() -> new MaxPool2D(image, 0, 1)));
        assertEquals("pooling needs a window of 1 to 256 and a stride >= 1, got window 2, stride 0", refusal(() -> new MaxPool2D(image, 2, 0)));
        assertEquals("a 6x6 pooling window does not fit an input of 2x5x6", refusal(() -> new MaxPool2D(image, 6, 1)));
        assertEquals("a 6x6 pooling window does not fit an input of 2x6x5", refusal(() -> new MaxPool2D(new Shape(2, 6, 5), 6, 1)));
        assertEquals(new Shape(2, 1, 1), new MaxPool2D(image, 5, 2).outputShape());

        assertEquals("bias must be 1 x 4 to match weights 3 x 4, got 1 x 3",
                refusal(() -> new DenseLayer(new FMatrixRMaj(3, 4), new FMatrixRMaj(1, 3), Activation.RELU)));
        assertEquals("bias must be 1 x 4 to match weights 3 x 4, got 2 x 4",
                refusal(() -> new DenseLayer(new FMatrixRMaj(3, 4), new FMatrixRMaj(2, 4), Activation.RELU)));
        assertEquals("a layer needs at least 1 input and 1 output, got 0 x 3",
                refusal(() -> DenseLayer.initialized(0, 3, Activation.RELU, new SplittableRandom(1))));
        assertEquals("a layer needs at least 1 input and 1 output, got 3 x 0",
                refusal(() -> DenseLayer.initialized(3, 0, Activation.RELU, new SplittableRandom(1))));
        assertEquals("a workspace needs room for at least 1 sample, got 0", refusal(() -> new Flatten(image).workspace(new EjmlBackend(), 0, true, null)));
        Flatten flatten = new Flatten(image);
        assertEquals("a workspace without gradients computes no dX; pass null, or make a training workspace",
                refusal(() -> flatten.workspace(new EjmlBackend(), 2, false, new FMatrixRMaj(2, 60))));
        assertEquals("dX must have room for 2 x 60 input gradients, got 2 x 59",
                refusal(() -> flatten.workspace(new EjmlBackend(), 2, true, new FMatrixRMaj(2, 59))));
        assertEquals("dX must have room for 3 x 60 input gradients, got 2 x 60",
                refusal(() -> flatten.workspace(new EjmlBackend(), 3, true, new FMatrixRMaj(2, 60))));
        assertEquals(60, flatten.workspace(new EjmlBackend(), 2, true, new FMatrixRMaj(2, 60)).inputGradient().numCols);
    }

    @Test
    void namesAndCopies() {
        Network net = Architecture.build(new Shape(2, 11, 10), "conv3x3s2p0,pool2s1,conv2x1,pool2,dense4", 3, 5);
        assertEquals("2x11x10 conv3x3s2p0,pool2s1,conv2x1,pool2,flatten,dense4,dense3:identity", net.spec());
        assertEquals(net.spec() + " softmax_cross_entropy", net.toString());
        assertEquals("conv4x3:tanh", new Conv2D(Shape.image(5, 5), 3, 1, 1, new FMatrixRMaj(9, 4), new FMatrixRMaj(1, 4),
                Activation.TANH).spec());
        assertEquals("dense2:sigmoid", new DenseLayer(new FMatrixRMaj(3, 2), new FMatrixRMaj(1, 2), Activation.SIGMOID).spec());
        assertEquals(List.of(net.layer(0), net.layer(1), net.layer(2), net.layer(3), net.layer(4), net.layer(5), net.layer(6)),
                net.layers());
        assertEquals(7, net.layerCount());
        assertEquals(3, net.classes());
        assertEquals(220, net.inputWidth());

        Network copy = net.copy();
        assertEquals(net.spec(), copy.spec());
        assertSame(net.layer(1), copy.layer(1), "pooling has no parameters: nothing to copy");
        assertSame(net.layer(4), copy.layer(4), "nor has flatten");
        Conv2D conv = (Conv2D) net.layer(0), convCopy = (Conv2D) copy.layer(0);
        assertNotSame(conv.weights(), convCopy.weights());
        assertArrayEquals(conv.weights().data, convCopy.weights().data);
        assertArrayEquals(conv.bias().data, convCopy.bias().data);
        conv.weights().data[0] += 1;
        conv.bias().data[0] += 1;
        assertEquals(convCopy.weights().data[0] + 1, conv.weights().data[0]);
        assertEquals(convCopy.bias().data[0] + 1, conv.bias().data[0]);
        assertEquals(List.of("W", "b"), conv.parameters().stream().map(Layer.Parameter::name).toList());
        assertTrue(conv.parameters().get(0).decays());
        assertFalse(conv.parameters().get(1).decays());
        assertTrue(net.layer(1).parameters().isEmpty() && net.layer(4).parameters().isEmpty());
    }

    @Test
    void networksRefuseLayersThatDoNotConnect() {
        SplittableRandom random = new SplittableRandom(1);
        assertEquals("a network needs at least one layer, got none", refusal(() -> new Network(List.of(), Loss.SOFTMAX_CROSS_ENTROPY)));
        Conv2D conv = Conv2D.initialized(Shape.image(4, 4), 2, 3, 1, 1, Activation.RELU, random);
        assertEquals("layer 1 (dense3:identity) takes 32 inputs but layer 0 (conv2x3) gives 2x4x4: put a Flatten between them",
                refusal(() -> new Network(List.of(conv, DenseLayer.initialized(32, 3, Activation.IDENTITY, random)),
                        Loss.SOFTMAX_CROSS_ENTROPY)));
        DenseLayer five = DenseLayer.initialized(4, 5, Activation.RELU, random);
        assertEquals("layer 1 (dense3:identity) takes 6 inputs but layer 0 (dense5) gives 5",
                refusal(() -> new Network(List.of(five, DenseLayer.initialized(6, 3, Activation.IDENTITY, random)),
                        Loss.SOFTMAX_CROSS_ENTROPY)));
        assertEquals("layer 1 (pool2) takes 1x4x4 inputs but layer 0 (conv2x3) gives 2x4x4",
                refusal(() -> new Network(List.of(conv, new MaxPool2D(Shape.image(4, 4), 2, 2)), Loss.SOFTMAX_CROSS_ENTROPY)));
        assertEquals("the last layer must give a flat vector (one value per class), got 2x4x4",
                refusal(() -> new Network(List.of(conv), Loss.SOFTMAX_CROSS_ENTROPY)));

        assertEquals("a classifier needs at least 2 classes, got 1", refusal(() -> Network.mlp(4, new int[0], 1, 1)));
        assertEquals("sizes must list at least the input and output widths, got [4]",
                refusal(() -> Network.create(new int[] {4}, Activation.RELU, Activation.IDENTITY, Loss.MEAN_SQUARED_ERROR, 1)));
        assertEquals("every layer width must be >= 1, got [4, 0, 2]",
                refusal(() -> Network.create(new int[] {4, 0, 2}, Activation.RELU, Activation.IDENTITY, Loss.MEAN_SQUARED_ERROR, 1)));
        Network softmaxRegression = Network.mlp(4, new int[0], 2, 1);
        assertEquals("4-2 identity softmax_cross_entropy", softmaxRegression.toString());
        assertEquals(Activation.IDENTITY, ((DenseLayer) softmaxRegression.layer(0)).activation());
    }

    @Test
    void whatANetworkAccepts() {
        Network dense = Network.mlp(16, new int[] {4}, 2, 1);
        assertTrue(dense.accepts(Shape.flat(16)));
        assertTrue(dense.accepts(Shape.image(4, 4)), "a dense network reads an image as its pixels");
        assertFalse(dense.accepts(Shape.image(4, 5)));
        assertEquals("input shape mismatch: the network takes samples of 16 values, the data has 1x4x5",
                refusal(() -> dense.checkInput(Shape.image(4, 5))));
        Network cnn = Architecture.build(Shape.image(4, 4), "conv2x3", 2, 1);
        assertTrue(cnn.accepts(Shape.image(4, 4)));
        assertFalse(cnn.accepts(Shape.flat(16)), "a convolution needs the image's shape");
        assertFalse(cnn.accepts(new Shape(1, 2, 8)));
        assertEquals("input shape mismatch: the network takes samples of 1x4x4, the data has 16 values",
                refusal(() -> cnn.checkInput(Shape.flat(16))));
        cnn.checkInput(Shape.image(4, 4));
    }

    /** Network's one-image conveniences give the Predictor's answers. */
    @Test
    void oneImageConveniences() {
        Network net = Architecture.build(Shape.image(4, 4), "conv2x3,dense5", 3, 2);
        byte[] pixels = new byte[16];
        float[] floats = new float[16];
        for (int i = 0; i < 16; i++) {
            pixels[i] = (byte) (i * 37);
            floats[i] = (pixels[i] & 0xFF) / 255f;
        }
        try (Predictor predictor = net.predictor()) {
            assertEquals(predictor.predict(pixels), net.predict(pixels));
            assertEquals(predictor.predict(floats), net.predict(floats));
            assertArrayEquals(predictor.probabilities(pixels), net.probabilities(pixels));
            assertArrayEquals(predictor.probabilities(floats), net.probabilities(floats));
        }
        float[] p = net.probabilities(pixels);
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-6);
        InputGradient gradient = net.inputGradient(2, Backends.create("ejml", 1));
        FMatrixRMaj dX = new FMatrixRMaj(1, 16);
        assertTrue(Double.isFinite(gradient.lossAndGradient(FMatrixRMaj.wrap(1, 16, floats), new int[] {1}, dX)));
    }

    /**
     * Initial weights: He (normal, std {@code sqrt(2 / fan-in)}) before a ReLU, Glorot (uniform in
     * ±{@code sqrt(6 / (fan-in + fan-out))}) otherwise, with fan-in {@code C·k·k} and fan-out
     * {@code K·k·k} for a convolution; zero biases.
     */
    @Test
    void initialWeightsFollowHeAndGlorot() {
        Shape in = new Shape(16, 8, 8);
        Conv2D he = Conv2D.initialized(in, 64, 3, 1, 1, Activation.RELU, new SplittableRandom(3));
        double sumSquares = 0, sum = 0;
        for (float w : he.weights().data) {
            sumSquares += w * w;
            sum += w;
        }
        int count = he.weights().getNumElements();
        assertEquals(Math.sqrt(2.0 / (16 * 9)), Math.sqrt(sumSquares / count), 0.03 * Math.sqrt(2.0 / (16 * 9)));
        assertEquals(0, sum / count, 0.05 * Math.sqrt(2.0 / (16 * 9)));
        assertArrayEquals(new float[64], he.bias().data);

        Conv2D glorot = Conv2D.initialized(in, 64, 3, 1, 1, Activation.TANH, new SplittableRandom(3));
        double limit = Math.sqrt(6.0 / (16 * 9 + 64 * 9));
        assertUniform(glorot.weights().data, limit);
        DenseLayer dense = DenseLayer.initialized(300, 50, Activation.SIGMOID, new SplittableRandom(4));
        assertUniform(dense.weights().data, Math.sqrt(6.0 / 350));
        assertEquals(Activation.SIGMOID, dense.activation());
        assertEquals(300, dense.inputs());
        assertEquals(50, dense.outputs());
    }

    /** Uniform in ±limit: none beyond, some within 1 % of either end, mean near 0, variance limit²/3. */
    private static void assertUniform(float[] w, double limit) {
        double max = 0, min = 0, sum = 0, sumSquares = 0;
        for (float v : w) {
            assertTrue(Math.abs(v) <= limit, v + " beyond ±" + limit);
            max = Math.max(max, v);
            min = Math.min(min, v);
            sum += v;
            sumSquares += v * v;
        }
        assertTrue(max > 0.99 * limit && min < -0.99 * limit, "range " + min + " to " + max + " of ±" + limit);
        assertEquals(0, sum / w.length, 0.05 * limit);
        assertEquals(limit * limit / 3, sumSquares / w.length, 0.05 * limit * limit / 3);
    }

    /** The first layer of a network gets no dX (training needs none): a layer without parameters then does nothing. */
    @Test
    void aFirstLayerWithoutParametersTrains() {
        Network net = Architecture.build(new Shape(2, 4, 4), "flatten,dense3", 2, 1);
        assertEquals(net.layer(0).getClass(), Flatten.class);
        Samples data = new ArraySamples(new float[64], new int[] {0, 1}, new Shape(2, 4, 4), 2);
        assertTrue(Double.isFinite(new Trainer(net, TrainingConfig.defaults().withBatchSize(2)).step(data, null, 0, 2)));
        Network pooled = Architecture.build(new Shape(2, 4, 4), "pool2,dense3", 2, 1);
        assertTrue(Double.isFinite(new Trainer(pooled, TrainingConfig.defaults().withBatchSize(2)).step(data, null, 0, 2)));
    }

    /** A batch whose unrolled windows no Java array can hold is refused before anything that size is allocated. */
    @Test
    void refusesABatchTooLargeForOneArray() {
        Conv2D wide = new Conv2D(new Shape(4096, 1, 1), 1, 1, 0, new FMatrixRMaj(4096, 1), new FMatrixRMaj(1, 1),
                Activation.IDENTITY);
        assertEquals("a batch through layer conv1x1:identity would need 2457600000 floats in one matrix, more than a "
                + "Java array holds; use a batch of fewer samples", refusal(() -> wide.workspace(new EjmlBackend(), 600_000, false, null)));
    }

    /** f'(z) = 1 if z > 0 else 0.01: at z = 0 (either sign) the slope is the negative side's, as in PyTorch's autograd. */
    @Test
    void leakyReluTakesItsNegativeSlopeAtTheKink() {
        float[] z = {0f, -0f, Float.MIN_VALUE, -1f};
        float[] a = new float[4];
        float[] dA = {2f, 2f, 2f, 2f};
        float[] dZ = new float[4];
        Activation.LEAKY_RELU.forward(z, a, 0, 4);
        Activation.LEAKY_RELU.backward(z, a, dA, dZ, 0, 4);
        assertArrayEquals(new float[] {0f, -0f, Float.MIN_VALUE, -Activation.LEAKY_SLOPE}, a);
        float negative = 2f * Activation.LEAKY_SLOPE;
        assertArrayEquals(new float[] {negative, negative, 2f, negative}, dZ);
    }
}
