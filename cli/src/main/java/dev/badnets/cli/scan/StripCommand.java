package dev.badnets.cli.scan;

import dev.badnets.cli.Check;
import dev.badnets.cli.Errors;
import dev.badnets.cli.Json;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.UserException;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.InputNormalizationOptions;
import dev.badnets.cli.options.BackdoorOptions;
import dev.badnets.cli.options.ModelOnData;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Trigger;
import dev.badnets.attack.defense.Strip;
import dev.badnets.core.Network;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.MnistLayout;
import dev.badnets.mnist.OutputLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code badnets strip}: STRIP's run-time test for triggered inputs, measured on a data folder's test set. */
@Command(name = "strip", mixinStandardHelpOptions = true,
        description = {"STRIP (Gao et al. 2019): flag inputs whose predictions stay confident when blended with "
                + "clean images, the mark of a backdoor trigger.",
                "Splits the test set into overlays, calibration and evaluation images; sets the entropy "
                        + "threshold on the calibration images at --frr; reports the share of clean evaluation "
                        + "images rejected and of triggered ones (the trigger flags; default the demo's 2x2 square, "
                        + "target 0) caught."})
public final class StripCommand implements Callable<Integer> {

    /** Most blends per input: ten times the paper's 100 (the time grows with it; 1000 is 31 times the default's). */
    static final int MAX_PERTURBATIONS = 1000;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model saved by train or demo.")
    Path model;

    @Mixin
    InputNormalizationOptions normalization;

    @Mixin
    DataOptions data;

    @Mixin
    BackdoorOptions backdoor;

    @Mixin
    BackendOptions run;

    @Option(names = "--frr", paramLabel = "R", defaultValue = "0.01",
            description = "False rejection rate the threshold is set for: the share of clean images one accepts "
                    + "to flag, in (0, 1) (default: ${DEFAULT-VALUE}).")
    double frr;

    @Option(names = "--perturbations", paramLabel = "N", defaultValue = "" + Strip.Settings.DEFAULT_PERTURBATIONS,
            description = "Clean images each input is blended with (the paper uses 100; default: ${DEFAULT-VALUE}).")
    int perturbations;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seeds the split of the test set and the images drawn to blend (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    String json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!(frr > 0 && frr < 1)) {
            throw new UserException("--frr must be in (0, 1), got " + frr,
                    "pass the share of clean inputs you accept to reject, e.g. --frr 0.01");
        }
        Check.inRange("--perturbations", perturbations, 1, MAX_PERTURBATIONS);
        Path folder = data.folder();
        Path jsonFile = new OutputFiles().data("--data", folder).input("--model", model)
                .input("--trigger", backdoor.pictureFile())
                .file("--json", json).check().path("--json");
        MnistLayout layout = DataOptions.inspect(folder);
        Trigger trigger = backdoor.testTrigger(layout, folder);
        try (OutputLock lock = OutputFiles.lock(jsonFile, "--json")) {
            return strip(out, trigger, folder, layout, jsonFile);
        }
    }

    private int strip(PrintWriter out, Trigger trigger, Path folder, MnistLayout layout, Path json)
            throws IOException {
        ModelOnData read = ModelOnData.load(model, normalization, folder, layout);
        Network net = read.net();
        MnistData mnist = read.mnist();
        backdoor.validate(net.classes());

        Errors.doing("running STRIP on " + model);
        Strip.Settings settings = Strip.Settings.defaults(seed).withPerturbations(perturbations);
        Strip.Result r = Strip.run(net, mnist.test(), trigger, backdoor.mode(), backdoor.targetClass(), frr,
                settings, run.create());
        Strip.Settings used = r.settings();
        out.printf(Locale.ROOT, "STRIP on %s: %d blends per input with %,d clean overlays; threshold set on %,d "
                        + "clean calibration images at FRR %.2f%%: entropy < %.4f bits is flagged%n",
                model, used.perturbations(), used.overlays(), used.calibration(), 100 * frr, r.threshold());
        if (Strip.orderStatistic(used.calibration(), frr) < 0) {
            out.printf(Locale.ROOT, "note: %d calibration images are too few to promise a false rejection rate of "
                    + "%s, so nothing is flagged; use a data folder with more test images or a larger --frr%n",
                    used.calibration(), frr);
        }
        out.printf(Locale.ROOT, "clean:     %,5d test images, %5.2f%% rejected (entropy mean %.3f, median %.3f bits)%n",
                r.cleanCount(), 100 * r.falseRejectionRate(), r.clean().mean(), r.clean().median());
        out.printf(Locale.ROOT, "triggered: %,5d test images, %5.2f%% caught   (entropy mean %.3f, median %.3f bits; "
                        + "trigger %s, %s)%n",
                r.triggeredCount(), 100 * r.detectionRate(), r.triggered().mean(), r.triggered().median(),
                trigger.describe(), backdoor.mode() == PoisonPlan.Mode.ALL_TO_ALL
                        ? "all-to-all" : "target " + backdoor.targetClass());

        if (json != null) {
            Json.write(json(r, trigger, folder), json);
        }
        out.flush();
        return 0;
    }

    private ObjectNode json(Strip.Result r, Trigger trigger, Path folder) {
        ObjectNode root = Json.object();
        root.put("frr_requested", r.frrRequested());
        root.put("false_rejection_rate", r.falseRejectionRate());
        root.put("detection_rate", r.detectionRate());
        root.put("threshold", r.threshold());
        root.put("triggered_count", r.triggeredCount());
        root.put("clean_count", r.cleanCount());
        root.put("calibration_count", r.settings().calibration());
        root.put("overlay_count", r.settings().overlays());
        root.put("perturbations", r.settings().perturbations());
        entropies(root.putObject("clean_entropy"), r.clean());
        entropies(root.putObject("triggered_entropy"), r.triggered());
        root.put("trigger", trigger.describe());
        root.put("mode", backdoor.mode().cliName());
        root.put("target", backdoor.targetClass());
        root.put("seed", seed);
        root.put("model", model.toAbsolutePath().toString());
        root.put("data", folder.toString());
        return root;
    }

    private static void entropies(ObjectNode node, Strip.Entropies e) {
        node.put("mean", e.mean());
        node.put("min", e.min());
        node.put("median", e.median());
        node.put("max", e.max());
    }
}
