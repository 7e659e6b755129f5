package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PredictorTest {

    private static final Shape IMAGE = Shape.image(28, 28);

    /** 20 random images of bytes 0-255, one after the other. */
    private static byte[] images(int count, long seed) {
        byte[] pixels = new byte[count * IMAGE.size()];
        new SplittableRandom(seed).nextBytes(pixels);
        return pixels;
    }

    private static byte[] image(byte[] images, int i) {
        byte[] one = new byte[IMAGE.size()];
        System.arraycopy(images, i * one.length, one, 0, one.length);
        return one;
    }

    private static Network network(String model) {
        return Architecture.build(IMAGE, Architecture.named(model), 10, 3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn"})
    void oneImageAgreesWithTheBatchEvaluator(String model) {
        Network net = network(model);
        int count = 20;
        byte[] pixels = images(count, 5);
        Samples batch = new ByteSamples(pixels, new byte[count], IMAGE, 10);
        int[] predicted = Evaluator.predict(net, batch);
        float[] probabilities = Evaluator.probabilities(net, batch);

        try (Predictor predictor = net.predictor()) {
            for (int i = 0; i < count; i++) {
                byte[] one = image(pixels, i);
                assertEquals(predicted[i], predictor.predict(one), "image " + i);
                float[] expected = new float[10];
                System.arraycopy(probabilities, i * 10, expected, 0, 10);
                // the same backend, softmax and scaling, row by row: bit for bit
                assertArrayEquals(expected, predictor.probabilities(one), "image " + i);
                assertArrayEquals(expected, net.probabilities(one), "image " + i);
                assertEquals(predicted[i], net.predict(one));
            }
        }
    }

    @Test
    void floatsInZeroOneGiveWhatTheirBytesGive() {
        Network net = network("mlp");
        byte[] one = image(images(1, 9), 0);
        float[] scaled = new float[one.length];
        float[] divided = new float[one.length];
        for (int i = 0; i < one.length; i++) {
            scaled[i] = (one[i] & 0xFF) * (1f / 255f); // ByteSamples' arithmetic, bit for bit
            divided[i] = (one[i] & 0xFF) / 255f;      // differs from it in the last bit for some bytes
        }
        assertArrayEquals(net.probabilities(one), net.probabilities(scaled));
        assertEquals(net.predict(one), net.predict(scaled));
        assertArrayEquals(net.probabilities(one), net.probabilities(divided), 1e-6f);
    }

    @Test
    void probabilitiesAreTheOutputsForAMeanSquaredErrorNetwork() {
        Network net = Network.create(new int[] {4, 3}, Activation.RELU, Activation.SIGMOID,
                Loss.MEAN_SQUARED_ERROR, 1);
        float[] pixels = {0f, 0.25f, 0.5f, 1f};
        float[] p = net.probabilities(pixels);
        float[] outputs = Evaluator.probabilities(net, new ArraySamples(pixels, new int[1], 4, 3));
        assertArrayEquals(outputs, p);
        double sum = p[0] + p[1] + p[2];
        assertTrue(Math.abs(sum - 1) > 1e-3, "sigmoid outputs, not a softmax: they sum to " + sum);
    }

    @Test
    void refusesFloatsOutsideZeroOne() {
        Network net = network("mlp");
        for (float bad : new float[] {255f, 1.0001f, -0.5f, Float.NaN}) {
            float[] pixels = new float[784];
            pixels[100] = bad;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.predict(pixels));
            assertTrue(e.getMessage().contains("pixel 100 is " + bad + ": expected values in [0, 1]"), e.getMessage());
        }
    }

    @Test
    void refusesTheWrongLengthNamingBothSizes() {
        Network cnn = network("cnn");
        IllegalArgumentException bytes = assertThrows(IllegalArgumentException.class, () -> cnn.predict(new byte[783]));
        assertEquals("expected one image of 784 values (1x28x28, channels-last), got 783", bytes.getMessage());
        IllegalArgumentException floats = assertThrows(IllegalArgumentException.class,
                () -> network("mlp").probabilities(new float[785]));
        assertEquals("expected one image of 784 values (784, channels-last), got 785", floats.getMessage());
        try (Predictor predictor = cnn.predictor()) {
            assertThrows(IllegalArgumentException.class, () -> predictor.probabilities(new byte[784], new float[9]));
        }
    }

    @Test
    void aClosedPredictorRefusesWork() {
        Predictor predictor = network("mlp").predictor();
        predictor.close();
        assertThrows(IllegalStateException.class, () -> predictor.predict(new byte[784]));
    }

    @Tag(Allocations.TAG)
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn"})
    void aWarmPredictionAllocatesNothing(String model) {
        Network net = network(model);
        byte[] pixels = images(8, 2);
        byte[][] bytes = new byte[8][];
        float[][] floats = new float[8][784];
        for (int i = 0; i < 8; i++) {
            bytes[i] = image(pixels, i);
            for (int j = 0; j < 784; j++) {
                floats[i][j] = (bytes[i][j] & 0xFF) / 255f;
            }
        }
        float[] out = new float[10];
        int[] sink = new int[1];
        try (Predictor predictor = net.predictor()) {
            Runnable calls = () -> {
                for (int i = 0; i < 100; i++) {
                    sink[0] += predictor.predict(bytes[i % 8]) + predictor.predict(floats[i % 8]);
                    predictor.probabilities(bytes[i % 8], out);
                    predictor.probabilities(floats[i % 8], out);
                }
            };
            // Warm up for a while, not a number of calls: a call takes microseconds, and until the
            // optimising compiler has compiled the Vector API kernels (later when other work starves
            // its threads) each vector operation allocates an object.
            long warm = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < warm) {
                calls.run();
            }
            Allocations.Measured measured = Allocations.measure(200, calls, Thread.currentThread());
            assertTrue(measured.clean(), measured.describe("at least 200, for at least 20 s, of 400 calls"));
        }
    }
}
