package dev.badnets.core;

import static dev.badnets.core.GradientCheckTest.activate;
import static dev.badnets.core.GradientCheckTest.affine;
import static dev.badnets.core.GradientCheckTest.referenceLoss;
import static dev.badnets.core.GradientCheckTest.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * What training reports: each batch's loss and the epoch's running accuracy, and each epoch's mean
 * loss and accuracy, against a double-precision forward pass of the network over the samples each
 * batch read. The learning rate is so small (1e-30) that no weight moves, so the network every batch
 * sees is the initial one. And the refusals of {@link Trainer#step}.
 */
class TrainerReportTest {

    /** 50 samples in batches of 16: three full batches and one of 2, so the epoch mean must weigh by batch size. */
    @Test
    void epochAndBatchReportsAreTheLossAndAccuracyOfTheSamplesRead() {
        Samples data = TrainerTest.randomSamples(50, 5, 3, 4);
        // tanh, not ReLU: an input that no hidden ReLU passes gives three logits of exactly 0, a tie
        // that the 1e-30 steps of the biases would break
        Network net = Network.create(new int[] {5, 6, 3}, Activation.TANH, Activation.IDENTITY,
                Loss.SOFTMAX_CROSS_ENTROPY, 2);
        DenseLayer hidden = (DenseLayer) net.layer(0), output = (DenseLayer) net.layer(1);
        double[] w1 = toDouble(hidden.weights()), b1 = toDouble(hidden.bias());
        double[] w2 = toDouble(output.weights()), b2 = toDouble(output.bias());

        List<Integer> reads = new ArrayList<>();
        List<List<Integer>> batches = new ArrayList<>();
        List<double[]> batchReports = new ArrayList<>();
        List<EpochReport> epochReports = new ArrayList<>();
        // not one of core's own Samples, so the trainer gathers it on its thread, in batch order
        Samples recording = new ForwardingSamples(data) {
            @Override
            public void copyInput(int index, float[] dst, int offset) {
                reads.add(index);
                super.copyInput(index, dst, offset);
            }
        };
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onBatch(int epoch, int batch, int batchesPerEpoch, double loss, double runningAccuracy) {
                batches.add(List.copyOf(reads));
                reads.clear();
                batchReports.add(new double[] {epoch, batch, batchesPerEpoch, loss, runningAccuracy});
            }

            @Override
            public void onEpoch(EpochReport report) {
                epochReports.add(report);
            }
        };
        TrainingConfig config = new TrainingConfig(2, 16, 1e-30f, OptimizerKind.SGD, 0f, 9, 1, "ejml");
        long started = System.nanoTime();
        TrainingResult result = Trainer.train(net, recording, config, listener);
        double wall = (System.nanoTime() - started) / 1e9;
        assertTrue(result.seconds() > 0 && result.seconds() <= wall, result.seconds() + " s of a " + wall + " s call");
        assertTrue(result.seconds() >= result.epochs().get(0).seconds() + result.epochs().get(1).seconds());

        assertArrayEquals(toDouble(hidden.weights()), w1, "a learning rate of 1e-30 moves no weight");
        assertEquals(8, batches.size());
        double[] losses = new double[data.size()];
        boolean[] right = new boolean[data.size()];
        for (int i = 0; i < data.size(); i++) {
            float[] x = new float[5];
            data.copyInput(i, x, 0);
            double[] logits = activate(affine(activate(affine(toDouble(FMatrixRMaj.wrap(1, 5, x)), w1, b1, 1, 5, 6),
                    Activation.TANH), w2, b2, 1, 6, 3), Activation.IDENTITY);
            losses[i] = referenceLoss(Loss.SOFTMAX_CROSS_ENTROPY, logits, new int[] {data.label(i)}, 1, 3);
            int best = 0;
            for (int j = 1; j < 3; j++) {
                best = logits[j] > logits[best] ? j : best;
            }
            right[i] = best == data.label(i);
        }
        for (int epoch = 1; epoch <= 2; epoch++) {
            double lossSum = 0;
            int correct = 0, seen = 0;
            for (int batch = 1; batch <= 4; batch++) {
                List<Integer> samples = batches.get((epoch - 1) * 4 + batch - 1);
                double[] report = batchReports.get((epoch - 1) * 4 + batch - 1);
                assertEquals(batch < 4 ? 16 : 2, samples.size());
                double batchLoss = 0;
                for (int index : samples) {
                    batchLoss += losses[index];
                    correct += right[index] ? 1 : 0;
                }
                seen += samples.size();
                lossSum += batchLoss;
                String what = "epoch " + epoch + ", batch " + batch;
                assertArrayEquals(new double[] {epoch, batch, 4}, java.util.Arrays.copyOf(report, 3), what);
                assertEquals(batchLoss / samples.size(), report[3], 1e-6, what + ": the batch's mean loss");
                assertEquals((double) correct / seen, report[4], 1e-12, what + ": the running accuracy");
            }
            EpochReport report = epochReports.get(epoch - 1);
            assertEquals(epoch, report.epoch());
            assertEquals(50, seen);
            assertEquals(lossSum / 50, report.loss(), 1e-6, "epoch " + epoch + ": the mean loss over all samples");
            assertEquals((double) correct / 50, report.accuracy(), 1e-12, "epoch " + epoch + ": the accuracy");
            assertTrue(report.accuracy() > 0 && report.accuracy() < 1, "a test that can tell: " + report.accuracy());
            assertTrue(report.seconds() > 0 && report.seconds() <= result.seconds());
        }
        assertEquals(epochReports, result.epochs());
        assertEquals(epochReports.get(1), result.last());
        assertEquals("ejml", result.backend());
        assertEquals(1, result.threads());
        assertEquals(100 / result.seconds(), result.samplesPerSecond(), 1e-9 * result.samplesPerSecond());
    }

    @Test
    void aStepRefusesLabelsOutOfRangeNamingTheSample() {
        Network net = Network.mlp(2, new int[0], 3, 1);
        Trainer trainer = new Trainer(net, TrainingConfig.defaults().withBatchSize(4).withBackend("ejml"));
        // labels of a 5-class data set: 3 and 4 are no class of a 3-class network
        Samples data = new ArraySamples(new float[12], new int[] {0, 1, 2, 3, 0, 4}, 2, 5);
        float[] before = ((DenseLayer) net.layer(0)).weights().data.clone();

        assertEquals("label 3 of sample 3 is out of range: expected 0 to 2",
                assertThrows(IllegalArgumentException.class, () -> trainer.step(data, null, 1, 4)).getMessage());
        assertEquals("label 4 of sample 5 is out of range: expected 0 to 2",
                assertThrows(IllegalArgumentException.class,
                        () -> trainer.step(data, new int[] {2, 5, 0, 1}, 0, 3)).getMessage());
        Samples negative = withLabels(new ArraySamples(new float[4], new int[] {0, 1}, 2, 2), new int[] {0, -1});
        assertEquals("label -1 of sample 1 is out of range: expected 0 to 2",
                assertThrows(IllegalArgumentException.class, () -> trainer.step(negative, null, 0, 2)).getMessage());
        assertEquals("label -1 of sample 1 is out of range: expected 0 to 2",
                assertThrows(IllegalArgumentException.class,
                        () -> Trainer.train(net, negative, TrainingConfig.defaults(), null)).getMessage());
        assertArrayEquals(before, ((DenseLayer) net.layer(0)).weights().data, "a refused step changes nothing");

        // the first and last labels of the range are classes
        Samples edges = new ArraySamples(new float[4], new int[] {0, 2}, 2, 3);
        assertTrue(Double.isFinite(trainer.step(edges, null, 0, 2)));
    }

    /**
     * Every label is checked before the first step: a bad one anywhere leaves the network untouched
     * (weights and biases; the inputs are not 0, so any step would move the weights too). Batches of
     * one, so that the shuffled bad sample is unlikely to come first, where a step would refuse it
     * before any update anyway. Evaluation refuses it the same way.
     */
    @Test
    void trainingRefusesABadLabelBeforeItsFirstStep() {
        Network net = Network.mlp(2, new int[0], 3, 1);
        float[] weights = ((DenseLayer) net.layer(0)).weights().data.clone();
        float[] bias = ((DenseLayer) net.layer(0)).bias().data.clone();
        float[] inputs = new float[128];
        java.util.Arrays.fill(inputs, 0.5f);
        int[] labels = new int[64];
        for (int bad : new int[] {3, -1}) {
            labels[63] = bad;
            Samples data = withLabels(new ArraySamples(inputs, new int[64], 2, 3), labels);
            String message = "label " + bad + " of sample 63 is out of range: expected 0 to 2";
            assertEquals(message, assertThrows(IllegalArgumentException.class,
                    () -> Trainer.train(net, data, TrainingConfig.defaults().withBatchSize(1), null)).getMessage());
            assertArrayEquals(weights, ((DenseLayer) net.layer(0)).weights().data, "no step ran");
            assertArrayEquals(bias, ((DenseLayer) net.layer(0)).bias().data, "no step ran");
            assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(net, data))
                    .getMessage());
        }
    }

    /**
     * A batch whose buffers ({@code batch x floatsPerSample(true)} floats) would not fit the heap is
     * refused before anything is allocated, the message giving both sizes in MB: the smallest such
     * batch, one sample past what the heap holds.
     */
    @Test
    void aBatchWhoseBuffersExceedTheHeapIsRefusedBeforeAllocating() {
        Network net = Network.mlp(200, new int[] {100}, 2, 1);
        long heap = Runtime.getRuntime().maxMemory();
        long perSample = net.floatsPerSample(true) * Float.BYTES;
        org.junit.jupiter.api.Assumptions.assumeTrue(heap / perSample < Integer.MAX_VALUE, "a heap this size has no such batch");
        int batch = (int) (heap / perSample) + 1;
        long bytes = batch * perSample;
        TrainingConfig config = TrainingConfig.defaults().withBatchSize(batch).withBackend("ejml");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(net, config));
        assertEquals("training this network in batches of " + batch + " needs " + (bytes >> 20) + " MB of buffers, more than the "
                + (heap >> 20) + " MB Java may use; use a smaller batch or fewer or smaller layers, or give Java more heap",
                e.getMessage());
    }

    @Test
    void aStepRefusesBatchesThatDoNotFit() {
        Network net = Network.mlp(2, new int[0], 2, 1);
        Trainer trainer = new Trainer(net, TrainingConfig.defaults().withBatchSize(4).withBackend("ejml"));
        assertEquals("ejml", trainer.backend().name());
        Samples data = new ArraySamples(new float[12], new int[6], 2, 2);
        assertEquals("batch count must be in [1, 4], got 0",
                assertThrows(IllegalArgumentException.class, () -> trainer.step(data, null, 0, 0)).getMessage());
        assertEquals("batch count must be in [1, 4], got 5",
                assertThrows(IllegalArgumentException.class, () -> trainer.step(data, null, 0, 5)).getMessage());
        assertTrue(Double.isFinite(trainer.step(data, null, 0, 1)));
        assertTrue(Double.isFinite(trainer.step(data, null, 2, 4)));
        assertEquals("input shape mismatch: the network takes samples of 2 values, the data has 3 values",
                assertThrows(IllegalArgumentException.class,
                        () -> trainer.step(new ArraySamples(new float[3], new int[1], 3, 2), null, 0, 1)).getMessage());
    }

    /** A batch whose loss is not finite is reported as such and leaves the weights (and the schedule's step) alone. */
    @Test
    void aStepWithANonFiniteLossUpdatesNothing() {
        Network net = Network.mlp(2, new int[0], 2, 1);
        Trainer trainer = new Trainer(net, TrainingConfig.defaults().withBatchSize(2).withBackend("ejml")
                .withOptimizer(OptimizerKind.SGD));
        Samples bad = new ArraySamples(new float[] {Float.NaN, 0, 1, 1}, new int[] {0, 1}, 2, 2);
        float[] before = ((DenseLayer) net.layer(0)).weights().data.clone();
        assertTrue(Double.isNaN(trainer.step(bad, null, 0, 2)));
        assertArrayEquals(before, ((DenseLayer) net.layer(0)).weights().data);
        assertTrue(Double.isFinite(trainer.step(bad, null, 1, 1)));
        assertTrue(((DenseLayer) net.layer(0)).weights().data[0] != before[0] || ((DenseLayer) net.layer(0)).weights().data[2] != before[2]
                || ((DenseLayer) net.layer(0)).weights().data[1] != before[1] || ((DenseLayer) net.layer(0)).weights().data[3] != before[3],
                "a finite batch updates");
    }

    @Test
    void refusesAnEmptyDataSet() {
        Network net = Network.mlp(2, new int[0], 2, 1);
        Samples empty = new ArraySamples(new float[0], new int[0], 2, 2);
        assertEquals("the data set is empty: expected at least 1 sample",
                assertThrows(IllegalArgumentException.class, () -> Trainer.train(net, empty, TrainingConfig.defaults(), null))
                        .getMessage());
        // as many classes as outputs is fine; one sample is enough
        Samples one = new ArraySamples(new float[2], new int[] {1}, 2, 2);
        assertEquals(1, Trainer.train(net, one, TrainingConfig.defaults().withEpochs(1), null).epochs().size());
    }

    /** {@code data} with other labels (which core's own Samples would refuse at construction). */
    private static Samples withLabels(Samples data, int[] labels) {
        return new ForwardingSamples(data) {
            @Override
            public int label(int index) {
                return labels[index];
            }
        };
    }
}
