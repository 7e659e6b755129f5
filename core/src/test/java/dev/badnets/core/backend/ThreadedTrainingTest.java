package dev.badnets.core.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.Activation;
import dev.badnets.core.Architecture;
import dev.badnets.core.Allocations;
import dev.badnets.core.ArraySamples;
import dev.badnets.core.ByteSamples;
import dev.badnets.core.DenseLayer;
import dev.badnets.core.ModelCodec;
import dev.badnets.core.Network;
import dev.badnets.core.OptimizerKind;
import dev.badnets.core.Samples;
import dev.badnets.core.Shape;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * --threads changes how fast a model trains, never the model: the products, the batch gather, the
 * activations and the optimiser split across threads without changing a bit of the result.
 */
class ThreadedTrainingTest {

    /** Large enough that every split really happens: the gather, the products and the optimiser's update of W. */
    @ParameterizedTest
    @EnumSource(value = OptimizerKind.class)
    void everyThreadCountTrainsTheSameWeights(OptimizerKind optimizer) {
        for (boolean bytes : new boolean[] {true, false}) {
            Samples data = samples(700, 784, 10, 5, bytes);
            TrainingConfig config = TrainingConfig.defaults().withEpochs(2).withOptimizer(optimizer)
                    .withWeightDecay(1e-4f).withBackend("simd");
            Network reference = train(data, config.withThreads(1));
            for (int threads : new int[] {2, 3}) {
                Network net = train(data, config.withThreads(threads));
                for (int l = 0; l < net.layerCount(); l++) {
                    String what = optimizer + " layer " + l + " on " + threads + " threads, " + (bytes ? "bytes" : "floats");
                    assertArrayEquals(((DenseLayer) reference.layer(l)).weights().data, ((DenseLayer) net.layer(l)).weights().data, what);
                    assertArrayEquals(((DenseLayer) reference.layer(l)).bias().data, ((DenseLayer) net.layer(l)).bias().data, what);
                }
            }
        }
    }

    /**
     * The split work allocates nothing either, on the caller or on the pool's threads: some round of
     * 100 steps, full and partial batches, allocates not a byte ({@link Allocations} says why rounds).
     */
    @Tag(Allocations.TAG)
    @Test
    void aSteadyStateStepOnTwoThreadsAllocatesNothing() {
        Samples data = samples(640, 784, 10, 7, true);
        Set<Thread> earlier = Thread.getAllStackTraces().keySet();
        Trainer trainer = new Trainer(Network.mlp(784, new int[] {64}, 10, 1),
                TrainingConfig.defaults().withBackend("simd").withThreads(2));
        assertStepsAllocateNothing(trainer, data, earlier, "steps");
    }

