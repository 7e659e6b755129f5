package dev.badnets.cli.scan;

import dev.badnets.cli.Errors;
import dev.badnets.cli.Json;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.UserException;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.DefenseOptions;
import dev.badnets.cli.options.InputNormalizationOptions;
import dev.badnets.cli.options.ModelOnData;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.PoisonManifest;
import dev.badnets.attack.PoisonedDataset;
import dev.badnets.attack.defense.Defense;
import dev.badnets.attack.defense.DetectionMetrics;
import dev.badnets.core.Network;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.AtomicFolder;
import dev.badnets.mnist.MnistLayout;
import dev.badnets.mnist.OutputLock;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code badnets detect}: flags suspicious training samples from a model's hidden representations. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = {"Find poisoned training samples from the hidden-layer activations of the model trained "
                + "on them, without knowing the trigger or the target.",
                "When the data folder holds a poisoning manifest.json, also the precision and recall of the "
                        + "detection. --write-clean DIR writes the training set without the flagged samples."})
public final class DetectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true,
            description = "The model trained on the data folder's training set.")
    Path model;

    @Mixin
    InputNormalizationOptions normalization;

    @Mixin
    DataOptions data;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "spectre",
            description = "spectre, spectral or activation-clustering (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--expected-rate", paramLabel = "R", defaultValue = "0.01",
            description = "Share of the training set suspected to be poisoned, in (0, 0.5); the method "
                    + "removes up to 1.5 x that share (default: ${DEFAULT-VALUE}, the demo's poison rate).")
    double expectedRate;

    @Option(names = "--write-clean", paramLabel = "DIR",
            description = "Write the data folder without the flagged training samples here.")
    String writeClean;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    String json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        var detector = DefenseOptions.detector(method);
        DefenseOptions.checkRate("--expected-rate", expectedRate);
        Path folder = data.folder();
        OutputFiles paths = new OutputFiles().data("--data", folder).input("--model", model)
                .folder("--write-clean", writeClean).file("--json", json).check();
        Path cleanDir = paths.path("--write-clean");
        Path jsonFile = paths.path("--json");
        MnistLayout layout = DataOptions.inspect(folder);
        try (AtomicFolder clean = cleanDir == null ? null
                : OutputFiles.begin(cleanDir, "--write-clean", PoisonedDataset.OWN_NAMES);
             OutputLock lock = OutputFiles.lock(jsonFile, "--json")) {
            return detect(out, detector, folder, layout, clean, jsonFile);
        }
    }

    private int detect(PrintWriter out, dev.badnets.attack.defense.Detector detector, Path folder,
                       MnistLayout layout, AtomicFolder clean, Path json) throws java.io.IOException {
        Path cleanDir = clean == null ? null : clean.target();
        ModelOnData read = ModelOnData.load(model, normalization, folder, layout);
        Network net = read.net();
        MnistData mnist = read.mnist();

        if (net.layerCount() < 2) {
            throw new UserException("model " + model + " has no hidden layer, and detectors read a hidden layer's "
                    + "activations", "train one with --hidden or --model cnn");
        }
        Errors.doing("detecting with " + detector.name());
        Defense.Result result = Defense.run(net, mnist.train(), mnist.classes(), detector, expectedRate);
        ObjectNode root = Json.object();
        root.put("method", detector.name());
        root.put("expected_rate", expectedRate);
        root.put("flagged_count", result.detection().flaggedCount());
        var perClass = root.putArray("flagged_per_class");
        Arrays.stream(result.detection().flaggedPerClass()).forEach(perClass::add);
        out.printf(Locale.ROOT, "%s flagged %,d of %,d training images; per class %s%n", detector.name(),
                result.detection().flaggedCount(), mnist.train().count(),
                Arrays.toString(result.detection().flaggedPerClass()));

        Optional<PoisonManifest> manifest = PoisonedDataset.readManifest(folder);
        if (manifest.isPresent()) {
            DetectionMetrics m = DetectionMetrics.of(result.detection(), manifest.get().poisonedIndices());
            root.put("poisoned_count", m.poisoned());
            root.put("precision", m.precision());
            root.put("recall", m.recall());
            out.printf(Locale.ROOT, "against %s: %d of the %d flagged were poisoned (precision %.2f%%), "
                            + "%d of the %d poisoned were found (recall %.2f%%)%n", PoisonedDataset.MANIFEST,
                    m.truePositives(), m.flagged(), 100 * m.precision(), m.truePositives(), m.poisoned(),
                    100 * m.recall());
        }
        if (cleanDir != null) {
            // no manifest: the old one (if any) described other files
            Mnist.write(clean.staging(), result.filtered(), mnist.test());
            clean.commit();
            root.put("clean_folder", cleanDir.toString());
            out.printf(Locale.ROOT, "wrote %s: %,d training images kept; retrain with `./badnets train --data %s`%n",
                    cleanDir, result.filtered().count(), cleanDir);
        }
        if (json != null) {
            Json.write(root, json);
        }
        out.flush();
        return 0;
    }
}
