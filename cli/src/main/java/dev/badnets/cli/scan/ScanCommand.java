package dev.badnets.cli.scan;


import dev.badnets.cli.Check;
import dev.badnets.cli.Errors;
import dev.badnets.cli.Json;
import dev.badnets.cli.Models;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.UserException;
import dev.badnets.cli.demo.BackdoorPicture;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.InputNormalizationOptions;
import dev.badnets.cli.options.BackdoorOptions;
import dev.badnets.cli.options.ModelOnData;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.Trigger;
import dev.badnets.attack.defense.BackdoorScan;
import dev.badnets.attack.defense.MaxMargin;
import dev.badnets.attack.defense.NeuralCleanse;
import dev.badnets.attack.defense.UnlearningRepair;
import dev.badnets.core.Network;
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

    @Mixin
    ScanSettingsOptions scan;

    @Option(names = "--repair", paramLabel = "unlearn",
            description = "unlearn: fine-tune the model for three epochs on clean training images, 20%% of them "
                    + "stamped with the recovered trigger and keeping their true labels; writes OUT/repaired.bin.")
    String repair;

    @Option(names = "--repair-samples", paramLabel = "N", defaultValue = "20000",
            description = "For --repair: fine-tune on the first N training images of the data folder, none of "
                    + "which the scan or the measurements use (default: ${DEFAULT-VALUE}).")
    int repairSamples;

    @Mixin
    BackdoorOptions backdoor;

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
        Check.atLeast("--repair-samples", repairSamples, 1);
        if (repair != null && !repair.trim().equalsIgnoreCase("unlearn")) {
            throw new UserException("unknown repair '" + repair + "'", "use --repair unlearn");
        }
        boolean withTrigger = backdoor.given(spec);
        NeuralCleanse.Settings settings = scan.neuralCleanse(run);
        MaxMargin.Settings marginSettings = scan.maxMargin(run);
        Path folder = data.folder();
        OutputFiles paths = new OutputFiles().data("--data", folder).input("--model", model)
                .input("--trigger", withTrigger ? backdoor.pictureFile() : null)
                .folder("--out", out).file("--json", json).check();
        Path jsonFile = paths.path("--json");
        MnistLayout layout = DataOptions.inspect(folder);
        Trigger trigger = withTrigger ? backdoor.testTrigger(layout, folder) : null;
        try (AtomicFolder written = OutputFiles.begin(paths.path("--out"), "--out", FILES);
             OutputLock jsonLock = OutputFiles.lock(jsonFile, "--json")) {
            ModelOnData read = ModelOnData.load(model, normalization, folder, layout);
            Network net = read.net();
            MnistData mnist = read.mnist();
            if (trigger != null) {
                backdoor.validate(net.classes());
            }
            LabeledImages test = mnist.test();
            if (test.count() == 0) {
                throw new UserException("the data folder " + folder + " has no test images to scan with",
                        "pass a --data DIR whose t10k files hold clean images");
            }
            LabeledImages images = test.slice(0, Math.min(test.count(), scan.samples == null ? test.count() : scan.samples));

            stdout.printf(Locale.ROOT, "Backdoor scan of %s (Neural Cleanse and MM-BD): %d classes, %,d clean test "
                    + "images of %s%n%n", model, net.classes(), images.count(), folder);
            stdout.flush();
            Errors.doing("scanning " + model);
            BackdoorScan.Result result = ScanReport.scanWithProgress(net, images, settings, marginSettings);
            ScanReport.print(stdout, result);

            ObjectNode root = ScanReport.json(result, model, folder, images.count(), scan.seed);
            if (repair != null) {
                repair(stdout, net, result, mnist, trigger, root, written.staging().resolve(repairedName()));
            }
            Errors.doing("writing " + written.target());
            BackdoorPicture.write(ScanPicture.of(result, layout.rows(), layout.cols()),
                    written.staging().resolve(PICTURE));
            ScanReport.timings(root, result, (System.nanoTime() - start) / 1e9);
            Json.write(root, written.staging().resolve(RESULTS));
            written.commit();
            if (jsonFile != null) {
                Json.write(root, jsonFile);
            }
            ScanReport.files(stdout, written.target().resolve(PICTURE), written.target().resolve(RESULTS),
                    repair != null && result.flagged().length > 0 ? written.target().resolve(repairedName()) : null);
            return 0;
        }
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
        Errors.doing("unlearning the recovered trigger");
        NeuralCleanse.Unlearning unlearning = NeuralCleanse.Unlearning.defaults().withTraining(
                NeuralCleanse.Unlearning.defaults().training().withThreads(run.threads()).withBackend(run.backend));
        UnlearningRepair.Outcome repaired = UnlearningRepair.run(net, scan,
                train.slice(0, Math.min(train.count(), repairSamples)), mnist.test(), trigger,
                trigger == null ? null : backdoor.mode(), backdoor.targetClass(), unlearning, run.create());
        Models.saveLike(repaired.repair().network(), repairedFile, model, normalization.given());
        ScanReport.repair(stdout, root, repaired, unlearning, trigger, mnist.test().count(), backdoor.targetClass());
    }

    /** repaired.onnx for a model read from ONNX, else repaired.bin. */
    private String repairedName() throws IOException {
        return Models.isOnnx(model) ? REPAIRED_ONNX : REPAIRED;
    }
}
