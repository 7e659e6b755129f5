package dev.badnets.attack.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.BackdoorExperiment.NetworkFactory;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Triggers;
import dev.badnets.attack.defense.FineTuning;
import dev.badnets.attack.defense.FinePruning;
import dev.badnets.core.LearningRateSchedule;
import dev.badnets.core.OptimizerKind;
import dev.badnets.core.TrainingConfig;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.testing.RealMnist;
import dev.badnets.mnist.testing.RequiresMnist;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The matrix on subsampled MNIST (3,000 training and 500 test images, a small CNN, one epoch;
 * skipped without the data): a killed run resumes without retraining or recomputing what it
 * finished, the shards' rows merge to the unsharded run's rows (all but the seconds), and a defense
 * that hands back a NaN model fails its cells without stopping the others.
 */
@RequiresMnist
class MatrixTest {

    private static final String LAYERS = "conv4x3,pool2,dense16";
    private static final TrainingConfig TRAINING = new TrainingConfig(1, 64, 0.002f, LearningRateSchedule.COSINE,
            OptimizerKind.ADAM, 0f, 1L, 1, "auto");

    private static LabeledImages train;
    private static LabeledImages test;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        if (!RealMnist.isPresent()) {
            return;
        }
        MnistData mnist = RealMnist.load();
        train = mnist.train().slice(0, 3_000);
        test = mnist.test().slice(0, 500);
    }

    /** Two attacks x (none, fine-tuning, fine-pruning) x two seeds; counts trainings and defenses made. */
    private static Matrix matrix(AtomicInteger trainings, AtomicInteger defenses, String killAt) {
        return matrix(trainings, defenses, killAt, null);
    }

    /**
     * @param killAt the defense whose cells stop the run (a failure to write results does)
     * @param nanAt  the defense whose cells hand back the model with a NaN output weight
     */
    private static Matrix matrix(AtomicInteger trainings, AtomicInteger defenses, String killAt, String nanAt) {
        PoisonPlan plan = PoisonPlan.ofCount(60);
        List<MatrixAttack> attacks = List.of(new MatrixAttack("badnets", plan, Triggers.defaultTrigger()),
                new MatrixAttack("blended", plan, Triggers.parse("blend", 2, 255, "top-left", 0.2)));
        FineTuning.Settings tuning = new FineTuning.Settings(0.1, FineTuning.Settings.defaults().training()
                .withEpochs(1).withThreads(1));
        return new Matrix(attacks, List.of("fine-tuning", "fine-pruning"), List.of(1L, 2L), train, test, 10,
                seed -> {
                    NetworkFactory f = NetworkFactory.architecture(LAYERS);
                    return (shape, classes, initSeed) -> {
                        trainings.incrementAndGet();
                        return f.build(shape, classes, initSeed);
                    };
                }, TRAINING,
                (name, seed, threads) -> {
                    MatrixDefense real = MatrixDefense.of(name.equals("fine-tuning") ? new FineTuning(tuning)
                            : new FinePruning(new FinePruning.Settings(0.1, tuning)));
                    return new MatrixDefense() {
                        @Override
                        public String name() {
                            return real.name();
                        }

                        @Override
                        public String describe() {
                            return real.describe();
                        }

                        @Override
                        public Defended defend(dev.badnets.core.Network backdoored, Context context) {
                            defenses.incrementAndGet();
                            if (name.equals(killAt)) {
                                throw new java.io.UncheckedIOException(new java.io.IOException("killed"));
                            }
                            if (name.equals(nanAt)) {
                                dev.badnets.core.Network broken = backdoored.copy();
                                var output = (dev.badnets.core.DenseLayer) broken.layer(broken.layerCount() - 1);
                                output.weights().data[0] = Float.NaN;
                                return new Defended(broken, 0, 0);
                            }
                            return real.defend(backdoored, context);
                        }
                    };
                }, "test");
    }

    private static List<MatrixCsv.Row> timeless(List<MatrixCsv.Row> rows) {
        return rows.stream().map(MatrixCsv.Row::withoutSeconds).toList();
    }

    @Test
    void aKilledRunResumesWithoutRetrainingOrRecomputingFinishedCells() throws Exception {
        AtomicInteger trainings = new AtomicInteger(), defenses = new AtomicInteger();
        Matrix killed = matrix(trainings, defenses, "fine-pruning");
        // one worker: cells run in order, so every fine-tuning cell of the first model finishes before the kill
        assertThrows(java.io.IOException.class, () -> killed.run(killed.cells(), dir, 1, null));
        int trainedBefore = trainings.get();
        assertEquals(4, trainedBefore, "every model is trained before the cells run");

        AtomicInteger retrainings = new AtomicInteger(), redone = new AtomicInteger();
        Matrix resumed = matrix(retrainings, redone, null);
        List<MatrixCsv.Row> rows = resumed.run(resumed.cells(), dir, 1, null);
        assertEquals(0, retrainings.get(), "the trained models are loaded, not trained again");
        assertTrue(redone.get() < 8, "finished cells are not computed again: " + redone.get() + " defenses made");
        assertEquals(12, rows.size());

        AtomicInteger fresh = new AtomicInteger();
        Matrix once = matrix(fresh, new AtomicInteger(), null);
        List<MatrixCsv.Row> unbroken = once.run(once.cells(), dir.resolve("unbroken"), 2, null);
        assertEquals(timeless(unbroken), timeless(rows), "a resumed run gives the rows of an unbroken one");
    }

    @Test
    void aDefenseThatMakesANanModelFailsItsCellsAndTheOthersGoOn() throws Exception {
        AtomicInteger trainings = new AtomicInteger(), defenses = new AtomicInteger();
        Matrix broken = matrix(trainings, defenses, null, "fine-pruning");
        List<MatrixCsv.Row> rows = broken.run(broken.cells(), dir, 2, null);
        assertEquals(12, rows.size(), "every cell has its row");
        for (MatrixCsv.Row row : rows) {
            boolean nan = row.defense().equals("fine-pruning");
            assertEquals(nan, row.failed(), row.toString());
            if (nan) {
                assertTrue(row.metrics() == null && Double.isNaN(row.der()), "a failed cell has no figures: " + row);
                assertTrue(row.failure().startsWith("measuring the defended model failed: ")
                        && row.failure().contains("NaN"), row.failure());
                assertFalse(row.failure().contains(","), "the reason fits a CSV cell: " + row.failure());
            }
        }
        // the CSV and the table say so, and never show a figure for it
        Path csv = dir.resolve(MatrixCsv.FILE);
        MatrixCsv.write(csv, rows);
        assertEquals(rows, MatrixCsv.read(csv), "a failed row reads back as written");
        String failedLine = java.nio.file.Files.readAllLines(csv).stream().filter(l -> l.contains(",fine-pruning,"))
                .findFirst().orElseThrow();
        assertTrue(failedLine.startsWith("badnets,fine-pruning,1,,,,,"), failedLine);
        String md = MatrixTable.markdown(rows);
        assertTrue(md.contains("| fine-pruning | failed | failed | failed | failed | failed | failed | failed | failed |"),
                md);
        assertTrue(md.contains("- blended, fine-pruning, seed 2: measuring the defended model failed: "), md);

        // a rerun retries the failed cells only; healed, they are measured
        AtomicInteger retrainings = new AtomicInteger(), redone = new AtomicInteger();
        Matrix healed = matrix(retrainings, redone, null, null);
        List<MatrixCsv.Row> resumed = healed.run(healed.cells(), dir, 2, null);
        assertEquals(0, retrainings.get(), "the models are loaded");
        assertEquals(4, redone.get(), "the four failed cells are computed again, the finished ones not");
        assertTrue(resumed.stream().noneMatch(MatrixCsv.Row::failed));
        for (int i = 0; i < rows.size(); i++) {
            if (!rows.get(i).failed()) {
                assertEquals(rows.get(i), resumed.get(i), "a finished cell is read back as it was");
            }
        }
    }

    @Test
    void aModelThatCannotBeTrainedFailsEveryCellOfItsAttackAndSeed() throws Exception {
        PoisonPlan plan = PoisonPlan.ofCount(60);
        Matrix nan = new Matrix(List.of(new MatrixAttack("badnets", plan, Triggers.defaultTrigger())),
                List.of("fine-tuning"), List.of(1L), train, test, 10,
                seed -> (shape, classes, initSeed) -> {
                    dev.badnets.core.Network net = NetworkFactory.architecture(LAYERS).build(shape, classes, initSeed);
                    var output = (dev.badnets.core.DenseLayer) net.layer(net.layerCount() - 1);
                    output.bias().data[0] = Float.NaN; // the loss is NaN from the first batch
                    return net;
                }, TRAINING, (name, seed, threads) -> new MatrixDefense() {
                    @Override
                    public String name() {
                        return name;
                    }

                    @Override
                    public Defended defend(dev.badnets.core.Network backdoored, Context context) {
                        throw new AssertionError("no defense runs without a model");
                    }
                }, "test");
        List<MatrixCsv.Row> rows = nan.run(nan.cells(), dir, 1, null);
        assertTrue(rows.get(0).failure().startsWith("training failed: "), rows.get(0).failure());
        assertTrue(rows.get(1).failure().startsWith("no undefended model (training failed: "), rows.get(1).failure());
    }

    @Test
    void shardsMergeToTheUnshardedTable() throws Exception {
        Matrix m = matrix(new AtomicInteger(), new AtomicInteger(), null);
        List<MatrixCsv.Row> whole = m.run(m.cells(), dir.resolve("whole"), 2, null);
        MatrixCsv.write(dir.resolve("whole.csv"), whole);
        List<List<MatrixCsv.Row>> parts = new java.util.ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            Path part = dir.resolve("part" + k);
            MatrixCsv.write(part.resolve(MatrixCsv.FILE), m.run(m.shard(new Shard(k, 3)), part, 1, null));
            parts.add(MatrixCsv.read(part.resolve(MatrixCsv.FILE)));
        }
        assertEquals(timeless(MatrixCsv.read(dir.resolve("whole.csv"))), timeless(MatrixCsv.merge(parts)));
        assertThrows(IllegalArgumentException.class, () -> MatrixCsv.merge(parts.subList(0, 2)),
                "a missing shard is refused");
    }
}
