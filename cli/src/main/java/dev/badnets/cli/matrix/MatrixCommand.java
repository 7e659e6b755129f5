package dev.badnets.cli.matrix;

import dev.badnets.cli.Check;
import dev.badnets.cli.sweep.ShardOptions;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.RunFailure;
import dev.badnets.cli.UserException;
import dev.badnets.cli.options.BackendNameOptions;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.DefenseOptions;
import dev.badnets.cli.options.NetworkOptions;
import dev.badnets.cli.options.PoisonOptions;
import dev.badnets.cli.options.TargetOptions;
import dev.badnets.cli.options.TriggerOptions;
import dev.badnets.attack.BackdoorExperiment.NetworkFactory;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.defense.Abl;
import dev.badnets.attack.defense.Detectors;
import dev.badnets.attack.defense.Repairs;
import dev.badnets.attack.experiment.Matrix;
import dev.badnets.attack.experiment.MatrixAttack;
import dev.badnets.attack.experiment.MatrixCsv;
import dev.badnets.attack.experiment.MatrixDefense;
import dev.badnets.attack.experiment.MatrixTable;
import dev.badnets.attack.experiment.Shard;
import dev.badnets.core.TrainingConfig;
import dev.badnets.mnist.AtomicFiles;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.MnistLayout;
import dev.badnets.mnist.OutputLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code badnets matrix}: the attack x defense table ({@link Matrix}). Parses the flags, builds the
 * attacks and the defenses by name, runs the library, writes {@code matrix.csv}, {@code matrix.md}
 * and {@code matrix.png}. Every finished cell is kept in {@code OUT/cells} and every trained model
 * in {@code OUT/models}, so rerunning the same command after a kill resumes.
 */
@Command(name = "matrix", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = MatrixMergeCommand.class,
        description = {"The attack x defense matrix: for every attack and seed, one model poisoned and trained "
                + "(everything else as in demo), then every defense applied to it; each cell measured (clean "
                + "accuracy, attack success rate, robust accuracy, DER, seconds).",
                "Writes OUT/matrix.csv (a row per attack, defense, seed), OUT/matrix.md (mean +- sd over seeds) "
                        + "and OUT/matrix.png. Rerun the same command to resume: finished cells and trained models "
                        + "are kept in OUT/cells and OUT/models.",
                "A cell whose defense cannot be computed (it fails, or its model's outputs are NaN) is recorded as "
                        + "failed, with its reason and no figures, and the other cells go on; a rerun retries it. "
                        + "Exit status 1 when a cell failed, after writing everything.",
                "`matrix merge DIR... --out DIR` joins the CSVs of --shard runs."})
public final class MatrixCommand implements Callable<Integer> {

    /** Anti-backdoor learning, a defense of the training: the matrix has it, demo --defend not yet. */
    static final String ABL = "abl";
    /** The attacks the matrix knows. */
    static final List<String> ATTACKS = List.of("badnets", "blended");
    /** Every defense, in table order: repairs, the model scan, the run-time filter, the training-set detectors. */
    static final List<String> DEFENSES;

    static {
        List<String> all = new ArrayList<>(Repairs.NAMES);
        all.add(ABL);
        all.add(DefenseOptions.NEURAL_CLEANSE);
        all.add(DefenseOptions.STRIP);
        all.addAll(Detectors.NAMES);
        DEFENSES = List.copyOf(all);
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--attacks", split = ",", paramLabel = "A",
            description = "Attacks: badnets (the patch trigger of --trigger), blended (--trigger blend) "
                    + "(default: all of them).")
    List<String> attacks;

    @Option(names = "--defenses", split = ",", paramLabel = "D",
            description = "Defenses, as --defend names them (default: every one). The undefended model, none, "
                    + "is always a row.")
    List<String> defenses;

    @Option(names = "--seeds", split = ",", paramLabel = "N", description = "Seeds (default: 1).")
    List<Long> seeds;

