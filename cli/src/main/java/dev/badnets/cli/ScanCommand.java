package dev.badnets.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.BackdoorMetrics;
import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.Trigger;
import dev.badnets.attack.defense.NeuralCleanse;
import dev.badnets.attack.defense.RecoveredTrigger;
import dev.badnets.attack.defense.ScanResult;
import dev.badnets.core.Evaluator;
import dev.badnets.core.Network;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.mnist.AtomicFolder;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.MnistLayout;
import dev.badnets.mnist.OutputLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code badnets scan}: Neural Cleanse on a model file, with clean images but without its training
 * data; optionally unlearns the backdoor it finds.
 */
@Command(name = "scan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Is a model backdoored? Neural Cleanse: for every class, the smallest trigger that sends "
                + "clean images there; a class whose trigger is abnormally small (anomaly index > 2) is a "
                + "backdoor's target. Needs clean images (the data folder's test set), not the training set.",
                "Writes OUT/scan.png (each class's recovered mask and trigger) and OUT/scan.json; with "
                        + "--repair unlearn also OUT/repaired.bin, fine-tuned on the folder's training images."})
final class ScanCommand implements Callable<Integer> {

    static final String PICTURE = "scan.png";
    static final String RESULTS = "scan.json";
    static final String REPAIRED = "repaired.bin";
    /** The repaired model of an ONNX model: ONNX again, with the same input contract. */
    static final String REPAIRED_ONNX = "repaired.onnx";
    private static final Set<String> FILES = Set.of(PICTURE, RESULTS, REPAIRED, REPAIRED_ONNX);

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "The model to scan.")
    Path model;

    @Mixin
    InputNormalizationOptions normalization;

    @Mixin
    DataOptions data;

    @Option(names = "--samples", paramLabel = "N",
            description = "Scan with the first N test images (default: all of them).")
    Integer samples;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "600",
            description = "The most optimisation steps (batches of 32) per class; the search stops earlier once "
                    + "the trigger stops shrinking (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the starting masks and the order of the images (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--repair", paramLabel = "unlearn",
            description = "unlearn: fine-tune the model for three epochs on clean training images, 20%% of them "
                    + "stamped with the recovered trigger and keeping their true labels; writes OUT/repaired.bin.")
    String repair;

    @Option(names = "--repair-samples", paramLabel = "N", defaultValue = "20000",
            description = "For --repair: fine-tune on the first N training images of the data folder, none of "
                    + "which the scan or the measurements use (default: ${DEFAULT-VALUE}).")
    int repairSamples;

    @Mixin
    TriggerOptions triggerOptions;

    @Mixin
    TargetOptions targetOptions;

    @Mixin
    BackendOptions run;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "badnets-scan",
            description = "Folder for scan.png, scan.json and repaired.bin (default: ${DEFAULT-VALUE}).")
    String out;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write scan.json here.")
    String json;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        long start = System.nanoTime();
        if (samples != null) {
            Check.atLeast("--samples", samples, 1);
        }
        Check.atLeast("--steps", steps, 1);
        Check.atLeast("--repair-samples", repairSamples, 1);
        if (repair != null && !repair.trim().equalsIgnoreCase("unlearn")) {
            throw new UserException("unknown repair '" + repair + "'", "use --repair unlearn");
        }
        boolean withTrigger = EvaluateCommand.triggerGiven(spec);
        NeuralCleanse.Settings settings = NeuralCleanse.Settings.defaults().withMaxSteps(steps).withSeed(seed)
                .withThreads(run.threads(), backendName());
        Path folder = data.folder();
        OutputFiles paths = new OutputFiles().data("--data", folder).input("--model", model)
                .input("--trigger", withTrigger ? triggerOptions.pictureFile() : null)
                .folder("--out", out).file("--json", json).check();
        Path jsonFile = paths.path("--json");
        MnistLayout layout = DataOptions.inspect(folder);
        Trigger trigger = withTrigger ? triggerOptions.trigger(layout.rows(), layout.cols()) : null;
        try (AtomicFolder written = OutputFiles.begin(paths.path("--out"), "--out", FILES);
             OutputLock jsonLock = OutputFiles.lock(jsonFile, "--json")) {
            Errors.doing("reading the model " + model);
            Network net = normalization.apply(Models.load(model));
            MnistData mnist = DataOptions.load(layout);
            Models.checkFits(net, model, layout.rows(), layout.cols(), mnist.classes(), folder);
            if (trigger != null) {
                targetOptions.validate(net.classes());
            }
            LabeledImages test = mnist.test();
            if (test.count() == 0) {
                throw new UserException("the data folder " + folder + " has no test images to scan with",
                        "pass a --data DIR whose t10k files hold clean images");
            }
            LabeledImages images = test.slice(0, Math.min(test.count(), samples == null ? test.count() : samples));

            stdout.printf(Locale.ROOT, "Neural Cleanse scan of %s: %d classes, %,d clean test images of %s%n%n",
                    model, net.classes(), images.count(), folder);
            stdout.flush();
            Errors.doing("scanning " + model);
            ScanResult scan = scanWithProgress(net, images, settings);
            printScan(stdout, scan);

            ObjectNode root = json(scan, folder, images.count());
            if (repair != null) {
                repair(stdout, net, scan, mnist, trigger, root, written.staging().resolve(repairedName()));
            }
            Errors.doing("writing " + written.target());
            BackdoorPicture.write(ScanPicture.of(scan, layout.rows(), layout.cols()),
                    written.staging().resolve(PICTURE));
            Json.timings(root).put("scan_seconds", scan.seconds()).put("total_seconds",
                    (System.nanoTime() - start) / 1e9);
            Json.write(root, written.staging().resolve(RESULTS));
            written.commit();
            if (jsonFile != null) {
                Json.write(root, jsonFile);
            }
            stdout.println();
            stdout.println("Files");
            stdout.println("  " + written.target().resolve(PICTURE) + "  each class's recovered mask and trigger");
            stdout.println("  " + written.target().resolve(RESULTS) + "  every figure above, masks and patterns");
            if (repair != null && scan.flagged().length > 0) {
                stdout.println("  " + written.target().resolve(repairedName()) + "  the repaired model");
            }
            stdout.flush();
            return 0;
        }
    }

    private String backendName() {
        run.create(); // refuses an unknown --backend with the CLI's advice
        return run.backend.trim().toLowerCase(Locale.ROOT);
    }

    /** The scan, with one progress bar per class when a person is watching. */
    private static ScanResult scanWithProgress(Network net, LabeledImages images, NeuralCleanse.Settings settings) {
        boolean show = Progress.interactive();
        ProgressBar[] bar = new ProgressBar[1];
        try {
            return NeuralCleanse.scan(net, images, settings, new NeuralCleanse.Listener() {
                @Override
                public void onStep(int label, int step, int maxSteps) {
                    if (show) {
                        if (bar[0] == null) {
                            bar[0] = Progress.bar("class " + label, maxSteps, null, 1);
                        }
                        bar[0].stepTo(step);
                    }
                }

                @Override
                public void onClass(RecoveredTrigger trigger) {
                    if (bar[0] != null) {
                        bar[0].setExtraMessage(String.format(Locale.ROOT, "mask L1 %.1f", trigger.maskL1()));
                        bar[0].close();
                        bar[0] = null;
                    }
                }
            });
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
    }

    private static void printScan(PrintWriter stdout, ScanResult scan) {
        stdout.println("  class   mask L1   attack success   anomaly index");
        for (RecoveredTrigger t : scan.triggers()) {
            int c = t.label();
            stdout.printf(Locale.ROOT, "  %5d   %7.1f   %13.2f%%   %13.2f%s%n", c, t.maskL1(), 100 * t.attackSuccess(),
                    scan.anomalyIndices()[c], scan.isFlagged(c) ? "   <- backdoor target" : "");
        }
        stdout.println();
        stdout.println(verdict(scan));
        stdout.printf(Locale.ROOT, "(mask L1: how many pixels the smallest trigger for the class covers; a class is "
                + "flagged when its mask is below the median with anomaly index > %.0f; %.1f s)%n",
                NeuralCleanse.ANOMALY_THRESHOLD, scan.seconds());
        stdout.flush();
    }

    /** {@code backdoored: class 0 (anomaly index 3.4)} (classes joined by commas), or {@code no backdoor found}. */
    static String verdict(ScanResult scan) {
        if (scan.flagged().length == 0) {
            return "no backdoor found";
        }
        StringBuilder s = new StringBuilder("backdoored: ");
        for (int k = 0; k < scan.flagged().length; k++) {
            int c = scan.flagged()[k];
            s.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "class %d (anomaly index %.1f)", c,
                    scan.anomalyIndices()[c]));
        }
        return s.toString();
    }

    /** repaired.onnx for a model read from ONNX, else repaired.bin. */
    private String repairedName() throws IOException {
        return Models.isOnnx(model) ? REPAIRED_ONNX : REPAIRED;
    }

    /** Unlearns on training images, measures before and after on the test set, saves the repaired model. */
    private void repair(PrintWriter stdout, Network net, ScanResult scan, MnistData mnist, Trigger trigger,
                        ObjectNode root, Path repairedFile) throws IOException {
        stdout.println();
        if (scan.flagged().length == 0) {
            stdout.println("Repair: nothing to unlearn (no class is flagged); the model is left as it is.");
            return;
        }
        LabeledImages train = mnist.train();
        if (train.count() == 0) {
            throw new UserException("--repair needs training images, and the data folder has none",
                    "pass a --data DIR whose train files hold clean images");
        }
        LabeledImages repairImages = train.slice(0, Math.min(train.count(), repairSamples));
        MatrixBackend backend = run.create();
        Errors.doing("unlearning the recovered trigger");
        NeuralCleanse.Unlearning unlearning = NeuralCleanse.Unlearning.defaults().withTraining(
                NeuralCleanse.Unlearning.defaults().training().withThreads(run.threads()).withBackend(run.backend));
        NeuralCleanse.Repair repaired = NeuralCleanse.unlearn(net, scan, repairImages, unlearning);
        Models.saveLike(repaired.network(), repairedFile, model, normalization.given());

        ObjectNode r = root.putObject("repair");
        r.put("method", "unlearn");
        r.put("images", repairImages.count());
        r.put("stamped", repaired.stamped());
        stdout.printf(Locale.ROOT, "Repair: unlearning, fine-tuned %d epochs on %,d training images, %,d of them "
                + "with the recovered trigger and their true labels%n", unlearning.training().epochs(),
                repairImages.count(), repaired.stamped());
        LabeledImages test = mnist.test();
        if (trigger == null) {
            double before = accuracy(net, test, backend), after = accuracy(repaired.network(), test, backend);
            r.put("clean_accuracy_before", before).put("clean_accuracy_after", after);
            stdout.printf(Locale.ROOT, "  clean accuracy       %6.2f%% -> %6.2f%%  on the %,d test images%n",
                    100 * before, 100 * after, test.count());
            stdout.println("  (give the trigger flags, e.g. --trigger square --target 0, to measure its attack "
                    + "success rate before and after)");
        } else {
            BackdoorReport before = BackdoorMetrics.measure(net, test, trigger, targetOptions.mode(),
                    targetOptions.target, backend);
            BackdoorReport after = BackdoorMetrics.measure(repaired.network(), test, trigger, targetOptions.mode(),
                    targetOptions.target, backend);
            r.put("clean_accuracy_before", before.cleanAccuracy()).put("clean_accuracy_after", after.cleanAccuracy());
            r.put("attack_success_rate_before", before.attackSuccessRate())
                    .put("attack_success_rate_after", after.attackSuccessRate());
            r.put("trigger", trigger.describe());
            stdout.printf(Locale.ROOT, "  clean accuracy       %6.2f%% -> %6.2f%%  on the %,d test images%n",
                    100 * before.cleanAccuracy(), 100 * after.cleanAccuracy(), test.count());
            stdout.printf(Locale.ROOT, "  attack success rate  %6.2f%% -> %6.2f%%  of the real trigger (%s), on the "
                    + "%,d test images not of class %d%n", 100 * before.attackSuccessRate(),
                    100 * after.attackSuccessRate(), trigger.describe(), before.attackedCount(), targetOptions.target);
        }
        Json.timings(root).put("repair_seconds", repaired.training().seconds());
    }

    private static double accuracy(Network net, LabeledImages test, MatrixBackend backend) {
        return Evaluator.evaluate(net, Training.samples(test, net.classes()), backend).accuracy();
    }

    private ObjectNode json(ScanResult scan, Path folder, int images) {
        ObjectNode root = Json.object();
        root.put("model", model.toAbsolutePath().toString());
        root.put("data", folder.toString());
        root.put("samples", images);
        root.put("seed", seed);
        root.put("verdict", verdict(scan));
        ArrayNode flagged = root.putArray("flagged_classes");
        for (int c : scan.flagged()) {
            flagged.add(c);
        }
        ArrayNode classes = root.putArray("classes");
        for (RecoveredTrigger t : scan.triggers()) {
            ObjectNode c = classes.addObject();
            c.put("class", t.label());
            c.put("mask_l1", t.maskL1());
            c.put("attack_success", t.attackSuccess());
            c.put("anomaly_index", scan.anomalyIndices()[t.label()]);
            c.put("flagged", scan.isFlagged(t.label()));
            c.put("steps", t.steps());
            ArrayNode mask = c.putArray("mask");
            for (float v : t.mask()) {
                mask.add(v);
            }
            ArrayNode pattern = c.putArray("pattern");
            for (float v : t.pattern()) {
                pattern.add(255 * v);
            }
        }
        return root;
    }
}
