package dev.badnets.core.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.Activation;
import dev.badnets.core.ArraySamples;
import dev.badnets.core.ByteSamples;
import dev.badnets.core.DenseLayer;
import dev.badnets.core.Network;
import dev.badnets.core.OptimizerKind;
import dev.badnets.core.Samples;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
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

    /** The split work allocates nothing either, on the caller or on the pool's threads. */
    @Test
    void aSteadyStateStepOnTwoThreadsAllocatesNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Samples data = samples(640, 784, 10, 7, true);
        Trainer trainer = new Trainer(Network.mlp(784, new int[] {64}, 10, 1),
                TrainingConfig.defaults().withBackend("simd").withThreads(2));
        for (int i = 0; i < 300; i++) {
            trainer.step(data, null, (i % 10) * 64, 64); // warm up: let the JIT compile the loop
        }
        // the caller and every pool thread (other tests' idle pools may still be alive; they allocate nothing)
        long[] ids = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == Thread.currentThread() || t.getName().startsWith("badnets-simd"))
                .mapToLong(Thread::getId).toArray();
        assertTrue(ids.length >= 2, "no worker thread");
        long[] before = new long[ids.length];
        for (int t = 0; t < ids.length; t++) {
            before[t] = mx.getThreadAllocatedBytes(ids[t]);
        }
        for (int i = 0; i < 500; i++) {
            trainer.step(data, null, (i % 10) * 64, i % 7 == 0 ? 40 : 64);
        }
        long allocated = 0;
        for (int t = 0; t < ids.length; t++) {
            allocated += mx.getThreadAllocatedBytes(ids[t]) - before[t];
        }
        assertTrue(allocated < 1024, allocated + " bytes allocated in 500 steps");
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
