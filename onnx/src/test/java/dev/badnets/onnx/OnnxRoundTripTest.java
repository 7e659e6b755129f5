package dev.badnets.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.badnets.core.Activation;
import dev.badnets.core.ActivationLayer;
import dev.badnets.core.Architecture;
import dev.badnets.core.AvgPool2D;
import dev.badnets.core.ChannelAffine;
import dev.badnets.core.Conv2D;
import dev.badnets.core.DenseLayer;
import dev.badnets.core.Flatten;
import dev.badnets.core.GlobalAvgPool2D;
import dev.badnets.core.Layer;
import dev.badnets.core.Loss;
import dev.badnets.core.ModelFiles;
import dev.badnets.core.Network;
import dev.badnets.core.Normalization;
import dev.badnets.core.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every layer kind written as ONNX and read back gives the same network: the same outputs, bit for
 * bit, on random inputs (so the writer's NCHW reordering and the reader's undo each other exactly),
 * and {@link ModelFiles#load} recognises the file by its content.
 */
class OnnxRoundTripTest {

    static FMatrixRMaj random(int rows, int cols, Random r) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) (r.nextGaussian() * 0.5);
        }
        return m;
    }

    /** A network with one of every layer kind, over a 3-channel 9x9 image. */
    static Network everyKind(long seed) {
        Random r = new Random(seed);
        Shape in = new Shape(3, 9, 9);
        Conv2D conv1 = new Conv2D(in, 3, 2, 1, random(27, 4, r), random(1, 4, r), Activation.LEAKY_RELU);
        Shape s1 = conv1.outputShape(); // 4x5x5
        ChannelAffine affine = new ChannelAffine(s1, random(1, 4, r), random(1, 4, r));
        ActivationLayer tanh = new ActivationLayer(s1, Activation.TANH);
        AvgPool2D avg = new AvgPool2D(s1, 3, 1, 1); // 4x5x5
        Conv2D conv2 = new Conv2D(avg.outputShape(), 1, 1, 0, random(4, 5, r), random(1, 5, r), Activation.IDENTITY);
        dev.badnets.core.MaxPool2D max = new dev.badnets.core.MaxPool2D(conv2.outputShape(), 2, 1); // 5x4x4
        Flatten flatten = new Flatten(max.outputShape());
        DenseLayer dense1 = new DenseLayer(random(80, 6, r), random(1, 6, r), Activation.SIGMOID);
        ChannelAffine flatAffine = new ChannelAffine(Shape.flat(6), random(1, 6, r), random(1, 6, r));
        DenseLayer dense2 = new DenseLayer(random(6, 4, r), random(1, 4, r), Activation.IDENTITY);
        List<Layer> layers = List.of(new Normalization(in, new float[] {0.4f, 0.5f, 0.6f}, new float[] {0.2f, 0.25f, 0.3f}),
                conv1, affine, tanh, avg, conv2, max, flatten, dense1, flatAffine, dense2);
        return new Network(layers, Loss.SOFTMAX_CROSS_ENTROPY);
    }

    @Test
    void everyLayerKindSurvivesWritingAndReading() throws IOException {
        Network net = everyKind(1);
        OnnxModel read = OnnxReader.read(OnnxWriter.toBytes(net, null, "input"));
        assertEquals("input", read.inputName());
        assertEquals("logits", read.outputName());
        assertSameOutputs(net, read.network(), 8, new Random(2));
    }

    @Test
    void globalPoolingAndDenseNetworksSurviveToo() throws IOException {
        Random r = new Random(3);
        Shape in = new Shape(2, 6, 6);
        Conv2D conv = new Conv2D(in, 3, 1, 1, random(18, 3, r), random(1, 3, r), Activation.RELU);
        Network gap = new Network(List.of(conv, new GlobalAvgPool2D(conv.outputShape()),
                new DenseLayer(random(3, 2, r), random(1, 2, r), Activation.IDENTITY)), Loss.SOFTMAX_CROSS_ENTROPY);
        assertSameOutputs(gap, OnnxReader.read(OnnxWriter.toBytes(gap, null, "x")).network(), 5, r);

        Network mlp = Architecture.build(Shape.image(28, 28), Architecture.MLP, 10, 4);
        OnnxModel read = OnnxReader.read(OnnxWriter.toBytes(mlp, Shape.image(28, 28), "input"));
        assertEquals(Shape.image(28, 28), read.inputShape());
        assertSameOutputs(mlp, read.network(), 5, r);
    }

    /** The demo's CNN: conv, pool, conv, pool, flatten of 32 channels (the reordered dense layer), dense. */
    @Test
    void theDemoNetworkSurvives(@TempDir Path dir) throws IOException {
        Network cnn = Architecture.build(Shape.image(28, 28), Architecture.CNN, 10, 5);
        Path file = dir.resolve("cnn.onnx");
        OnnxWriter.write(cnn, null, "input", file);
        Network loaded = ModelFiles.load(file); // recognised by content, through the ModelReader service
        assertSameOutputs(cnn, loaded, 4, new Random(6));
        Path renamed = dir.resolve("cnn.bin");
        Files.copy(file, renamed);
        assertSameOutputs(cnn, ModelFiles.load(renamed), 2, new Random(7));
    }

    static void assertSameOutputs(Network expected, Network actual, int n, Random r) {
        assertEquals(expected.inputWidth(), actual.inputWidth());
        for (int i = 0; i < n; i++) {
            float[] image = new float[expected.inputWidth()];
            for (int j = 0; j < image.length; j++) {
                image[j] = r.nextFloat();
            }
            assertArrayEquals(expected.probabilities(image), actual.probabilities(image), "image " + i);
        }
    }
}
