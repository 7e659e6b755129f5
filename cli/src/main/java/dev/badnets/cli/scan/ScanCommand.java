package dev.badnets.cli.scan;

import dev.badnets.attack.ImageSamples;

import dev.badnets.cli.Check;
import dev.badnets.cli.Errors;
import dev.badnets.cli.Json;
import dev.badnets.cli.Models;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.Progress;
import dev.badnets.cli.UserException;
import dev.badnets.cli.demo.BackdoorPicture;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.InputNormalizationOptions;
import dev.badnets.cli.options.TargetOptions;
import dev.badnets.cli.options.AttackOptions;
import dev.badnets.cli.options.TriggerOptions;
import dev.badnets.cli.train.EvaluateCommand;
import dev.badnets.cli.train.Training;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.BackdoorMetrics;
import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.Trigger;
import dev.badnets.attack.defense.BackdoorScan;
import dev.badnets.attack.defense.MaxMargin;
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
        description = {"Is a model backdoored? Two detectors: Neural Cleanse finds, for every class, the smallest "
                + "trigger that sends clean images there (a class whose trigger is abnormally small is a backdoor's "
                + "target); MM-BD finds, for every class, the largest logit margin any input reaches (a class "
                + "with an abnormally large one is). Needs clean images (the data folder's test set), not the "
                + "training set.",
                "Writes OUT/scan.png (each class's recovered mask and trigger) and OUT/scan.json; with "
                        + "--repair unlearn also OUT/repaired.bin, fine-tuned on the folder's training images."})
public final class ScanCommand implements Callable<Integer> {

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
    AttackOptions attackOptions;

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
        MaxMargin.Settings marginSettings = MaxMargin.Settings.defaults().withSeed(seed)
                .withThreads(run.threads(), backendName());
        Path folder = data.folder();
        OutputFiles paths = new OutputFiles().data("--data", folder).input("--model", model)
                .input("--trigger", withTrigger ? triggerOptions.pictureFile() : null)
                .folder("--out", out).file("--json", json).check();
        Path jsonFile = paths.path("--json");
        MnistLayout layout = DataOptions.inspect(folder);
        Trigger trigger = withTrigger
                ? attackOptions.testTrigger(triggerOptions, layout.rows(), layout.cols(), folder) : null;
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

            stdout.printf(Locale.ROOT, "Backdoor scan of %s (Neural Cleanse and MM-BD): %d classes, %,d clean test "
                    + "images of %s%n%n", model, net.classes(), images.count(), folder);
            stdout.flush();
            Errors.doing("scanning " + model);
            BackdoorScan.Result scan = scanWithProgress(net, images, settings, marginSettings);
            printScan(stdout, scan);

            ObjectNode root = json(scan, folder, images.count());
            if (repair != null) {
                repair(stdout, net, scan, mnist, trigger, root, written.staging().resolve(repairedName()));
            }
            Errors.doing("writing " + written.target());
            BackdoorPicture.write(ScanPicture.of(scan, layout.rows(), layout.cols()),
                    written.staging().resolve(PICTURE));
            Json.timings(root).put("scan_seconds", scan.seconds())
                    .put("neural_cleanse_seconds", scan.neuralCleanse().seconds())
                    .put("max_margin_seconds", scan.maxMargin().seconds())
                    .put("total_seconds", (System.nanoTime() - start) / 1e9);
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

