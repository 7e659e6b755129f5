package dev.badnets.cli.sweep;

import dev.badnets.cli.Check;
import dev.badnets.cli.Errors;
import dev.badnets.cli.Models;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.UserException;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.DefenseOptions;
import dev.badnets.cli.options.NetworkOptions;
import dev.badnets.cli.options.PoisonOptions;
import dev.badnets.cli.options.TargetOptions;
import dev.badnets.cli.options.TriggerOptions;

import dev.badnets.attack.BackdoorExperiment;
import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.DefenseOutcome;
import dev.badnets.attack.ExperimentListener;
import dev.badnets.attack.ExperimentResult;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Trigger;
import dev.badnets.attack.defense.ModelDefense;
import dev.badnets.core.Shape;
import dev.badnets.core.TrainingConfig;
import dev.badnets.cli.sweep.SweepGrid.Axis;
import dev.badnets.mnist.Idx;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.MnistLayout;
import dev.badnets.mnist.OutputLock;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code badnets sweep}: one model per point of a grid (the product of the axis flags), as a
 * long-form CSV and a chart. The CSV is rewritten whole after each point, so a rerun with the same
 * {@code --out} skips every point already in it (by the point's configuration) and a kill loses
 * only the points in flight.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = SweepMergeCommand.class,
        description = {"Train one model per point of a grid, everything else as in demo, and chart attack "
                + "success rate and clean accuracy against the first numeric axis.",
                "Axes (comma lists; the grid is their product, the first axis varying slowest): --poison-counts "
                        + "or --poison-rates, --trigger-sizes, --triggers, --targets, --models, --epochs, --seeds, "
                        + "--defend. Writes OUT/sweep.csv (one row per point, rewritten after each) and "
                        + "OUT/sweep.png. Rerun the same command to finish an interrupted sweep: points already "
                        + "in the CSV are skipped.",
                "`sweep merge DIR... --out DIR` joins the CSVs of --shard runs."})
public final class SweepCommand implements Callable<Integer> {

    /** The poison counts when neither --poison-counts nor --poison-rates is given. */
    static final String DEFAULT_COUNTS = "0,10,25,50,100,200,400,600";

    @Spec
    CommandSpec spec;

    @Option(names = "--poison-counts", split = ",", paramLabel = "N",
            description = "Numbers of poisoned training images (default: " + DEFAULT_COUNTS + ").")
    int[] counts;

    @Option(names = "--poison-rates", split = ",", paramLabel = "R",
            description = "Shares of the training set to poison, in [0, 1], instead of --poison-counts.")
    double[] rates;

    @Option(names = "--trigger-sizes", split = ",", paramLabel = "S", description = "Trigger sizes (instead of --trigger-size).")
    int[] triggerSizes;

    @Option(names = "--triggers", split = ",", paramLabel = "KIND", description = "Trigger kinds (instead of --trigger).")
    List<String> triggers;

    @Option(names = "--targets", split = ",", paramLabel = "T", description = "Target classes (instead of --target).")
    int[] targets;

    @Option(names = "--models", split = ",", paramLabel = "M", description = "Models: mlp, cnn, seed-cnn (instead of --model).")
    List<String> models;

    @Option(names = "--seeds", split = ",", paramLabel = "N",
            description = "Seeds (instead of --seed); the chart shows their mean and range.")
    long[] seeds;

    @Option(names = "--defend", split = ",", paramLabel = "METHOD",
            description = "Defenses, as in demo, or none: each point plays the defender with one of them.")
    List<String> defend;

    @Option(names = "--expected-rate", paramLabel = "R",
            description = "For --defend: the share the defender suspects, in (0, 0.5) (default: the share poisoned).")
    Double expectedRate;

    @Option(names = "--shard", paramLabel = "K/N",
            description = "Run only the K-th of N parts of the grid (points K, K+N, K+2N, ...); merge the parts' "
                    + "CSVs with `sweep merge`.")
    String shard;