    /**
     * Asserts that rounds of 100 steps of {@code trainer}, a 2-thread trainer made after the
     * threads {@code earlier} were listed, allocate nothing on the caller or the trainer's worker.
     */
    private static void assertStepsAllocateNothing(Trainer trainer, Samples data, Set<Thread> earlier, String steps) {
        // this trainer's worker only: other tests' pools have workers of the same name, which end
        // (their count with them) whenever the garbage collector takes their backend
        List<Thread> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("badnets-simd") && !earlier.contains(t))
                .collect(Collectors.toCollection(ArrayList::new));
        assertEquals(1, threads.size(), "worker threads of a 2-thread trainer: " + threads);
        threads.add(Thread.currentThread());
        Runnable round = () -> {
            for (int i = 0; i < 100; i++) {
                trainer.step(data, null, (i % 10) * 64, i % 7 == 0 ? 40 : 64);
            }
        };
        for (int i = 0; i < 3; i++) {
            round.run(); // warm up: let the JIT compile the loop
        }
        Allocations.Measured measured = Allocations.measure(50, round, threads.toArray(Thread[]::new));
        assertTrue(measured.clean(), measured.describe("at least 50, for at least 20 s, of 100 " + steps));
    }

    private static final Shape CNN_IMAGE = new Shape(1, 12, 12);
    private static final String CNN_SPEC = "conv8x3,pool2,conv16x3s2,dense16";

    /**
     * A convolutional network too: im2col, col2im, pooling and the activations split by images or
     * index ranges, the bias gradient sums fixed blocks of rows, so every thread count trains the
     * same bytes.
     */
    @Test
    void convolutionalNetworksTrainTheSameWeightsOnEveryThreadCount() throws Exception {
        Samples data = imageSamples(640, CNN_IMAGE, 10, 11);
        TrainingConfig config = TrainingConfig.defaults().withEpochs(2).withBackend("simd");
        byte[] reference = null;
        for (int threads : new int[] {1, 2, 3}) {
            Network net = Architecture.build(CNN_IMAGE, CNN_SPEC, 10, 5);
            Trainer.train(net, data, config.withThreads(threads), null);
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            ModelCodec.write(net, bytes);
            if (reference == null) {
                reference = bytes.toByteArray();
            } else {
                assertArrayEquals(reference, bytes.toByteArray(), CNN_SPEC + " on " + threads + " threads");
            }
        }
    }

    /** A steady-state step of a convolutional network allocates nothing on two threads either. */
    @Tag(Allocations.TAG)
    @Test
    void aSteadyStateConvolutionalStepOnTwoThreadsAllocatesNothing() {
        Samples data = imageSamples(640, CNN_IMAGE, 10, 11);
        TrainingConfig config = TrainingConfig.defaults().withBackend("simd");
        Set<Thread> earlier = Thread.getAllStackTraces().keySet();
        Trainer trainer = new Trainer(Architecture.build(CNN_IMAGE, CNN_SPEC, 10, 5), config.withThreads(2));
        assertStepsAllocateNothing(trainer, data, earlier, "CNN steps");
    }

    /** Random images of {@code shape}, most pixels zero. */
    private static Samples imageSamples(int n, Shape shape, int classes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[n * shape.size()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : 0;
        }
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) random.nextInt(classes);
        }
        return new ByteSamples(pixels, labels, shape, classes);
    }

    /** ReLU's backward pass passes dA exactly where z > 0 (even the tiniest z) and 0 elsewhere. */
    @Test
    void reluBackwardIsExactlyTheStepFunction() {
        float[] z = {Float.MIN_VALUE, -Float.MIN_VALUE, 0f, -0f, 1e-30f, -1e-30f, 1f, -1f, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3.5f, -2f};
        float[] dA = {0.25f, 0.25f, 7f, 7f, -3f, -3f, 1e-20f, 1e-20f, -5f, -5f, 2f, 2f, -0.5f, 9f};
        FMatrixRMaj zm = FMatrixRMaj.wrap(2, 7, z);
        FMatrixRMaj dAm = FMatrixRMaj.wrap(2, 7, dA);
        FMatrixRMaj dZ = new FMatrixRMaj(2, 7);
        Activation.RELU.backward(zm, new FMatrixRMaj(2, 7), dAm, dZ);
        for (int i = 0; i < z.length; i++) {
            assertEquals(z[i] > 0f ? dA[i] : 0f, dZ.data[i], 0f, "z = " + z[i] + ", dA = " + dA[i]);
        }
    }

    private static Network train(Samples data, TrainingConfig config) {
        Network net = Network.mlp(data.inputWidth(), new int[] {48}, data.classes(), 3);
        Trainer.train(net, data, config, null);
        return net;
    }

    /** Random MNIST-like samples: most inputs zero, as in real images. */
    private static Samples samples(int n, int width, int classes, long seed, boolean bytes) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[n * width];
        float[] floats = new float[n * width];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : 0;
            floats[i] = (pixels[i] & 0xFF) / 255f;
        }
        byte[] labels = new byte[n];
        int[] intLabels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) random.nextInt(classes);
            intLabels[i] = labels[i];
        }
        return bytes ? new ByteSamples(pixels, labels, width, classes) : new ArraySamples(floats, intLabels, width, classes);
    }
}