    /** The scan, with one progress bar per class of Neural Cleanse when a person is watching. */
    private static BackdoorScan.Result scanWithProgress(Network net, LabeledImages images,
                                                        NeuralCleanse.Settings settings, MaxMargin.Settings margins) {
        boolean show = Progress.interactive();
        ProgressBar[] bar = new ProgressBar[1];
        try {
            return BackdoorScan.scan(net, images, settings, margins, new NeuralCleanse.Listener() {
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

    private static void printScan(PrintWriter stdout, BackdoorScan.Result scan) {
        ScanResult nc = scan.neuralCleanse();
        MaxMargin.Result mm = scan.maxMargin();
        stdout.println("          Neural Cleanse                             MM-BD");
        stdout.println("  class   mask L1   attack success   anomaly index   largest margin");
        for (RecoveredTrigger t : nc.triggers()) {
            int c = t.label();
            stdout.printf(Locale.ROOT, "  %5d   %7.1f   %13.2f%%   %13.2f   %14.1f%s%n", c, t.maskL1(),
                    100 * t.attackSuccess(), nc.anomalyIndices()[c], mm.margins()[c],
                    scan.isFlagged(c) ? "   <- backdoor target" : "");
        }
        stdout.println();
        stdout.printf(Locale.ROOT, "Neural Cleanse: anomaly index = (median - log mask L1) / (1.4826 x MAD) over the "
                + "classes' log mask L1; threshold %.1f: %s%n", NeuralCleanse.ANOMALY_THRESHOLD,
                classes(nc.flagged()));
        stdout.printf(Locale.ROOT, "MM-BD: class %d has the largest margin, %.1f; p-value %.3g under a Gamma "
                + "(shape %.2f, scale %.2f) fitted to the other classes' margins; threshold %.2f: %s%n", mm.suspect(),
                mm.margins()[mm.suspect()], mm.pValue(), mm.shape(), mm.scale(), mm.threshold(),
                mm.flagged() ? "class " + mm.suspect() : "none");
        stdout.printf(Locale.ROOT, "Verdict: a class Neural Cleanse flags (index > %.1f), or MM-BD's flagged class "
                + "when its Neural Cleanse index is above %.1f%n", BackdoorScan.NEURAL_CLEANSE_ALONE,
                BackdoorScan.SUPPORTING_INDEX);
        stdout.println();
        stdout.println(verdict(scan));
        stdout.printf(Locale.ROOT, "(the scan took %.1f s: Neural Cleanse %.1f s, MM-BD %.1f s)%n", scan.seconds(),
                nc.seconds(), mm.seconds());
        stdout.flush();
    }

    /** {@code class 3, class 7}, or {@code none}. */
    private static String classes(int[] flagged) {
        if (flagged.length == 0) {
            return "none";
        }
        StringBuilder s = new StringBuilder();
        for (int c : flagged) {
            s.append(s.length() == 0 ? "" : ", ").append("class ").append(c);
        }
        return s.toString();
    }

    /** {@code backdoor found: class 7} (classes joined by commas), or {@code no backdoor found}. */
    static String verdict(BackdoorScan.Result scan) {
        if (scan.flagged().length == 0) {
            return "no backdoor found";
        }
        return "backdoor found: " + classes(scan.flagged());
    }

    /** repaired.onnx for a model read from ONNX, else repaired.bin. */
    private String repairedName() throws IOException {
        return Models.isOnnx(model) ? REPAIRED_ONNX : REPAIRED;
    }

    /** Unlearns on training images, measures before and after on the test set, saves the repaired model. */
    private void repair(PrintWriter stdout, Network net, BackdoorScan.Result scan, MnistData mnist, Trigger trigger,
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
        NeuralCleanse.Repair repaired = NeuralCleanse.unlearn(net, scan.neuralCleanse(), scan.flagged(), repairImages,
                unlearning);
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
        return Evaluator.evaluate(net, ImageSamples.of(test, net.classes()), backend).accuracy();
    }

    private ObjectNode json(BackdoorScan.Result scan, Path folder, int images) {
        ScanResult nc = scan.neuralCleanse();
        MaxMargin.Result mm = scan.maxMargin();
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
        root.put("verdict_rule", String.format(Locale.ROOT, "neural_cleanse anomaly_index > %.1f, or the mm_bd "
                + "flagged class with anomaly_index > %.1f", BackdoorScan.NEURAL_CLEANSE_ALONE,
                BackdoorScan.SUPPORTING_INDEX));
        ObjectNode detectors = root.putObject("detectors");
        ObjectNode n = detectors.putObject("neural_cleanse");
        n.put("statistic", "anomaly_index = (median - log mask_l1) / (1.4826 * MAD) over the classes' log mask_l1");
        n.put("threshold", NeuralCleanse.ANOMALY_THRESHOLD);
        ArrayNode nFlagged = n.putArray("flagged_classes");
        for (int c : nc.flagged()) {
            nFlagged.add(c);
        }
        n.put("seconds", nc.seconds());
        ObjectNode m = detectors.putObject("mm_bd");
        m.put("statistic", "largest margin (logit of the class minus the largest other) over 30 optimised inputs");
        ArrayNode margins = m.putArray("max_margins");
        for (double v : mm.margins()) {
            margins.add(v);
        }
        m.put("suspect_class", mm.suspect());
        m.put("p_value", mm.pValue());
        m.put("gamma_shape", mm.shape());
        m.put("gamma_scale", mm.scale());
        m.put("threshold", mm.threshold());
        ArrayNode mFlagged = m.putArray("flagged_classes");
        if (mm.flagged()) {
            mFlagged.add(mm.suspect());
        }
        ArrayNode mSteps = m.putArray("steps");
        for (int v : mm.steps()) {
            mSteps.add(v);
        }
        m.put("seconds", mm.seconds());
        ArrayNode classes = root.putArray("classes");
        for (RecoveredTrigger t : nc.triggers()) {
            ObjectNode c = classes.addObject();
            c.put("class", t.label());
            c.put("mask_l1", t.maskL1());
            c.put("attack_success", t.attackSuccess());
            c.put("anomaly_index", nc.anomalyIndices()[t.label()]);
            c.put("max_margin", mm.margins()[t.label()]);
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