    @Option(names = "--parallel", paramLabel = "N",
            description = "Points trained at once (default: cores / --threads).")
    Integer parallel;

    @Option(names = "--dry-run", description = "Check every point against the data, list the points and their "
            + "number, then stop.")
    boolean dryRun;

    @Option(names = "--discard-other-rows", description = "Drop the rows of OUT/sweep.csv that are no point of "
            + "this grid (without it, such rows are refused, exit 2, so that a changed flag never loses finished "
            + "rows).")
    boolean discardOtherRows;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "badnets-out",
            description = "Folder for sweep.csv and sweep.png (default: ${DEFAULT-VALUE}).")
    String out;

    @Mixin
    DataOptions data;

    @Mixin
    TargetOptions target;

    @Option(names = "--source-classes", split = ",", paramLabel = "C",
            description = "Poison only images of these classes (default: every class).")
    int[] sourceClasses;

    @Mixin
    TriggerOptions triggerOptions;

    @Mixin
    NetworkOptions network;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads per model (default: 1; models then train in parallel, one per core).")
    Integer threadsPerPoint;

    @Option(names = "--backend", paramLabel = "auto|ejml|simd", defaultValue = "auto",
            description = "Matrix backend (default: ${DEFAULT-VALUE}).")
    String backend;

    /** One point with every setting resolved: what to train, and the key that names its configuration. */
    private record Run(SweepGrid.Point point, PoisonPlan plan, TriggerOptions trigger, NetworkOptions network,
                       TrainingConfig config, String defend, String settings) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        SweepGrid grid = grid();
        SweepGrid.Shard part = shard == null ? SweepGrid.Shard.ALL : SweepGrid.Shard.parse(shard);
        int perPoint = threadsPerPoint == null ? 1 : threadsPerPoint;
        Check.inRange("--threads", perPoint, 1, dev.badnets.core.backend.Backends.MAX_THREADS);
        if (parallel != null) {
            Check.atLeast("--parallel", parallel, 1);
        }
        if (expectedRate != null) {
            DefenseOptions.checkRate("--expected-rate", expectedRate);
        }
        BackendOptions run = new BackendOptions();
        run.threads = perPoint;
        run.backend = backend;
        run.create();
        List<Run> all = new ArrayList<>();
        for (int n = 1; n <= grid.size(); n++) {
            all.add(resolve(grid.point(n), run));
        }
        List<Run> mine = all.stream().filter(r -> part.holds(r.point())).toList();
        // every point checked against the data before the CSV is touched or anything trained (--dry-run too)
        Path folder = data.folder();
        MnistLayout layout = DataOptions.inspect(folder);
        Checked checked = check(all, layout);
        stdout.printf(Locale.ROOT, "sweep: %d points (%s)%s%n", grid.size(), describe(grid),
                part.count() == 1 ? "" : ", shard " + part + ": " + mine.size() + " of them");
        if (dryRun) {
            mine.forEach(r -> stdout.printf(Locale.ROOT, "  %d  %s%n", r.point().number(), r.point().describe()));
            stdout.flush();
            return 0;
        }

        OutputFiles paths = new OutputFiles().data("--data", folder);
        mine.stream().map(r -> r.trigger().pictureFile()).filter(p -> p != null).distinct()
                .forEach(p -> paths.input("--triggers", p));
        Path outDir = paths.folder("--out", out).check().path("--out");
        // the data by its shape, not its path: shards on machines that keep MNIST elsewhere still match
        String dataKey = "data=" + layout.trainCount() + "+" + layout.testCount() + "x" + layout.rows() + "x"
                + layout.cols();
        Map<Integer, String> keys = new HashMap<>();
        List<String> everyKey = new ArrayList<>();
        for (Run r : all) {
            String key = hash(dataKey + ";" + r.settings());
            keys.put(r.point().number(), key);
            everyKey.add(key);
        }
        String gridKey = gridHash(everyKey);
        boolean defended = mine.stream().anyMatch(r -> !r.defend().equals(DefenseOptions.NONE));
        List<String> header = SweepCsv.header(grid.axes().keySet(), defended);
        Path csv = outDir.resolve(SweepCsv.FILE);
        Path png = outDir.resolve(SweepMergeCommand.PNG);

        try (OutputLock folderLock = OutputFiles.lock(outDir, "--out")) {
            Files.createDirectories(outDir);
            try (OutputLock csvLock = OutputFiles.lock(csv, "--out");
                 OutputLock pngLock = OutputFiles.lock(png, "--out")) {
                // rows of earlier runs whose configuration is a point of this grid are kept
                Map<String, Map<String, String>> earlier = new LinkedHashMap<>();
                if (Files.exists(csv)) {
                    SweepCsv.read(csv).rows().forEach(row -> earlier.put(row.get(SweepCsv.CONFIG), row));
                }
                TreeMap<Integer, Map<String, String>> rows = new TreeMap<>();
                List<Run> todo = new ArrayList<>();
                for (Run r : all) {
                    Map<String, String> old = earlier.remove(keys.get(r.point().number()));
                    if (old == null) {
                        if (part.holds(r.point())) {
                            todo.add(r);
                        }
                    } else {
                        Map<String, String> row = axisCells(r.point());
                        for (String c : header) {
                            if (!row.containsKey(c) && !SweepCsv.BOOKKEEPING.contains(c)) {
                                row.put(c, old.getOrDefault(c, ""));
                            }
                        }
                        rows.put(r.point().number(), bookkeeping(row, r, grid, keys, gridKey));
                    }
                }
                if (!earlier.isEmpty() && !discardOtherRows) {
                    Map<String, String> first = earlier.values().iterator().next();
                    throw new UserException(csv + " holds " + earlier.size() + " finished "
                            + (earlier.size() == 1 ? "row" : "rows") + " that are no point of this sweep (the first: "
                            + describe(first) + "), which rewriting it would lose", "rerun with the flags that wrote "
                            + "them to resume, choose another --out, or pass --discard-other-rows to drop them");
                }
                if (!rows.isEmpty() || !earlier.isEmpty()) {
                    stdout.printf(Locale.ROOT, "skipped %d points already in %s%s%n", rows.size(), csv,
                            earlier.isEmpty() ? "" : "; discarded " + earlier.size()
                                    + " rows whose configuration is no point of this sweep (--discard-other-rows)");
                }
                SweepCsv.write(csv, header, rows.values()); // the header first, and no row of another configuration
                if (!todo.isEmpty()) {
                    train(stdout, todo, layout, checked, perPoint, grid, keys, gridKey, header, csv, rows);
                }
                SweepChart.write(SweepChart.chart(header, new ArrayList<>(rows.values())), png);
            }
        }
        stdout.println("wrote " + csv + " and " + png);
        stdout.flush();
        return 0;
    }

    /** The triggers and networks of a grid, built once each while checking it. */
    private record Checked(Map<String, Trigger> triggers, Map<String, String> networks) {}

    /**
     * Checks every point of the grid against the data before anything is written or trained: each
     * target is a class of the data, each poisoning plan finds its images among the training labels,
     * each trigger fits the images, each network builds for them. Reads the training labels only
     * (one byte an image). Exit 2 naming the first point that fails, and why.
     */
    private Checked check(List<Run> runs, MnistLayout layout) throws java.io.IOException {
        byte[] labels = Idx.read(layout.trainLabels()).bytes();
        int largest = 0;
        for (byte b : labels) {
            largest = Math.max(largest, b & 0xFF);
        }
        int classes = largest + 1; // as MnistData counts them
        for (int t : targets == null ? new int[] {target.target} : targets) {
            Check.inRange(targets == null ? "--target" : "--targets", t, 0, classes - 1);
        }
        target.mode();
        Shape image = Shape.image(layout.rows(), layout.cols());
        Map<String, Trigger> triggers = new HashMap<>();
        Map<String, String> networks = new LinkedHashMap<>();
        java.util.Set<String> plans = new java.util.HashSet<>();
        for (Run r : runs) {
            try {
                if (plans.add(r.plan().toString())) {
                    r.plan().select(labels, classes);
                }
                triggers.computeIfAbsent(r.trigger().key(), k -> r.trigger().trigger(layout.rows(), layout.cols()));
                networks.computeIfAbsent(r.network().layerSpec(),
                        k -> r.network().layers(r.network().build(image, classes)));
            } catch (IllegalArgumentException e) {
                String message = Errors.flatten(e.getMessage());
                int split = message.indexOf("; ");
                throw new UserException("point " + r.point().number() + " (" + r.point().describe() + "): "
                        + (split < 0 ? message : message.substring(0, split)),
                        split < 0 ? "change that value of its axis" : message.substring(split + 2));
            }
        }
        return new Checked(triggers, networks);
    }

    /** A row's axis values, as {@link SweepGrid.Point#describe} shows them. */
    private static String describe(Map<String, String> row) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, String> e : row.entrySet()) {
            if (Axis.ofColumn(e.getKey()) != null) {
                s.append(s.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(e.getValue());
            }
        }
        return s.length() == 0 ? "config " + row.get(SweepCsv.CONFIG) : s.toString();
    }

    /** Trains the points of {@code todo}, several at a time, adding each one's row to the CSV as it ends. */
    private void train(PrintWriter stdout, List<Run> todo, MnistLayout layout, Checked checked, int perPoint,
                       SweepGrid grid, Map<Integer, String> keys, String gridKey, List<String> header, Path csv,
                       TreeMap<Integer, Map<String, String>> rows) throws Exception {
        MnistData mnist = DataOptions.load(layout);
        Map<String, Trigger> triggersByKey = checked.triggers();
        List<String> networks = todo.stream().map(r -> checked.networks().get(r.network().layerSpec())).distinct()
                .toList();
        int cores = Runtime.getRuntime().availableProcessors();
        int workers = Math.max(1, Math.min(todo.size(), parallel != null ? parallel : cores / perPoint));
        stdout.printf(Locale.ROOT, "training %d models (%s; %d %s each), %d at a time%n", todo.size(),
                String.join(", ", networks), perPoint, perPoint == 1 ? "thread" : "threads", workers);
        stdout.flush();
        Errors.doing("training " + todo.size() + " networks");

        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Run r : todo) {
                futures.add(pool.submit(() -> {
                    BackdoorExperiment experiment = DefenseOptions.defend(BackdoorExperiment.of(mnist.train(),
                            mnist.test(), mnist.classes(), r.plan(), triggersByKey.get(r.trigger().key()),
                            r.network()::build, r.config()), r.defend(), expectedRate, r.config());
                    ExperimentResult result = experiment.run(ExperimentListener.NONE);
                    Map<String, String> row = bookkeeping(cells(r.point(), result, header), r, grid, keys, gridKey);
                    synchronized (rows) {
                        rows.put(r.point().number(), row);
                        SweepCsv.write(csv, header, rows.values());
                        stdout.printf(Locale.ROOT, "  %d/%d %s: clean accuracy %.2f%%, attack success rate %.2f%%%s "
                                + "(%.1f s)%n", r.point().number(), grid.size(), r.point().describe(),
                                100 * result.backdoor().cleanAccuracy(), 100 * result.backdoor().attackSuccessRate(),
                                result.defended() ? String.format(Locale.ROOT, "; after %s %.2f%% and %.2f%%",
                                        r.defend(), 100 * result.defense().backdoor().cleanAccuracy(),
                                        100 * result.defense().backdoor().attackSuccessRate()) : "",
                                result.seconds());
                        stdout.flush();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The grid the axis flags describe; exit 2 for an empty axis, a repeated value or clashing flags. */
    SweepGrid grid() {
        Map<Axis, List<String>> axes = new EnumMap<>(Axis.class);
        if (counts != null && rates != null) {
            throw new UserException("--poison-counts and --poison-rates both given", "pass one of them");
        }
        if (rates != null) {
            axes.put(Axis.POISON_RATE, Arrays.stream(rates).mapToObj(Double::toString).toList());
        } else {
            int[] given = counts != null ? counts : Arrays.stream(DEFAULT_COUNTS.split(",")).mapToInt(Integer::parseInt)
                    .toArray();
            axes.put(Axis.POISON_COUNT, Arrays.stream(given).mapToObj(Integer::toString).toList());
        }
        if (triggerSizes != null) {
            axes.put(Axis.TRIGGER_SIZE, notBoth("--trigger-size", Arrays.stream(triggerSizes)
                    .mapToObj(Integer::toString).toList()));
        }
        if (triggers != null) {
            axes.put(Axis.TRIGGER, notBoth("--trigger", triggers.stream().map(String::trim).toList()));
        }
        if (targets != null) {
            axes.put(Axis.TARGET, notBoth("--target", Arrays.stream(targets).mapToObj(Integer::toString).toList()));
        }
        if (models != null) {
            for (String m : models) {
                if (!NetworkOptions.MODELS.contains(m.trim().toLowerCase(Locale.ROOT))) {
                    throw new UserException("unknown model '" + m + "' in --models",
                            "list models of " + String.join(", ", NetworkOptions.MODELS));
                }
            }
            axes.put(Axis.MODEL, notBoth("--layers", notBoth("--model", models.stream()
                    .map(m -> m.trim().toLowerCase(Locale.ROOT)).toList())));
        }
        // one --epochs value is the plain training flag, as in demo; a list is an axis
        if (network.epochs != null && network.epochs.length > 1) {
            axes.put(Axis.EPOCHS, Arrays.stream(network.epochs).mapToObj(Integer::toString).toList());
        }
        if (seeds != null) {
            axes.put(Axis.SEED, notBoth("--seed", Arrays.stream(seeds).mapToObj(Long::toString).toList()));
        }
        if (defend != null) {
            axes.put(Axis.DEFEND, defend.stream().map(DefenseOptions::method).toList());
        }
        return new SweepGrid(axes);
    }

    /** {@code values}, unless the single flag {@code single} was given too (exit 2). */
    private List<String> notBoth(String single, List<String> values) {
        if (spec.commandLine().getParseResult().hasMatchedOption(single)) {
            String plural = single.equals("--layers") ? "--models" : single + "s";
            throw new UserException(single + " and " + plural + " both given", "pass only " + plural
                    + " to vary it, or only " + single + " to fix it");
        }
        return values;
    }

    /** Every setting of {@code point}, checked (exit 2 for a bad value), and its configuration as text. */
    private Run resolve(SweepGrid.Point point, BackendOptions run) {
        String e = point.get(Axis.EPOCHS);
        String s = point.get(Axis.SEED);
        NetworkOptions net = network.with(point.get(Axis.MODEL), e == null ? null : Integer.valueOf(e),
                s == null ? network.seed : Long.parseLong(s));
        TrainingConfig config = net.config(run);
        String t = point.get(Axis.TARGET);
        TargetOptions to = t == null ? target : target.with(Integer.parseInt(t));
        PoisonOptions poison = new PoisonOptions();
        poison.sourceClasses = sourceClasses;
        String count = point.get(Axis.POISON_COUNT);
        String rate = point.get(Axis.POISON_RATE);
        PoisonPlan plan = poison.plan(to, config.seed(), count == null ? null : Integer.valueOf(count),
                rate == null ? null : Double.valueOf(rate), "--poison-counts", "--poison-rates");
        String size = point.get(Axis.TRIGGER_SIZE);
        String kind = point.get(Axis.TRIGGER);
        TriggerOptions trigger = triggerOptions.with(kind == null ? triggerOptions.kind : kind,
                size == null ? triggerOptions.size : Integer.parseInt(size));
        trigger.trigger(); // checks the kind and values; the fit to the images is checked once they are known
        String method = point.get(Axis.DEFEND) == null ? DefenseOptions.NONE : point.get(Axis.DEFEND);
        String settings = (count != null ? "poison_count=" + count : "poison_rate=" + rate) + ";mode="
                + to.mode().cliName() + ";target=" + to.target + ";source_classes="
                + Arrays.toString(plan.sourceClasses()) + ";" + trigger.key() + ";layers=" + net.layerSpec()
                + ";epochs=" + config.epochs() + ";batch=" + config.batchSize() + ";lr=" + config.learningRate()
                + ";lr_schedule=" + config.learningRateSchedule().cliName() + ";optimizer=" + config.optimizer()
                + ";seed=" + config.seed() + ";threads=" + config.threads() + ";backend=" + config.backend()
                + ";defend=" + method + (method.equals(DefenseOptions.NONE) ? "" : ";expected_rate=" + expectedRate);
        return new Run(point, plan, trigger, net, config, method, settings);
    }

    /** {@code poison_count 2 x trigger_size 2 x seed 2}. */
    private static String describe(SweepGrid grid) {
        return grid.axes().entrySet().stream().map(e -> e.getKey().column + " " + e.getValue().size())
                .collect(Collectors.joining(" x "));
    }

    private static Map<String, String> axisCells(SweepGrid.Point point) {
        Map<String, String> row = new LinkedHashMap<>();
        point.values().forEach((axis, value) -> row.put(axis.column, value));
        return row;
    }

    /** The row of a finished point: its axis values, figures and seconds. */
    private static Map<String, String> cells(SweepGrid.Point point, ExperimentResult result, List<String> header) {
        Map<String, String> row = axisCells(point);
        BackdoorReport r = result.backdoor();
        row.put("clean_accuracy", figure(r.cleanAccuracy()));
        row.put("attack_success_rate", figure(r.attackSuccessRate()));
        row.put("attack_success_rate_all_images", figure(r.attackSuccessRateAllImages()));
        if (header.contains(SweepCsv.DEFENSE.get(0))) {
            DefenseOutcome d = result.defense();
            row.put("clean_accuracy_after", d == null ? "" : figure(d.backdoor().cleanAccuracy()));
            row.put("attack_success_rate_after", d == null ? "" : figure(d.backdoor().attackSuccessRate()));
            // a model-level defense flags no training images: it has no recall
            row.put("recall", d == null || d.metrics() == null ? "" : figure(d.metrics().recall()));
            // only a run-time detector (strip) catches triggered inputs
            ModelDefense.Figures f = d == null ? null : d.figures();
            row.put("detection_rate", f == null ? "" : figure(f.detectionRate()));
            row.put("false_rejection_rate", f == null ? "" : figure(f.falseRejectionRate()));
        }
        row.put(SweepCsv.SECONDS, String.format(Locale.ROOT, "%.3f", result.seconds()));
        return row;
    }

    private static Map<String, String> bookkeeping(Map<String, String> row, Run r, SweepGrid grid,
                                                   Map<Integer, String> keys, String gridKey) {
        row.put(SweepCsv.POINT, Integer.toString(r.point().number()));
        row.put(SweepCsv.GRID_POINTS, Integer.toString(grid.size()));
        row.put(SweepCsv.CONFIG, keys.get(r.point().number()));
        row.put(SweepCsv.GRID, gridKey);
        return row;
    }

    /** {@link #figure(double)} of a figure the defense may not produce; empty when it does not. */
    private static String figure(OptionalDouble value) {
        return value.isPresent() ? figure(value.getAsDouble()) : "";
    }

    private static String figure(double value) {
        return String.format(Locale.ROOT, "%.6f", value);
    }

    /** The {@code grid} key: the hash of every point's {@code config}, in grid order. */
    static String gridHash(List<String> configs) {
        StringBuilder every = new StringBuilder();
        configs.forEach(c -> every.append(c).append('\n'));
        return hash(every.toString());
    }

    /** The first 16 hex digits of the SHA-256 of {@code text}: a key no two configurations share by chance. */
    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
