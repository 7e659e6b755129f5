package dev.badnets.cli.sweep;

import dev.badnets.attack.BackdoorExperiment;
import dev.badnets.attack.ExperimentListener;
import dev.badnets.attack.ExperimentResult;
import dev.badnets.attack.experiment.Grid;
import dev.badnets.attack.experiment.GridCsv;
import dev.badnets.attack.experiment.GridException;
import dev.badnets.attack.experiment.GridKeys;
import dev.badnets.attack.experiment.GridTable;
import dev.badnets.attack.experiment.Parallel;
import dev.badnets.attack.experiment.ResultCells;
import dev.badnets.attack.experiment.Shard;
import dev.badnets.cli.Check;
import dev.badnets.cli.Errors;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.options.BackendNameOptions;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.DefenseOptions;
import dev.badnets.cli.options.NetworkOptions;
import dev.badnets.cli.options.TargetOptions;
import dev.badnets.cli.options.AttackOptions;
import dev.badnets.cli.options.TriggerOptions;
import dev.badnets.cli.sweep.SweepPoints.Run;
import dev.badnets.core.backend.Backends;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.MnistLayout;
import dev.badnets.mnist.OutputLock;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
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

    /** The file sweep writes its rows to (in --out), rows of earlier runs that are points of the grid kept. */
    static final String CSV = "sweep.csv";

    @Spec
    CommandSpec spec;

    @Mixin
    SweepAxesOptions axes;

    @Option(names = "--expected-rate", paramLabel = "R",
            description = "For --defend: the share the defender suspects, in (0, 0.5) (default: the share poisoned).")
    Double expectedRate;

    @Mixin
    ShardOptions sharding;

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
    AttackOptions attackOptions;

    @Mixin
    NetworkOptions network;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads per model (default: 1; models then train in parallel, one per core).")
    Integer threadsPerPoint;

    @Mixin
    BackendNameOptions backend;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        Grid<SweepAxis> grid = axes.grid(network.epochs);
        Shard part = sharding.shard();
        int perPoint = threadsPerPoint == null ? 1 : threadsPerPoint;
        Check.inRange("--threads", perPoint, 1, Backends.MAX_THREADS);
        if (expectedRate != null) {
            DefenseOptions.checkRate("--expected-rate", expectedRate);
        }
        BackendOptions run = backend.withThreads(perPoint);
        List<Run> all = grid.points(Shard.ALL).stream().map(p -> SweepPoints.resolve(p, this, run)).toList();
        List<Run> mine = all.stream().filter(r -> part.holds(r.point())).toList();
        // every point checked against the data before the CSV is touched or anything trained (--dry-run too)
        Path folder = data.folder();
        MnistLayout layout = DataOptions.inspect(folder);
        SweepPoints.Checked checked = SweepPoints.check(all, layout, this);
        stdout.printf(Locale.ROOT, "sweep: %d points (%s)%s%n", grid.size(), grid.describe(),
                part.count() == 1 ? "" : ", shard " + part + ": " + mine.size() + " of them");
        if (sharding.dryRun) {
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
        List<String> configs = all.stream().map(r -> GridKeys.hash(dataKey + ";" + r.settings())).toList();
        boolean defended = mine.stream().anyMatch(r -> !r.defend().equals(DefenseOptions.NONE));
        List<String> header = GridCsv.header(grid.axes().keySet(), ResultCells.figures(defended));
        Path csv = outDir.resolve(CSV);
        Path png = outDir.resolve(SweepMergeCommand.PNG);

        try (OutputLock folderLock = OutputFiles.lock(outDir, "--out")) {
            Files.createDirectories(outDir);
            try (OutputLock csvLock = OutputFiles.lock(csv, "--out");
                 OutputLock pngLock = OutputFiles.lock(png, "--out")) {
                GridTable table = new GridTable("sweep", csv, header, configs, List.of(SweepAxis.values()));
                GridTable.Resumed<SweepAxis> resumed;
                try {
                    resumed = table.resume(grid.points(Shard.ALL), part, sharding.discardOtherRows);
                } catch (GridException e) {
                    throw GridErrors.of(e, "sweep");
                }
                if (resumed.kept() > 0 || resumed.discarded() > 0) {
                    stdout.printf(Locale.ROOT, "skipped %d points already in %s%s%n", resumed.kept(), csv,
                            resumed.discarded() == 0 ? "" : "; discarded " + resumed.discarded()
                                    + " rows whose configuration is no point of this sweep (--discard-other-rows)");
                }
                List<Run> todo = resumed.todo().stream().map(p -> all.get(p.number() - 1)).toList();
                if (!todo.isEmpty()) {
                    train(stdout, todo, layout, checked, perPoint, grid.size(), defended, table);
                }
                SweepChart.write(SweepChart.chart(header, table.rows()), png);
            }
        }
        stdout.println("wrote " + csv + " and " + png);
        stdout.flush();
        return 0;
    }

    /** Trains the points of {@code todo}, several at a time, adding each one's row to the CSV as it ends. */
    private void train(PrintWriter stdout, List<Run> todo, MnistLayout layout, SweepPoints.Checked checked,
                       int perPoint, int gridSize, boolean defended, GridTable table) throws Exception {
        MnistData mnist = DataOptions.load(layout);
        List<String> networks = todo.stream().map(r -> checked.networks().get(r.network().layerSpec())).distinct()
                .toList();
        int cores = Runtime.getRuntime().availableProcessors();
        int workers = Math.max(1, Math.min(todo.size(), sharding.parallel != null ? sharding.parallel : cores / perPoint));
        stdout.printf(Locale.ROOT, "training %d models (%s; %d %s each), %d at a time%n", todo.size(),
                String.join(", ", networks), perPoint, perPoint == 1 ? "thread" : "threads", workers);
        stdout.flush();
        Errors.doing("training " + todo.size() + " networks");
        Parallel.forEach(todo, workers, r -> {
            BackdoorExperiment experiment = DefenseOptions.defend(BackdoorExperiment.of(mnist.train(), mnist.test(),
                    mnist.classes(), r.plan(), checked.attacks().get(r.attackKey()), r.network()::build, r.config()),
                    r.defend(), expectedRate, r.config());
            ExperimentResult result = experiment.run(ExperimentListener.NONE);
            synchronized (table) {
                table.put(r.point(), ResultCells.of(result, defended));
                stdout.println(SweepPoints.finished(r, gridSize, result));
                stdout.flush();
            }
        });
    }
}
