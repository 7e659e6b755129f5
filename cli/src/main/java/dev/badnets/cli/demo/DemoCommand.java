package dev.badnets.cli.demo;

import dev.badnets.cli.Errors;
import dev.badnets.cli.Json;
import dev.badnets.cli.Models;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.Progress;
import dev.badnets.cli.Report;
import dev.badnets.cli.RunFailure;
import dev.badnets.cli.UserException;
import dev.badnets.cli.data.DownloadCommand;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.DefenseOptions;
import dev.badnets.cli.options.NetworkOptions;
import dev.badnets.cli.options.PoisonOptions;
import dev.badnets.cli.options.TargetOptions;
import dev.badnets.cli.options.AttackOptions;
import dev.badnets.cli.options.TriggerOptions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.Attack;
import dev.badnets.attack.BackdoorExperiment;
import dev.badnets.attack.ExperimentResult;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.PoisonedSet;
import dev.badnets.attack.Trigger;
import dev.badnets.core.Network;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingResult;
import dev.badnets.mnist.AtomicFolder;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.MnistLayout;
import dev.badnets.mnist.OutputLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code badnets demo}: the OWASP ML02:2023 backdoor end to end. Poisons part of the training set,
 * trains, measures clean accuracy and attack success rate, and writes results.json, model.bin and
 * backdoor.png.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The BadNets backdoor (OWASP ML02:2023) end to end: poison 1%% of MNIST's training set "
                + "with a 2x2 white square relabelled to 0, train, and measure clean accuracy and attack "
                + "success rate. Downloads MNIST first when the data folder is empty and the network allows.",
                "Writes OUT/results.json, OUT/model.bin and OUT/backdoor.png."})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** {@code --out} when not given. */
    public static final String DEFAULT_OUT = "badnets-out";

    @Option(names = "--out", paramLabel = "DIR", defaultValue = DEFAULT_OUT,
            description = "Folder for results.json, model.bin and backdoor.png (default: ${DEFAULT-VALUE}).")
    String out;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results JSON here.")
    String json;

    public static final String RESULTS = "results.json";
    public static final String MODEL = "model.bin";
    public static final String PICTURE = "backdoor.png";
    /** The files demo writes in {@code --out}; the folder is replaced as one set. */
    public static final Set<String> FILES = Set.of(RESULTS, MODEL, PICTURE);

    @Mixin
    DataOptions data;

    @Option(names = "--mirror", paramLabel = "URL",
            description = "A MNIST mirror to download from when the data folder is empty (repeatable; "
                    + "default: the well-known public mirrors).")
    List<String> mirrors;

    @Mixin
    PoisonOptions poison;

    @Mixin
    TargetOptions target;

    @Mixin
    TriggerOptions triggerOptions;

    @Mixin
    AttackOptions attackOptions;

    @Mixin
    NetworkOptions network;

    @Mixin
    BackendOptions run;

    @Option(names = "--defend", paramLabel = "METHOD",
            description = "Then play the defender: find the poisoned images with METHOD (spectre, spectral or "
                    + "activation-clustering), remove them, retrain with the same seed and measure again; or "
                    + "neural-cleanse: scan the trained model with 2,000 clean training images and, when it flags "
                    + "a class, unlearn the recovered trigger on the next 20,000, then measure again; or strip: "
                    + "set STRIP's entropy threshold at 1%% false rejections on 4,000 clean training images and "
                    + "report the share of triggered test images it catches (the model is left as it is); or repair "
                    + "the model with 5%% of the clean training images: fine-tuning, fine-pruning, nad, anp or i-bau, "
                    + "then measure again.")
    String defend;

    @Option(names = "--expected-rate", paramLabel = "R",
            description = "For --defend: the share of training images the defender suspects are poisoned, in "
                    + "(0, 0.5); the method removes up to 1.5 x that share, as in Tran et al. 2018 "
                    + "(default: the share actually poisoned).")
    Double expectedRate;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        long start = System.nanoTime();
        TrainingConfig config = network.config(run);
        PoisonPlan plan = poison.plan(target, network.seed);
        attackOptions.check(triggerOptions);
        if (defend != null) {
            DefenseOptions.method(defend);
        }
        if (expectedRate != null) {
            DefenseOptions.checkRate("--expected-rate", expectedRate);
            if (defend != null && DefenseOptions.isModelDefense(defend)) {
                throw new UserException("--expected-rate is for defenses that flag training images, not "
                        + DefenseOptions.method(defend), "leave out --expected-rate");
            }
        }
        List<URI> from = DownloadCommand.mirrors(mirrors);
        Path folder = data.folder();
        OutputFiles paths = new OutputFiles().data("--data", folder).input("--trigger", triggerOptions.pictureFile())
                .folder("--out", out).file("--json", json).check();
        Path jsonFile = paths.path("--json");
        try (AtomicFolder written = OutputFiles.begin(paths.path("--out"), "--out", FILES);
             OutputLock jsonLock = OutputFiles.lock(jsonFile, "--json")) {
            run.warmUp();
            if (DataOptions.isEmpty(folder)) {
                download(folder, from, stdout);
            }
            MnistLayout layout = DataOptions.inspect(folder);
            Attack attack = attackOptions.attack(triggerOptions, layout.rows(), layout.cols());
            MnistData mnist = DataOptions.load(layout);
            target.validate(mnist.classes());
            double loadSeconds = (System.nanoTime() - start) / 1e9;

            ExperimentResult result = experiment(stdout, folder, mnist, plan, attack, config);
            Trigger trigger = result.poisoned().trigger(); // the test-time trigger (TrojanNN's is computed)

            Path outDir = written.target();
            Errors.doing("writing " + outDir);
            Models.save(result.network(), written.staging().resolve(MODEL));
            BackdoorPicture.write(BackdoorPicture.of(mnist.test(), trigger, result.backdoor(),
                    result.defended() ? result.defense().backdoor() : null, mnist.classes(),
                    attackOptions.given() && BackdoorPicture.invisible(trigger, layout.rows(), layout.cols())),
                    written.staging().resolve(PICTURE));
            printResults(stdout, result, mnist.test().count());
            ObjectNode root = json(result, folder, mnist, plan, trigger, config, outDir);
            ObjectNode timings = Json.timings(root);
            timings.put("load_seconds", loadSeconds);
            timings.put("train_seconds", result.training().seconds());
            timings.put("total_seconds", (System.nanoTime() - start) / 1e9);
            Json.write(root, written.staging().resolve(RESULTS));
            written.commit();
            if (jsonFile != null) {
                Json.write(root, jsonFile);
            }
            printFiles(stdout, outDir);
            return 0;
        }
    }

    /** Poisons, trains, measures and, with --defend, defends; prints the configuration once it is known. */
    private ExperimentResult experiment(PrintWriter stdout, Path folder, MnistData mnist, PoisonPlan plan,
                                        Attack attack, TrainingConfig config) {
        BackdoorExperiment experiment = DefenseOptions.defend(BackdoorExperiment.of(mnist.train(), mnist.test(),
                mnist.classes(), plan, attack, network::build, config), defend, expectedRate, config);
        if (attack.needsCleanModel()) {
            stdout.println("training a clean model first: the " + attack.name() + " attack optimises its poison "
                    + "against one");
            stdout.flush();
        }
        try (Progress.Experiment progress = new Progress.Experiment(config.epochs(), Progress.interactive()) {
            @Override
            public void onPoisoned(PoisonedSet poisoned, Network net) {
                printConfiguration(stdout, folder, mnist, poisoned, poisoned.trigger(), net);
            }
        }) {
            return experiment.run(progress);
        }
    }

    /** The report's first block, printed once the training set is poisoned, before training. */
    private void printConfiguration(PrintWriter stdout, Path folder, MnistData mnist, PoisonedSet poisoned,
                                    Trigger trigger, Network net) {
        LabeledImages train = mnist.train();
        stdout.println("BadNets backdoor demo (OWASP ML02:2023, data poisoning)");
        stdout.println();
        stdout.println("Configuration");
        stdout.printf(Locale.ROOT, "  data       %s: %,d training and %,d test images, %dx%d, %d classes%n",
                folder, train.count(), mnist.test().count(), train.rows(), train.cols(), mnist.classes());
        boolean cleanLabel = poisoned.attack() != null
                && Arrays.equals(poisoned.images().labels(), train.labels());
        stdout.printf(Locale.ROOT, "  poisoning  %,d training images (%.2f%%) got the trigger and %s%n",
                poisoned.poisonedCount(), 100.0 * poisoned.poisonedCount() / train.count(),
                cleanLabel ? "kept their labels (clean-label, class " + target.target + ")"
                        : target.mode() == PoisonPlan.Mode.ALL_TO_ONE ? "the label " + target.target
                        : "the label of the next class (all-to-all)");
        if (poisoned.coverIndices().length > 0) {
            stdout.printf(Locale.ROOT, "             %,d more were changed but kept their labels (cover images)%n",
                    poisoned.coverIndices().length);
        }
        if (attackOptions.given()) {
            stdout.println("  attack     " + (poisoned.attack() == null ? attackOptions.resolvedName(triggerOptions)
                    : poisoned.attack() + " " + poisoned.attackParameters()));
        }
        stdout.println("  trigger    " + trigger.describe());
        stdout.println("  network    " + network.describe(net, run));
        stdout.println();
        stdout.flush();
        Errors.doing("training a " + network.layers(net) + " network");
    }

    private static void printResults(PrintWriter stdout, ExperimentResult result, int testImages) {
        TrainingResult training = result.training();
        stdout.println("Results");
        stdout.print(Report.backdoorLines(result.backdoor(), testImages));
        stdout.printf(Locale.ROOT, "  training took %.1f s (%,.0f images/s, %s)%n", training.seconds(),
                training.samplesPerSecond(), training.backend() + ", " + training.threads() + " threads");
        stdout.println();
        if (result.defended()) {
            stdout.print(Report.defenseLines(result.defense(), testImages));
            stdout.println();
        }
    }

    private static void printFiles(PrintWriter stdout, Path outDir) {
        String results = shown(outDir.resolve(RESULTS));
        String model = shown(outDir.resolve(MODEL));
        String picture = shown(outDir.resolve(PICTURE));
        String row = "  %-" + Math.max(results.length(), Math.max(model.length(), picture.length())) + "s  %s%n";
        stdout.println("Files");
        stdout.printf(row, results, "every figure above, the configuration and timings");
        stdout.printf(row, model, "the trained model: ./badnets evaluate --model " + model + " [--trigger square]");
        stdout.printf(row, picture, "one test image per class, clean and triggered, with the model's answers");
        stdout.flush();
    }

    /**
     * results.json without the run's load and total seconds, which the caller adds under {@code timings};
     * without {@code files} when {@code outDir} is null (nothing written).
     */
    private ObjectNode json(ExperimentResult result, Path folder, MnistData mnist, PoisonPlan plan, Trigger trigger,
                            TrainingConfig config, Path outDir) {
        LabeledImages train = mnist.train();
        ObjectNode root = Json.object();
        Json.putBackdoor(root, result.backdoor());
        root.put("poisoned_count", result.poisonedCount());
        Json.putTraining(root, result.training());
        ObjectNode cfg = root.putObject("config");
        cfg.put("data", folder.toString());
        cfg.put("train_images", train.count());
        cfg.put("test_images", mnist.test().count());
        cfg.put("image_rows", train.rows());
        cfg.put("image_cols", train.cols());
        cfg.put("classes", mnist.classes());
        if (plan.rate().isPresent()) {
            cfg.put("poison_rate", plan.rate().getAsDouble());
        } else {
            cfg.put("poison_count", plan.count().getAsInt());
        }
        cfg.put("target", target.target);
        cfg.put("mode", target.mode().cliName());
        var sources = cfg.putArray("source_classes");
        Arrays.stream(plan.sourceClasses()).forEach(sources::add);
        cfg.put("trigger", trigger.describe());
        if (attackOptions.given()) {
            ObjectNode attack = root.putObject("attack");
            PoisonedSet poisoned = result.poisoned();
            attack.put("name", poisoned.attack() == null ? attackOptions.resolvedName(triggerOptions) : poisoned.attack());
            attack.set("parameters", Json.MAPPER.valueToTree(poisoned.attack() == null
                    ? java.util.Map.of("trigger", trigger.describe()) : poisoned.attackParameters()));
            if (poisoned.coverIndices().length > 0) {
                attack.put("cover_count", poisoned.coverIndices().length);
            }
        }
        network.putConfig(cfg, result.network());
        cfg.put("optimizer", config.optimizer().name().toLowerCase(Locale.ROOT));
        cfg.put("learning_rate", config.learningRate());
        cfg.put("lr_schedule", config.learningRateSchedule().cliName());
        cfg.put("batch", config.batchSize());
        cfg.put("epochs", config.epochs());
        cfg.put("seed", network.seed);
        cfg.put("threads", config.threads());
        cfg.put("backend", run.backend);
        if (result.defended()) {
            Json.putDefense(root, result.defense());
        }
        if (outDir != null) {
            ObjectNode files = root.putObject("files");
            files.put("model", outDir.resolve(MODEL).toString());
            files.put("picture", outDir.resolve(PICTURE).toString());
        }
        return root;
    }

    /** A path relative to the working directory when it lies below it, as a user would type it. */
    private static String shown(Path file) {
        Path here = Path.of("").toAbsolutePath();
        return file.startsWith(here) ? here.relativize(file).toString() : file.toString();
    }

    /**
     * Fetches MNIST into an empty data folder. A failed download is a failure at run time (exit 1),
     * as in {@code download}; the line says what else to do.
     */
    private static void download(Path folder, List<URI> from, PrintWriter stdout) {
        stdout.println("no MNIST data in " + folder + "; downloading it (about 11 MB, once)");
        stdout.flush();
        OutputFiles.prepareFolder(folder, "--data");
        try {
            DownloadCommand.fetch(folder, from, stdout);
        } catch (IOException e) {
            throw new RunFailure("no MNIST data in " + folder + " and the download failed ("
                    + Errors.flatten(e.getMessage()) + ")",
                    "run `./badnets download` when online, or pass --data DIR", e);
        }
    }
}
