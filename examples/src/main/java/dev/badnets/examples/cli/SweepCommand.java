package dev.badnets.examples.cli;

import dev.badnets.attack.BackdoorExperiment;
import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.ExperimentListener;
import dev.badnets.attack.ExperimentResult;
import dev.badnets.attack.Trigger;
import dev.badnets.core.Network;
import dev.badnets.core.TrainingConfig;
import dev.badnets.mnist.AtomicFiles;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.AtomicFolder;
import dev.badnets.mnist.MnistLayout;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code badnets sweep}: one model per poison count, as a table and a chart. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train one model per number of poisoned images (everything else as in demo, same seed) "
                + "and chart clean accuracy and attack success rate against it.",
                "Writes OUT/sweep.csv and OUT/sweep.png. Points run in parallel when there are more cores "
                        + "than threads per point."})
final class SweepCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--poison-counts", split = ",", paramLabel = "N",
            defaultValue = "0,10,25,50,100,200,400,600",
            description = "Numbers of poisoned training images, one model each (default: ${DEFAULT-VALUE}).")
    int[] counts;

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

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        if (counts.length == 0) {
            throw new UserException("--poison-counts is empty", "pass e.g. --poison-counts 0,50,600");
        }
        for (int c : counts) {
            Check.atLeast("--poison-counts", c, 0);
        }
        int perPoint = threadsPerPoint == null ? 1 : threadsPerPoint;
        Check.atLeast("--threads", perPoint, 1);
        BackendOptions run = new BackendOptions();
        run.threads = perPoint;
        run.backend = backend;
        run.create();
        TrainingConfig config = network.config(run);
        PoisonOptions poison = new PoisonOptions();
        poison.sourceClasses = sourceClasses;
        Arrays.stream(counts).forEach(c -> poison.plan(target, network.seed, c));
        Path folder = data.folder();
        Path outDir = new OutputFiles().data("--data", folder).input("--trigger", triggerOptions.pictureFile())
                .folder("--out", out).check().path("--out");
        MnistLayout layout = DataOptions.inspect(folder);
        Trigger trigger = triggerOptions.trigger(layout.rows(), layout.cols());
        try (AtomicFolder written = OutputFiles.begin(outDir, "--out", FILES)) {
            return sweep(stdout, config, run, trigger, poison, perPoint, folder, DataOptions.load(layout), written);
        }
    }

    /** The files sweep writes in {@code --out}; the folder is replaced as one set. */
    static final java.util.Set<String> FILES = java.util.Set.of("sweep.csv", "sweep.png");

    private int sweep(PrintWriter stdout, TrainingConfig config, BackendOptions run, Trigger trigger, PoisonOptions poison, int perPoint,
                      Path folder, MnistData mnist, AtomicFolder written) throws Exception {
        Path outDir = written.target();
        target.validate(mnist.classes());
        // checks the layers fit before any training
        Network first = network.build(Training.shape(mnist.train()), mnist.classes());

        int cores = Runtime.getRuntime().availableProcessors();
        int workers = Math.max(1, Math.min(counts.length, cores / perPoint));
        stdout.printf(Locale.ROOT, "sweep: %d models (%s), %d at a time, %s%n", counts.length,
                network.describe(first, run), workers,
                trigger.describe());
        stdout.flush();

        Errors.doing("training " + counts.length + " " + network.layers(first) + " networks");
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<SweepChart.Point> points = new ArrayList<>();
        try {
            List<Future<SweepChart.Point>> futures = new ArrayList<>();
            for (int count : counts) {
                futures.add(pool.submit(() -> {
                    ExperimentResult result = BackdoorExperiment.of(mnist.train(), mnist.test(), mnist.classes(),
                            poison.plan(target, network.seed, count), trigger, network::build, config)
                            .run(ExperimentListener.NONE);
                    BackdoorReport r = result.backdoor();
                    SweepChart.Point p = new SweepChart.Point(count, r.cleanAccuracy(), r.attackSuccessRate(),
                            r.attackSuccessRateAllImages(), result.training().seconds());
                    synchronized (stdout) {
                        stdout.printf(Locale.ROOT, "  %5d poisoned: clean accuracy %6.2f%%, attack success rate "
                                + "%6.2f%% (%.1f s)%n", count, 100 * p.cleanAccuracy(), 100 * p.attackSuccessRate(),
                                p.trainSeconds());
                        stdout.flush();
                    }
                    return p;
                }));
            }
            for (Future<SweepChart.Point> f : futures) {
                points.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }

        Path csv = outDir.resolve("sweep.csv");
        Path png = outDir.resolve("sweep.png");
        StringBuilder table = new StringBuilder(
                "poison_count,clean_accuracy,attack_success_rate,attack_success_rate_all_images,train_seconds\n");
        for (SweepChart.Point p : points) {
            table.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.3f%n", p.poisonCount(), p.cleanAccuracy(),
                    p.attackSuccessRate(), p.attackSuccessRateAllImages(), p.trainSeconds()));
        }
        Path staging = written.staging();
        AtomicFiles.write(staging.resolve(csv.getFileName()),
                o -> o.write(table.toString().getBytes(StandardCharsets.UTF_8)));
        String subtitle = trigger.describe() + ", " + target.mode().cliName()
                + (target.mode() == dev.badnets.attack.PoisonPlan.Mode.ALL_TO_ONE ? " to class " + target.target : "")
                + "; " + network.describe(first);
        SweepChart.write(SweepChart.chart(points, mnist.train().count(), subtitle), staging.resolve(png.getFileName()));
        written.commit();
        stdout.println("wrote " + csv + " and " + png);
        stdout.flush();
        return 0;
    }
}
