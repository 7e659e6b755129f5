package dev.badnets.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.BackdoorMetrics;
import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.PoisonedSet;
import dev.badnets.attack.Poisoning;
import dev.badnets.attack.Trigger;
import dev.badnets.attack.defense.Defense;
import dev.badnets.attack.defense.DetectionMetrics;
import dev.badnets.attack.defense.Detector;
import dev.badnets.core.Network;
import dev.badnets.core.TrainingConfig;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.AtomicFolder;
import dev.badnets.mnist.MnistLayout;
import dev.badnets.mnist.OutputLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "badnets-out",
            description = "Folder for results.json, model.bin and backdoor.png (default: ${DEFAULT-VALUE}).")
    String out;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results JSON here.")
    String json;

    /** The files demo writes in {@code --out}; the folder is replaced as one set. */
    static final java.util.Set<String> FILES = java.util.Set.of("results.json", "model.bin", "backdoor.png");

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
    NetworkOptions network;

    @Mixin
    BackendOptions run;

    @Option(names = "--defend", paramLabel = "METHOD",
            description = "Then play the defender: find the poisoned images with METHOD (spectre, spectral or "
                    + "activation-clustering), remove them, retrain with the same seed and measure again.")
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
        Detector detector = defend == null ? null : DefenseOptions.detector(defend);
        if (expectedRate != null) {
            DefenseOptions.checkRate("--expected-rate", expectedRate);
        }
        List<java.net.URI> from = DownloadCommand.mirrors(mirrors);
        Path folder = data.folder();
        OutputFiles paths = new OutputFiles().data("--data", folder).input("--trigger", triggerOptions.pictureFile())
                .folder("--out", out).file("--json", json).check();
        Path outDir = paths.path("--out");
        Path jsonFile = paths.path("--json");
        try (AtomicFolder written = OutputFiles.begin(outDir, "--out", FILES);
             OutputLock jsonLock = OutputFiles.lock(jsonFile, "--json")) {
            if (DataOptions.isEmpty(folder)) {
                download(folder, from, stdout);
            }
            MnistLayout layout = DataOptions.inspect(folder);
            Trigger trigger = triggerOptions.trigger(layout.rows(), layout.cols());
            return demo(stdout, start, config, plan, detector, trigger, folder, DataOptions.load(layout), written,
                    jsonFile);
        }
    }

    private int demo(PrintWriter stdout, long start, TrainingConfig config, PoisonPlan plan, Detector detector,
                     Trigger trigger, Path folder, MnistData mnist, AtomicFolder written, Path json)
            throws IOException {
        Path outDir = written.target();
        target.validate(mnist.classes());
        LabeledImages train = mnist.train();
        LabeledImages test = mnist.test();
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        Network net = network.build(Training.shape(train), mnist.classes());

        PoisonedSet poisoned = Poisoning.apply(train, mnist.classes(), plan, trigger);
        stdout.println("BadNets backdoor demo (OWASP ML02:2023, data poisoning)");
        stdout.println();
        stdout.println("Configuration");
        stdout.printf(Locale.ROOT, "  data       %s: %,d training and %,d test images, %dx%d, %d classes%n",
                folder, train.count(), test.count(), train.rows(), train.cols(), mnist.classes());
        stdout.printf(Locale.ROOT, "  poisoning  %,d training images (%.2f%%) got the trigger and %s%n",
                poisoned.poisonedCount(), 100.0 * poisoned.poisonedCount() / train.count(),
                target.mode() == PoisonPlan.Mode.ALL_TO_ONE ? "the label " + target.target
                        : "the label of the next class (all-to-all)");
        stdout.println("  trigger    " + trigger.describe());
        stdout.println("  network    " + network.describe(net, run));
        stdout.println();
        stdout.flush();

        Errors.doing("training a " + network.layers(net) + " network");
        Training.Trained trained;
        try (Progress.Training bar = new Progress.Training("train", config.epochs(), Progress.interactive())) {
            trained = Training.train(net, poisoned.images(), mnist.classes(), config, bar);
        }
        BackdoorReport report = BackdoorMetrics.measure(trained.network(), test, trigger, target.mode(),
                target.target, run.create());

        Defended defended = detector == null ? null
                : defend(detector, poisoned, mnist.classes(), trained, config, trigger, test);
        ObjectNode defense = defended == null ? null : defended.json();

        Path modelFile = outDir.resolve("model.bin");
        Path resultsFile = outDir.resolve("results.json");
        Path pictureFile = outDir.resolve("backdoor.png");
        Path staging = written.staging();
        Errors.doing("writing " + outDir);
        Models.save(trained.network(), staging.resolve(modelFile.getFileName()));
        BackdoorPicture.write(picture(test, trigger, report, defended == null ? null : defended.after(),
                mnist.classes()), staging.resolve(pictureFile.getFileName()));

        stdout.println("Results");
        stdout.print(Report.backdoorLines(report, test.count()));
        stdout.printf(Locale.ROOT, "  training took %.1f s (%,.0f images/s, %s)%n", trained.result().seconds(),
                trained.result().samplesPerSecond(), trained.result().backend() + ", "
                        + trained.result().threads() + " threads");
        stdout.println();
        if (defense != null) {
            printDefense(stdout, defense, test.count());
        }

        ObjectNode root = Json.object();
        Json.putBackdoor(root, report);
        root.put("poisoned_count", poisoned.poisonedCount());
        Json.putTraining(root, trained.result());
        ObjectNode cfg = root.putObject("config");
        cfg.put("data", folder.toString());
        cfg.put("train_images", train.count());
        cfg.put("test_images", test.count());
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
        network.putConfig(cfg, trained.network());
        cfg.put("optimizer", config.optimizer().name().toLowerCase(Locale.ROOT));
        cfg.put("learning_rate", config.learningRate());
        cfg.put("lr_schedule", config.learningRateSchedule().cliName());
        cfg.put("batch", config.batchSize());
        cfg.put("epochs", config.epochs());
        cfg.put("seed", network.seed);
        cfg.put("threads", config.threads());
        cfg.put("backend", run.backend);
        if (defense != null) {
            root.set("defense", defense);
        }
        ObjectNode files = root.putObject("files");
        files.put("model", modelFile.toString());
        files.put("picture", pictureFile.toString());
        ObjectNode timings = Json.timings(root);
        timings.put("load_seconds", loadSeconds);
        timings.put("train_seconds", trained.result().seconds());
        timings.put("total_seconds", (System.nanoTime() - start) / 1e9);
        Json.write(root, staging.resolve(resultsFile.getFileName()));
        written.commit();
        if (json != null) {
            Json.write(root, json);
        }

        stdout.println("Files");
        int width = Math.max(shown(resultsFile).length(), Math.max(shown(modelFile).length(),
                shown(pictureFile).length()));
        String row = "  %-" + width + "s  %s%n";
        stdout.printf(row, shown(resultsFile), "every figure above, the configuration and timings");
        stdout.printf(row, shown(modelFile), "the trained model: ./badnets evaluate --model "
                + shown(modelFile) + " [--trigger square]");
        stdout.printf(row, shown(pictureFile), "one test image per class, clean and triggered, with the"
                + " model's answers");
        stdout.flush();
        return 0;
    }

    /** The contract's {@code defense} object, and the repaired model's answers for the picture. */
    private record Defended(ObjectNode json, BackdoorReport after) {}

    /** Detects, removes, retrains with the same seed and measures again. */
    private Defended defend(Detector detector, PoisonedSet poisoned, int classes, Training.Trained trained,
                              TrainingConfig config, Trigger trigger, LabeledImages test) {
        int trainCount = poisoned.images().count();
        // The detectors add the 1.5x removal margin of Tran et al. themselves.
        double rate = expectedRate != null ? expectedRate
                : poisoned.poisonedCount() == 0 ? 0.01
                : Math.min(0.49, (double) poisoned.poisonedCount() / trainCount);
        Defense.Result found = Defense.run(trained.network(), poisoned.images(), classes, detector, rate);
        DetectionMetrics m = DetectionMetrics.of(found.detection(), poisoned.indices());
        Training.Trained again;
        try (Progress.Training bar = new Progress.Training("retrain", config.epochs(), Progress.interactive())) {
            again = Training.train(network.build(Training.shape(found.filtered()), classes), found.filtered(), classes,
                    config, bar);
        }
        BackdoorReport after = BackdoorMetrics.measure(again.network(), test, trigger, target.mode(),
                target.target, run.create());
        ObjectNode d = Json.object();
        d.put("method", detector.name());
        d.put("expected_rate", rate);
        d.put("flagged_count", m.flagged());
        d.put("true_positives", m.truePositives());
        d.put("precision", m.precision());
        d.put("recall", m.recall());
        d.put("clean_accuracy_after", after.cleanAccuracy());
        d.put("attack_success_rate_after", after.attackSuccessRate());
        d.put("attack_success_rate_all_images_after", after.attackSuccessRateAllImages());
        d.put("retrained_on", found.filtered().count());
        Json.timings(d).put("retrain_seconds", again.result().seconds());
        return new Defended(d, after);
    }

    private static void printDefense(PrintWriter stdout, ObjectNode d, int testImages) {
        stdout.printf(Locale.ROOT, "Defense: %s, expecting %.2f%% of the training set to be poisoned%n",
                d.get("method").asText(), 100 * d.get("expected_rate").asDouble());
        stdout.printf(Locale.ROOT, "  %-20s %,7d  training images removed; %,d of them were poisoned (precision "
                        + "%.2f%%) and %.2f%% of the poisoned ones were caught (recall)%n", "flagged",
                d.get("flagged_count").asInt(), d.get("true_positives").asInt(), 100 * d.get("precision").asDouble(),
                100 * d.get("recall").asDouble());
        stdout.printf(Locale.ROOT, "  %-20s %7.2f%%  of the %,d clean test images, after retraining without them%n",
                "clean accuracy", 100 * d.get("clean_accuracy_after").asDouble(), testImages);
        stdout.printf(Locale.ROOT, "  %-20s %7.2f%%  what is left of the backdoor after retraining%n",
                "attack success rate", 100 * d.get("attack_success_rate_after").asDouble());
        stdout.println();
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
    private static void download(Path folder, List<java.net.URI> from, PrintWriter stdout) {
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

    /**
     * The first test image of each class, clean and triggered, and the model's answers; with
     * {@code repaired} (after {@code --defend}, else null) also the retrained model's answer on the
     * triggered image.
     */
    static java.awt.image.BufferedImage picture(LabeledImages test, Trigger trigger, BackdoorReport report,
                                                BackdoorReport repaired, int classes) {
        int size = test.pixelsPerImage();
        List<BackdoorPicture.Example> examples = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < test.count(); i++) {
                if (test.label(i) == c) {
                    byte[] clean = Arrays.copyOfRange(test.pixels(), i * size, (i + 1) * size);
                    byte[] triggered = clean.clone();
                    trigger.apply(triggered, 0, test.rows(), test.cols());
                    int answer = report.triggeredPredictions()[i];
                    int repairedAnswer = repaired == null ? -1 : repaired.triggeredPredictions()[i];
                    examples.add(new BackdoorPicture.Example(clean, triggered, c,
                            report.cleanPredictions()[i], answer, flipped(report, c, answer, classes),
                            repairedAnswer, repaired != null && flipped(repaired, c, repairedAnswer, classes)));
                    break;
                }
            }
        }
        String targetText = report.mode() == PoisonPlan.Mode.ALL_TO_ONE ? "the target class " + report.target()
                : "the next class (all-to-all)";
        return BackdoorPicture.render(examples, test.rows(), test.cols(),
                trigger.bounds(test.rows(), test.cols()), targetText, trigger.describe());
    }

    /** Whether the trigger sent an image of class {@code label} to the backdoor's class. */
    private static boolean flipped(BackdoorReport report, int label, int answer, int classes) {
        return report.mode() == PoisonPlan.Mode.ALL_TO_ONE
                ? answer == report.target() && label != report.target()
                : answer == (label + 1) % classes;
    }
}
