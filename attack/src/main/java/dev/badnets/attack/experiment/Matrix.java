package dev.badnets.attack.experiment;

import dev.badnets.attack.BackdoorExperiment.NetworkFactory;
import dev.badnets.attack.BackdoorMetrics;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.PoisonedSet;
import dev.badnets.attack.Poisoning;
import dev.badnets.attack.Trigger;
import dev.badnets.attack.ImageSamples;
import dev.badnets.core.ModelCodec;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.backend.Backends;
import dev.badnets.mnist.AtomicFiles;
import dev.badnets.mnist.LabeledImages;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The attack x defense matrix, BackdoorBench's table: for every attack and seed one model is
 * poisoned and trained; the undefended model is one cell ({@code none}) and every defense applied to
 * it is another. Each cell is measured on the test set ({@link CellMetrics}) and rated against the
 * undefended model of its attack and seed (DER).
 *
 * <p><b>Cells, shards, resuming.</b> The cells are numbered from 1 in the order attack, seed,
 * defense ({@code none} first); shard K of N runs the cells whose number is K modulo N. Each finished
 * cell is written at once to its own file in {@code work} ({@link MatrixCsv}, whole or not at all),
 * and each trained model too; a rerun into the same folder skips the finished cells and loads the
 * models it trained. A cell's row depends on its attack, defense and seed and on the experiment's
 * configuration only (its {@code config} hash), never on which shard or run computed it, so the rows
 * of all shards are the rows of the unsharded matrix (the {@code seconds} aside). A shard that runs
 * a defense without the undefended cell of its attack and seed trains the same model again (same
 * seed: the same weights) to rate against it.
 *
 * <p><b>Failed cells.</b> A cell whose defense cannot be computed (it throws: non-finite outputs,
 * a loss that became NaN, data it cannot work with) or whose figures come out non-finite is
 * recorded as failed, with a one-line reason and no figures ({@link MatrixCsv.Row#failed()}), and the
 * other cells go on: it is never a pass and never a number that was not measured. When the model of
 * an attack and seed cannot be trained or measured, its {@code none} cell fails and so does every
 * defense of it (there is nothing to defend or rate against). A failed cell is stored like a
 * finished one (so shards merge), but a rerun into the same folder computes it again: a failure may
 * come from the defense's code or the machine, both of which can change between runs, while a
 * finished cell's figures depend only on its configuration. Only a failure to write the results
 * (and a JVM error such as running out of memory) stops the run.
 *
 * <p><b>The model is shared.</b> Every defense of an attack and seed is handed the same trained
 * network, side by side, and must not change it (each works on a copy); one that hands that very
 * network back is measured by the undefended cell's figures instead of a second pass over the test set.
 *
 * <p><b>Parallel.</b> Independent work runs side by side on {@code parallel} threads: first the
 * models, then the defense cells; each task gets {@code parallel / tasks} backend threads (at
 * least 1). Thread counts change the speed, never the figures.
 *
 * @param attacks   the attacks, in table order
 * @param defenses  the defenses' names, in table order (without {@code none}, which is always there)
 * @param seeds     the seeds; each seeds the poisoning, the network's initial weights and the shuffle
 * @param train     the clean training set
 * @param test      the clean test set
 * @param classes   number of classes
 * @param network   builds the network of a seed
 * @param training  how to train (its seed is replaced by the cell's)
 * @param factory   makes a defense by name for a number of threads
 * @param config    everything else that decides the figures, in words (data, model, poisoning); hashed
 *                  into each row so that a rerun with other settings never reuses a row
 */
public record Matrix(List<MatrixAttack> attacks, List<String> defenses, List<Long> seeds, LabeledImages train,
                     LabeledImages test, int classes, SeededNetwork network, TrainingConfig training,
                     DefenseFactory factory, String config) {

    /** The defense name of the undefended cells. */
    public static final String NONE = "none";

    /** Networks by seed. */
    @FunctionalInterface
    public interface SeededNetwork {
        NetworkFactory of(long seed);
    }

    /** Defenses by name. */
    @FunctionalInterface
    public interface DefenseFactory {
        /**
         * @param name    one of the matrix's defenses
         * @param seed    the cell's seed
         * @param threads backend threads the defense may use
         */
        MatrixDefense create(String name, long seed, int threads);
    }

    /** Told of the progress; called from the worker threads. */
    public interface Listener {
        Listener NONE = new Listener() { };

        default void onTrained(MatrixAttack attack, long seed, double seconds) {
        }

        default void onCell(MatrixCsv.Row row) {
        }
    }

    /** One cell: its number in table order (from 1), attack, defense and seed. */
    public record Cell(int number, MatrixAttack attack, String defense, long seed) {
    }

    public Matrix {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(config, "config");
        attacks = List.copyOf(attacks);
        defenses = List.copyOf(defenses);
        seeds = List.copyOf(seeds);
        if (attacks.isEmpty() || seeds.isEmpty()) {
            throw new IllegalArgumentException("a matrix needs at least one attack and one seed");
        }
        if (defenses.contains(NONE)) {
            throw new IllegalArgumentException("'none' is always a row of the matrix; leave it out of the defenses");
        }
        if (attacks.stream().map(MatrixAttack::name).distinct().count() != attacks.size()
                || defenses.stream().distinct().count() != defenses.size()
                || seeds.stream().distinct().count() != seeds.size()) {
            throw new IllegalArgumentException("attacks, defenses and seeds must each be listed once");
        }
    }

    /** Every cell, in table order. */
    public List<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        for (MatrixAttack attack : attacks) {
            for (long seed : seeds) {
                cells.add(new Cell(cells.size() + 1, attack, NONE, seed));
                for (String defense : defenses) {
                    cells.add(new Cell(cells.size() + 1, attack, defense, seed));
                }
            }
        }
        return cells;
    }

    /** The cells of {@code shard}: those whose number is its index modulo its count. */
    public List<Cell> shard(Shard shard) {
        return cells().stream().filter(c -> shard.holds(c.number())).toList();
    }

    /** A hash of the configuration of the whole matrix, shared by its shards: the {@code matrix} column. */
    public String matrixHash() {
        StringBuilder all = new StringBuilder(config);
        for (Cell cell : cells()) {
            all.append('|').append(cellConfig(cell));
        }
        return GridKeys.hash(all.toString());
    }

    /** Everything that decides a cell's figures, in words. */
    String cellConfig(Cell cell) {
        return config + ";attack=" + cell.attack().name() + ";plan=" + cell.attack().plan() + ";trigger="
                + cell.attack().trigger().describe() + ";defense=" + (cell.defense().equals(NONE) ? NONE
                : factory.create(cell.defense(), cell.seed(), 1).describe()) + ";seed=" + cell.seed()
                + ";epochs=" + training.epochs() + ";batch=" + training.batchSize() + ";lr=" + training.learningRate()
                + ";schedule=" + training.learningRateSchedule() + ";optimizer=" + training.optimizer()
                + ";decay=" + training.weightDecay() + ";backend=" + training.backend();
    }

    /**
     * Runs {@code cells} that {@code work} does not hold yet and returns the rows of all of
     * {@code cells} in table order (those found and those computed).
     *
     * @param work     the folder of per-cell results and trained models (created if missing)
     * @param parallel how many tasks run at once, >= 1
     * @throws IOException if a result cannot be written or read
     */
    public List<MatrixCsv.Row> run(List<Cell> cells, Path work, int parallel, Listener listener) throws IOException {
        if (parallel < 1) {
            throw new IllegalArgumentException("parallel must be >= 1, got " + parallel);
        }
        Listener events = listener == null ? Listener.NONE : listener;
        String matrix = matrixHash();
        int total = cells().size();
        Map<Cell, MatrixCsv.Row> done = new LinkedHashMap<>();
        List<Cell> todo = new ArrayList<>();
        for (Cell cell : cells) {
            MatrixCsv.Row row = MatrixCsv.readCell(cellFile(work, cell));
            if (row != null && !row.failed() && row.config().equals(GridKeys.hash(cellConfig(cell)))) {
                // the figures hold; its place may differ when the run before listed other attacks, defenses or seeds
                done.put(cell, row.placed(cell.number(), total, matrix));
            } else {
                todo.add(cell);
            }
        }
        // 1. the models of the attacks and seeds still to do, side by side
        Map<String, Trained> models = new LinkedHashMap<>();
        List<Cell> firsts = new ArrayList<>();
        for (Cell c : todo) {
            if (firsts.stream().noneMatch(f -> key(f).equals(key(c)))) {
                firsts.add(c);
            }
        }
        List<Trained> trained = runAll(firsts, parallel, (c, threads) -> model(c, work, threads, events));
        for (int i = 0; i < firsts.size(); i++) {
            models.put(key(firsts.get(i)), trained.get(i));
        }
        // 2. the cells, side by side
        List<MatrixCsv.Row> rows = runAll(todo, parallel, (c, threads) -> {
            MatrixCsv.Row row = cell(c, models.get(key(c)), threads, total, matrix);
            MatrixCsv.writeCell(cellFile(work, c), row);
            events.onCell(row);
            return row;
        });
        for (int i = 0; i < todo.size(); i++) {
            done.put(todo.get(i), rows.get(i));
        }
        return cells.stream().map(done::get).toList();
    }

    /**
     * A trained model of one attack and seed, its poisoned set, its undefended figures and its training
     * time; or, when it could not be trained or measured, why ({@code failure} not null, the rest null).
     */
    private record Trained(Network network, PoisonedSet poisoned, LabeledImages triggered, CellMetrics metrics,
                           double seconds, String failure) {
    }

    private static String key(Cell c) {
        return c.attack().name() + "@" + c.seed();
    }

    private TrainingConfig training(long seed, int threads) {
        return training.withSeed(seed).withThreads(threads);
    }

    private PoisonPlan plan(Cell c) {
        return c.attack().plan().withSeed(c.seed());
    }

    /** Poisons and trains the model of {@code c}'s attack and seed, or loads it from {@code work}. */
    private Trained model(Cell c, Path work, int threads, Listener events) {
        Trigger trigger = c.attack().trigger();
        PoisonedSet poisoned = Poisoning.apply(train, classes, plan(c), trigger);
        Path file = work.resolve("models").resolve(c.attack().name() + "-seed" + c.seed() + "-"
                + GridKeys.hash(cellConfig(new Cell(0, c.attack(), NONE, c.seed()))) + ".bin");
        long start = System.nanoTime();
        Network net;
        try {
            if (Files.isRegularFile(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    net = ModelCodec.read(in);
                }
            } else {
                net = network.of(c.seed()).build(Shape.image(train.rows(), train.cols()), classes, c.seed());
                try {
                    Trainer.train(net, ImageSamples.of(poisoned.images(), classes), training(c.seed(), threads), null);
                } catch (RuntimeException e) {
                    return failedModel(c, "training failed: " + why(e), start, events);
                }
                Network done = net;
                AtomicFiles.write(file, out -> ModelCodec.write(done, out));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        events.onTrained(c.attack(), c.seed(), seconds);
        PoisonPlan plan = plan(c);
        LabeledImages triggered = Poisoning.attacked(test, trigger, plan.mode(), plan.target(), classes);
        CellMetrics metrics;
        try {
            metrics = finite(measure(net, c, threads));
        } catch (RuntimeException e) {
            return new Trained(null, null, null, null, seconds, "measuring failed: " + why(e));
        }
        return new Trained(net, poisoned, triggered, metrics, seconds, null);
    }

    private static Trained failedModel(Cell c, String failure, long start, Listener events) {
        double seconds = (System.nanoTime() - start) / 1e9;
        events.onTrained(c.attack(), c.seed(), seconds);
        return new Trained(null, null, null, null, seconds, failure);
    }

    /** {@code m}, refused when a figure is not finite: it would be a number nobody measured. */
    private static CellMetrics finite(CellMetrics m) {
        if (!Double.isFinite(m.cleanAccuracy()) || !Double.isFinite(m.attackSuccessRate())
                || !Double.isFinite(m.robustAccuracy())) {
            throw new ArithmeticException("the figures came out non-finite (" + m + ")");
        }
        return m;
    }

    /** A failure in words: the exception's message, or its kind when it has none. */
    private static String why(RuntimeException e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    private CellMetrics measure(Network net, Cell c, int threads) {
        PoisonPlan plan = plan(c);
        return CellMetrics.of(BackdoorMetrics.measure(net, test, c.attack().trigger(), plan.mode(), plan.target(),
                Backends.create(training.backend(), threads)), test);
    }

    /**
     * Defends the trained model with {@code c}'s defense (none: as it is) and measures; a defense or a
     * measurement that fails, or figures that come out non-finite, make a failed row.
     */
    private MatrixCsv.Row cell(Cell c, Trained model, int threads, int total, String matrix) {
        String config = GridKeys.hash(cellConfig(c));
        if (model.failure() != null) {
            String why = c.defense().equals(NONE) ? model.failure() : "no undefended model (" + model.failure() + ")";
            return MatrixCsv.Row.failed(c.attack().name(), c.defense(), c.seed(), why,
                    c.defense().equals(NONE) ? model.seconds() : 0, c.number(), total, config, matrix);
        }
        if (c.defense().equals(NONE)) {
            return new MatrixCsv.Row(c.attack().name(), NONE, c.seed(), model.metrics(),
                    CellMetrics.der(model.metrics(), model.metrics()), model.seconds(), c.number(), total, config, matrix);
        }
        long start = System.nanoTime();
        CellMetrics after;
        String stage = "the defense failed: ";
        try {
            MatrixDefense defense = factory.create(c.defense(), c.seed(), threads);
            MatrixDefense.Defended d = defense.defend(model.network(), new MatrixDefense.Context(train,
                    model.poisoned(), test, model.triggered(), classes, network.of(c.seed()),
                    training(c.seed(), threads)));
            stage = "measuring the defended model failed: ";
            // a defense that hands the model back as it was (STRIP, a scan that flags nothing) has its figures already
            CellMetrics measured = d.network() == model.network() ? model.metrics() : measure(d.network(), c, threads);
            // a run-time filter: a rejected triggered input is an attack that failed, a rejected clean one a miss
            after = finite(new CellMetrics(measured.cleanAccuracy() * (1 - d.rejectedClean()),
                    measured.attackSuccessRate() * (1 - d.rejectedTriggered()),
                    measured.robustAccuracy() * (1 - d.rejectedTriggered())));
        } catch (RuntimeException e) {
            if (e instanceof UncheckedIOException) {
                throw e;
            }
            return MatrixCsv.Row.failed(c.attack().name(), c.defense(), c.seed(), stage + why(e),
                    (System.nanoTime() - start) / 1e9, c.number(), total, config, matrix);
        }
        return new MatrixCsv.Row(c.attack().name(), c.defense(), c.seed(), after, CellMetrics.der(model.metrics(), after),
                (System.nanoTime() - start) / 1e9, c.number(), total, config, matrix);
    }

    private static Path cellFile(Path work, Cell c) {
        return work.resolve("cells").resolve(c.attack().name() + "-" + c.defense() + "-seed" + c.seed() + ".csv");
    }

    @FunctionalInterface
    private interface Task<R> {
        R run(Cell cell, int threads) throws Exception;
    }

    /**
     * Runs {@code task} on every cell, {@code parallel} at a time ({@link Parallel}), each with
     * {@code parallel / cells} backend threads (at least 1); the results in the cells' order.
     */
    private static <R> List<R> runAll(List<Cell> cells, int parallel, Task<R> task) throws IOException {
        if (cells.isEmpty()) {
            return List.of();
        }
        int threads = Math.max(1, parallel / cells.size());
        Map<Cell, R> results = new java.util.concurrent.ConcurrentHashMap<>();
        try {
            Parallel.forEach(cells, Math.min(parallel, cells.size()), c -> results.put(c, task.run(c, threads)));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the matrix ran", e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return cells.stream().map(results::get).toList();
    }
}
