package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.backend.Backends;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class TrainerTest {

    static final Samples XOR = new ArraySamples(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, new int[] {0, 1, 1, 0}, 2, 2);

    static List<String> backends() {
        return Backends.availableNames();
    }

    @ParameterizedTest
    @EnumSource(OptimizerKind.class)
    void learnsXor(OptimizerKind optimizer) {
        Network net = Network.mlp(2, new int[] {8}, 2, 3);
        float lr = optimizer == OptimizerKind.ADAM ? 0.05f : 0.2f;
        TrainingConfig config = new TrainingConfig(500, 4, lr, optimizer, 0f, 1, 1, "ejml");

        Trainer.train(net, XOR, config, null);

        assertEquals(1.0, Evaluator.evaluate(net, XOR).accuracy());
    }

    @Test
    void learnsXorWithTanhSigmoidAndMeanSquaredError() {
        Network net = Network.create(new int[] {2, 8, 2}, Activation.TANH, Activation.SIGMOID,
                Loss.MEAN_SQUARED_ERROR, 5);
        TrainingConfig config = new TrainingConfig(1000, 4, 0.05f, OptimizerKind.ADAM, 0f, 1, 1, "ejml");

        TrainingResult result = Trainer.train(net, XOR, config, null);

        assertEquals(1.0, Evaluator.evaluate(net, XOR).accuracy());
        assertTrue(result.last().loss() < 0.01, "final loss " + result.last().loss());
    }

    @Test
    void learnsTwoSpirals() {
        Samples spirals = twoSpirals(200);
        Network net = Network.mlp(2, new int[] {32, 32}, 2, 1);
        TrainingConfig config = new TrainingConfig(600, 32, 0.01f, OptimizerKind.ADAM, 0f, 1, 1, "ejml");

        Trainer.train(net, spirals, config, null);

        assertEquals(1.0, Evaluator.evaluate(net, spirals).accuracy());
    }

    static List<org.junit.jupiter.params.provider.Arguments> backendsAndThreads() {
        List<org.junit.jupiter.params.provider.Arguments> cases = new ArrayList<>();
        for (String backend : Backends.availableNames()) {
            for (int threads : new int[] {1, 2}) {
                cases.add(org.junit.jupiter.params.provider.Arguments.of(backend, threads));
            }
        }
        return cases;
    }

    @ParameterizedTest
    @MethodSource("backendsAndThreads")
    void sameSeedGivesBitIdenticalWeights(String backend, int threads) {
        // wide enough (64 x 200 x 256) that a threaded backend really splits the products
        Samples data = randomSamples(300, 200, 4, 11);
        TrainingConfig config = new TrainingConfig(3, 64, 0.01f, OptimizerKind.ADAM, 1e-4f, 42, threads, backend);

        Network a = Network.mlp(200, new int[] {256}, 4, 9);
        Network b = Network.mlp(200, new int[] {256}, 4, 9);
        Trainer.train(a, data, config, null);
        Trainer.train(b, data, config, null);
        Network c = Network.mlp(200, new int[] {256}, 4, 9);
        Trainer.train(c, data, config.withSeed(43), null);

        for (int l = 0; l < a.layerCount(); l++) {
            assertArrayEquals(((DenseLayer) a.layer(l)).weights().data, ((DenseLayer) b.layer(l)).weights().data);
            assertArrayEquals(((DenseLayer) a.layer(l)).bias().data, ((DenseLayer) b.layer(l)).bias().data);
        }
        // another shuffle seed visits the batches in another order
        assertFalse(Arrays.equals(((DenseLayer) a.layer(0)).weights().data, ((DenseLayer) c.layer(0)).weights().data));
    }

    @Test
    void everyEpochReadsEverySampleOnceInANewOrderThatTheSeedFixes() {
        List<List<Integer>> orders = epochOrders(7);

        assertEquals(3, orders.size());
        List<Integer> all = IntStream.range(0, 40).boxed().toList();
        for (List<Integer> order : orders) {
            assertEquals(all, order.stream().sorted().toList(), "one epoch reads each sample once: " + order);
        }
        // a fresh permutation each epoch, not the first one again
        assertNotEquals(orders.get(0), orders.get(1), "epochs 1 and 2 read the samples in the same order");
        assertNotEquals(orders.get(1), orders.get(2), "epochs 2 and 3 read the samples in the same order");
        assertNotEquals(orders.get(0), orders.get(2), "epochs 1 and 3 read the samples in the same order");
        assertEquals(orders, epochOrders(7), "the same seed must give the same orders");
        assertNotEquals(orders.get(0), epochOrders(8).get(0), "another seed must give another order");
    }

    /**
     * The sample indices whose inputs each epoch of a 3-epoch training with shuffle seed {@code seed}
     * read, in order. Inputs, not labels: the trainer checks every label in index order before it starts.
     */
    private static List<List<Integer>> epochOrders(long seed) {
        Samples data = randomSamples(40, 3, 2, 5);
        List<Integer> reads = new ArrayList<>();
        // not one of core's own Samples, so the batch gather reads it on the training thread, in batch order
        Samples recording = new ForwardingSamples(data) {
            @Override
            public void copyInput(int index, float[] dst, int offset) {
                reads.add(index);
                super.copyInput(index, dst, offset);
            }
        };
        List<List<Integer>> epochs = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onEpoch(EpochReport report) {
                epochs.add(List.copyOf(reads));
                reads.clear();
            }
        };
        Trainer.train(Network.mlp(3, new int[] {4}, 2, 1), recording,
                TrainingConfig.defaults().withEpochs(3).withBatchSize(16).withSeed(seed), listener);
        return epochs;
    }

    @Test
    void initialisationFollowsHeAndGlorot() {
        Network net = Network.mlp(784, new int[] {256}, 10, 1);
        float[] he = ((DenseLayer) net.layer(0)).weights().data;
        double sumSquares = 0;
        for (float w : he) {
            sumSquares += w * w;
        }
        assertEquals(Math.sqrt(2.0 / 784), Math.sqrt(sumSquares / he.length), 0.001);
        double limit = Math.sqrt(6.0 / (256 + 10));
        for (float w : ((DenseLayer) net.layer(1)).weights().data) {
            assertTrue(Math.abs(w) <= limit);
        }
        assertTrue(Arrays.equals(new float[256], ((DenseLayer) net.layer(0)).bias().data));
        assertArrayEquals(he, ((DenseLayer) Network.mlp(784, new int[] {256}, 10, 1).layer(0)).weights().data);
    }

    /** Some round of 100 steps, full and partial batches, allocates not a byte ({@link Allocations} says why rounds). */
    @Tag(Allocations.TAG)
    @ParameterizedTest
    @MethodSource("backends")
    void steadyStateTrainingStepAllocatesNothing(String backend) {
        Samples data = randomSamples(640, 784, 10, 3);
        Network net = Network.mlp(784, new int[] {32}, 10, 1);
        // cosine: the schedule's rate is computed at every step, and must not allocate either
        Trainer trainer = new Trainer(net, TrainingConfig.defaults().withBackend(backend)
                .withLearningRateSchedule(LearningRateSchedule.COSINE));
        int[] order = new int[data.size()];
        Arrays.setAll(order, i -> i);
        // a partial batch (40) must not reallocate either
        Runnable steps = () -> {
            for (int i = 0; i < 100; i++) {
                trainer.step(data, order, (i % 10) * 64, i % 7 == 0 ? 40 : 64);
            }
        };
        for (int i = 0; i < 3; i++) {
            steps.run(); // warm up: let the JIT compile the loop
        }
        Allocations.Measured measured = Allocations.measure(50, steps, Thread.currentThread());
        assertTrue(measured.clean(), measured.describe("at least 50, for at least 20 s, of 100 steps"));
    }

    @Test
    void stepsFollowTheScheduleOverAllEpochs() {
        // 8 samples in batches of 4 for 2 epochs: T = 4 steps, cosine rates lr · (1, 0.8535534, 0.5, 0.1464466)
        Samples data = randomSamples(8, 5, 3, 2);
        TrainingConfig constant = new TrainingConfig(2, 4, 0.1f, OptimizerKind.SGD, 0f, 1, 1, "ejml");
        Network scheduled = Network.mlp(5, new int[] {4}, 3, 1);
        Network byHand = Network.mlp(5, new int[] {4}, 3, 1);
        Trainer trainer = new Trainer(scheduled, constant.withLearningRateSchedule(LearningRateSchedule.COSINE));
        float[] rates = {0.1f, 0.08535534f, 0.05f, 0.01464466f};

        for (int t = 0; t < 4; t++) {
            int from = (t % 2) * 4;
            trainer.step(data, null, from, 4);
            // SGD keeps no state, so a fresh trainer per step at the hand-worked rate is one step of the same run
            new Trainer(byHand, constant.withLearningRate(rates[t])).step(data, null, from, 4);
            for (int l = 0; l < 2; l++) {
                assertArrayEquals(((DenseLayer) byHand.layer(l)).weights().data, ((DenseLayer) scheduled.layer(l)).weights().data, 1e-7f,
                        "layer " + l + " after step " + t);
                assertArrayEquals(((DenseLayer) byHand.layer(l)).bias().data, ((DenseLayer) scheduled.layer(l)).bias().data, 1e-7f);
            }
        }
    }

    @Test
    void reportsEveryBatchAndEpochToTheListener() {
        Samples data = randomSamples(100, 5, 3, 1);
        List<String> events = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onBatch(int epoch, int batch, int batchesPerEpoch, double loss, double runningAccuracy) {
                events.add(epoch + ":" + batch + "/" + batchesPerEpoch);
            }

            @Override
            public void onEpoch(EpochReport report) {
                events.add("epoch " + report.epoch());
            }
        };
        TrainingResult result = Trainer.train(Network.mlp(5, new int[] {4}, 3, 1), data,
                TrainingConfig.defaults().withEpochs(2).withBatchSize(40), listener);

        assertEquals(List.of("1:1/3", "1:2/3", "1:3/3", "epoch 1", "2:1/3", "2:2/3", "2:3/3", "epoch 2"), events);
        assertEquals(2, result.epochs().size());
        assertTrue(result.samplesPerSecond() > 0);
        assertTrue(Backends.NAMES.contains(result.backend()));
    }

    /** The last update overflows after a finite loss: the run must not end with an infinite weight. */
    @Test
    void stopsWhenAParameterBecomesInfinite() {
        Samples data = new ArraySamples(new float[] {100f, -100f}, new int[] {0}, 2, 2);
        Network net = Network.mlp(2, new int[0], 2, 1);
        TrainingConfig config = TrainingConfig.defaults().withEpochs(1).withOptimizer(OptimizerKind.SGD)
                .withLearningRate(3e38f);
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> Trainer.train(net, data, config, TrainingListener.NONE));
        assertTrue(e.getMessage().startsWith("parameter W of layer 0 (dense2:identity) became infinite by the end of "
                + "epoch 1"), e.getMessage());
    }

    @Test
    void stopsWhenTheLossBecomesNaN() {
        float[] inputs = new float[40];
        inputs[33] = Float.NaN; // sample 16: the first batch of 20 holds it
        Samples data = new ArraySamples(inputs, new int[20], 2, 2);
        Network net = Network.mlp(2, new int[] {3}, 2, 1);
        TrainingConfig config = TrainingConfig.defaults().withBatchSize(20);

        ArithmeticException e = assertThrows(ArithmeticException.class, () -> Trainer.train(net, data, config, null));
        assertTrue(e.getMessage().startsWith("loss became NaN at epoch 1, batch 1"), e.getMessage());
    }

    @Test
    void refusesDataThatDoesNotFitTheNetwork() {
        Network net = Network.mlp(3, new int[] {4}, 2, 1);
        TrainingConfig config = TrainingConfig.defaults();

        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> Trainer.train(net, new ArraySamples(new float[4], new int[2], 2, 2), config, null));
        assertEquals("input shape mismatch: the network takes samples of 3 values, the data has 2 values", width.getMessage());

        IllegalArgumentException classes = assertThrows(IllegalArgumentException.class,
                () -> Trainer.train(net, new ArraySamples(new float[3], new int[] {4}, 3, 5), config, null));
        assertTrue(classes.getMessage().contains("2 outputs but the data has 5 classes"), classes.getMessage());

        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> new ArraySamples(new float[6], new int[] {0, 1, 2}, 2, 2));
        assertEquals("label 2 of sample 2 is out of range: expected 0 to 1", labels.getMessage());

        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> new ArraySamples(new float[5], new int[] {0, 1, 1}, 2, 2));
        assertEquals("expected 6 inputs for 3 labels of width 2, got 5", count.getMessage());
    }

    @Test
    void theDefaultsTrainOnEveryCore() {
        assertEquals(Runtime.getRuntime().availableProcessors(), TrainingConfig.defaults().threads());
    }

    @Test
    void refusesHyperParametersOutOfRange() {
        TrainingConfig d = TrainingConfig.defaults();
        assertEquals("learning rate must be a finite number > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> d.withLearningRate(0f)).getMessage());
        assertEquals("learning rate must be a finite number > 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> d.withLearningRate(Float.NaN)).getMessage());
        assertEquals("batch size must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> d.withBatchSize(0)).getMessage());
        assertEquals("epochs must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> d.withEpochs(0)).getMessage());
        assertEquals("weight decay must be a finite number >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> d.withWeightDecay(-1f)).getMessage());
        assertEquals("threads must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> d.withThreads(0)).getMessage());
        // core's names, then the providers on the class path (this module's tests register one)
        String names = String.join(", ", Backends.names());
        assertEquals("backend must be one of " + names + ", got gpu",
                assertThrows(IllegalArgumentException.class, () -> d.withBackend("gpu")).getMessage());
        assertEquals("unknown optimizer 'rmsprop': use sgd, momentum or adam",
                assertThrows(IllegalArgumentException.class, () -> OptimizerKind.parse("rmsprop")).getMessage());
        assertEquals(OptimizerKind.MOMENTUM, OptimizerKind.parse("Momentum"));
        assertEquals("unknown backend 'gpu': use " + names,
                assertThrows(IllegalArgumentException.class, () -> Backends.create("gpu", 1)).getMessage());
    }

    @Test
    void copyIsIndependentOfTheOriginal() {
        Network net = Network.mlp(2, new int[] {8}, 2, 3);
        Network copy = net.copy();
        Trainer.train(net, XOR, TrainingConfig.defaults().withEpochs(5).withBatchSize(4), null);
        assertFalse(Arrays.equals(((DenseLayer) net.layer(0)).weights().data, ((DenseLayer) copy.layer(0)).weights().data));
        assertArrayEquals(((DenseLayer) Network.mlp(2, new int[] {8}, 2, 3).layer(0)).weights().data, ((DenseLayer) copy.layer(0)).weights().data);
        assertEquals("2-8-2 relu softmax_cross_entropy", copy.toString());
        assertEquals(2, copy.layerCount());
    }

    /** Inputs uniform in [0, 1); the label is the index of the largest of the first {@code classes} inputs. */
    static Samples randomSamples(int n, int width, int classes, long seed) {
        Random random = new Random(seed);
        byte[] inputs = new byte[n * width];
        random.nextBytes(inputs);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < classes; j++) {
                if ((inputs[i * width + j] & 0xFF) > (inputs[i * width + best] & 0xFF)) {
                    best = j;
                }
            }
            labels[i] = (byte) best;
        }
        return new ByteSamples(inputs, labels, width, classes);
    }

    /** Two interleaved spirals of {@code perClass} points each, 1.5 turns, in [-1, 1]². */
    static Samples twoSpirals(int perClass) {
        float[] inputs = new float[4 * perClass];
        int[] labels = new int[2 * perClass];
        for (int i = 0; i < perClass; i++) {
            double t = (double) i / perClass;
            double angle = 3 * Math.PI * t;
            double r = 0.1 + 0.9 * t;
            for (int c = 0; c < 2; c++) {
                int s = 2 * i + c;
                double sign = c == 0 ? 1 : -1;
                inputs[2 * s] = (float) (sign * r * Math.cos(angle));
                inputs[2 * s + 1] = (float) (sign * r * Math.sin(angle));
                labels[s] = c;
            }
        }
        return new ArraySamples(inputs, labels, 2, 2);
    }
}