    @Option(names = "--expected-rate", paramLabel = "R",
            description = "For the training-set detectors: the share the defender suspects, in (0, 0.5) "
                    + "(default: the share poisoned).")
    Double expectedRate;

    @Option(names = "--shard", paramLabel = "K/N",
            description = "Run only the K-th of N parts of the cells (cells K, K+N, ...); merge the parts' CSVs "
                    + "with `matrix merge`.")
    String shard;

    @Option(names = "--parallel", paramLabel = "N",
            description = "Tasks run at once (default: every core); each gets cores / tasks threads.")
    Integer parallel;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "badnets-out",
            description = "Folder for matrix.csv, matrix.md, matrix.png, cells/ and models/ (default: ${DEFAULT-VALUE}).")
    String out;

    @Mixin
    DataOptions data;

    @Mixin
    TargetOptions target;

    @Mixin
    PoisonOptions poison;

    @Mixin
    TriggerOptions trigger;

    @Mixin
    NetworkOptions network;

    @Mixin
    BackendNameOptions backend;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        int cores = Runtime.getRuntime().availableProcessors();
        int workers = parallel == null ? cores : parallel;
        Check.inRange("--parallel", workers, 1, dev.badnets.core.backend.Backends.MAX_THREADS);
        Shard part = shard == null ? Shard.ALL : ShardOptions.parse(shard);
        if (expectedRate != null) {
            DefenseOptions.checkRate("--expected-rate", expectedRate);
        }
        List<String> attackNames = names(attacks, ATTACKS, "--attacks");
        List<String> defenseNames = names(defenses, DEFENSES, "--defenses");
        List<Long> seedList = seeds == null ? List.of(network.seed) : List.copyOf(seeds);
        BackendOptions run = backend.withThreads(1);
        TrainingConfig training = network.config(run);

        Path folder = data.folder();
        MnistLayout layout = DataOptions.inspect(folder);
        Path outDir = new OutputFiles().data("--data", folder).folder("--out", out).check().path("--out");
        MnistData mnist = DataOptions.load(layout);
        target.validate(mnist.classes());
        PoisonPlan plan = poison.plan(target, training.seed());
        plan.select(mnist.train().labels(), mnist.classes()); // the plan can be met: checked before anything trains
        int trainCount = mnist.train().count();
        // the share the training-set detectors suspect: --expected-rate, or the share poisoned
        double detectorRate = expectedRate != null ? expectedRate
                : Math.min(0.49, Math.max(0.001, (double) plan.countFor(trainCount) / trainCount));
        List<MatrixAttack> attackList = new ArrayList<>();
        for (String name : attackNames) {
            TriggerOptions t = name.equals("blended") ? trigger.with("blend", trigger.size) : trigger;
            attackList.add(new MatrixAttack(name, plan, t.trigger(mnist.train().rows(), mnist.train().cols())));
        }
        network.build(dev.badnets.core.Shape.image(mnist.train().rows(), mnist.train().cols()), mnist.classes());
        String config = "data=" + layout.trainCount() + "+" + layout.testCount() + "x" + layout.rows() + "x"
                + layout.cols() + ";layers=" + network.layerSpec() + ";expected_rate=" + expectedRate;
        Matrix matrix = new Matrix(attackList, defenseNames, seedList, mnist.train(), mnist.test(), mnist.classes(),
                seed -> NetworkFactory.architecture(network.layerSpec()), training,
                (name, seed, threads) -> defense(name, seed, threads, training, detectorRate), config);
        List<Matrix.Cell> cells = matrix.shard(part);
        stdout.printf(Locale.ROOT, "matrix: %d attacks x %d defenses (and none) x %d seeds = %d cells%s; %d at a time%n",
                attackList.size(), defenseNames.size(), seedList.size(), matrix.cells().size(),
                part.count() == 1 ? "" : ", shard " + part + ": " + cells.size() + " of them", workers);
        stdout.flush();

        Path csv = outDir.resolve(MatrixCsv.FILE), md = outDir.resolve(MatrixMergeCommand.MD),
                png = outDir.resolve(MatrixChart.FILE);
        List<MatrixCsv.Row> rows;
        long start = System.nanoTime();
        try (OutputLock lock = OutputFiles.lock(outDir, "--out")) {
            Files.createDirectories(outDir);
            rows = matrix.run(cells, outDir, workers, new Matrix.Listener() {
                @Override
                public void onTrained(MatrixAttack attack, long seed, double seconds) {
                    synchronized (stdout) {
                        stdout.printf(Locale.ROOT, "  model %s seed %d ready in %.1f s%n", attack.name(), seed, seconds);
                        stdout.flush();
                    }
                }

                @Override
                public void onCell(MatrixCsv.Row row) {
                    synchronized (stdout) {
                        if (row.failed()) {
                            stdout.printf(Locale.ROOT, "  %-10s %-22s seed %d: FAILED, %s  (%.1f s)%n", row.attack(),
                                    row.defense(), row.seed(), row.failure(), row.seconds());
                            stdout.flush();
                            return;
                        }
                        stdout.printf(Locale.ROOT, "  %-10s %-22s seed %d: C-Acc %.2f%%  ASR %.2f%%  R-Acc %.2f%%  DER %.3f"
                                        + "  (%.1f s)%n", row.attack(), row.defense(), row.seed(),
                                100 * row.metrics().cleanAccuracy(), 100 * row.metrics().attackSuccessRate(),
                                100 * row.metrics().robustAccuracy(), row.der(), row.seconds());
                        stdout.flush();
                    }
                }
            });
            writeAll(rows, csv, md, png);
        }
        stdout.printf(Locale.ROOT, "wrote %s, %s and %s in %.1f s%n", csv, md, png, (System.nanoTime() - start) / 1e9);
        stdout.flush();
        long failed = rows.stream().filter(MatrixCsv.Row::failed).count();
        if (failed > 0) { // written and kept, but the table is not whole: say so through the exit status too
            throw new RunFailure(failed + " of the " + rows.size() + " cells failed (their reasons are listed under the"
                    + " table in " + md + ")", "rerun the same command to retry them; the finished cells are kept", null);
        }
        return 0;
    }

    /** The three outputs of {@code rows}. */
    static void writeAll(List<MatrixCsv.Row> rows, Path csv, Path md, Path png) throws IOException {
        MatrixCsv.write(csv, rows);
        byte[] table = MatrixTable.markdown(rows).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(md, o -> o.write(table));
        MatrixChart.write(rows, png);
    }

    /**
     * The defense {@code name} for one cell: a repair, Neural Cleanse or STRIP, or a detector with
     * retraining that removes up to 1.5 x {@code detectorRate} of the training set.
     */
    private static MatrixDefense defense(String name, long seed, int threads, TrainingConfig training,
                                         double detectorRate) {
        TrainingConfig cell = training.withSeed(seed).withThreads(threads);
        if (name.equals(ABL)) {
            return MatrixDefense.antiBackdoorLearning(Abl.Settings.defaults());
        }
        if (Repairs.NAMES.contains(name)) {
            return MatrixDefense.of(Repairs.byName(name, seed, threads, training.backend()));
        }
        if (DefenseOptions.isModelDefense(name)) {
            return MatrixDefense.of(DefenseOptions.modelDefense(name, cell));
        }
        return MatrixDefense.retraining(DefenseOptions.detector(name), detectorRate);
    }

    private static List<String> names(List<String> given, List<String> known, String flag) {
        if (given == null) {
            return known;
        }
        List<String> names = new ArrayList<>();
        for (String g : given) {
            String name = g.trim().toLowerCase(Locale.ROOT);
            if (!known.contains(name)) {
                throw new UserException("unknown name '" + g + "' in " + flag, "use " + String.join(", ", known));
            }
            if (names.contains(name)) {
                throw new UserException(flag + " lists '" + name + "' twice", "list each once");
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new UserException(flag + " lists nothing", "list at least one of " + String.join(", ", known));
        }
        return names;
    }
}
