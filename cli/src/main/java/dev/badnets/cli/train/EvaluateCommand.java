package dev.badnets.cli.train;

import dev.badnets.attack.ImageSamples;

import dev.badnets.cli.Errors;
import dev.badnets.cli.Json;
import dev.badnets.cli.Models;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.Report;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.InputNormalizationOptions;
import dev.badnets.cli.options.TargetOptions;
import dev.badnets.cli.options.AttackOptions;
import dev.badnets.cli.options.TriggerOptions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.BackdoorMetrics;
import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.Trigger;
import dev.badnets.core.Evaluation;
import dev.badnets.core.Evaluator;
import dev.badnets.core.Network;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.MnistLayout;
import dev.badnets.mnist.OutputLock;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code badnets evaluate}: clean accuracy of a saved model, and its ASR when a trigger is given. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Test accuracy of a saved model on a data folder's test set.",
                "With any trigger flag (--trigger, --trigger-size, --trigger-value, --position, --alpha, "
                        + "--target, --mode) also the attack success rate of that trigger."})
public final class EvaluateCommand implements Callable<Integer> {

    private static final List<String> TRIGGER_FLAGS = List.of("--attack", "--trigger", "--trigger-size",
            "--trigger-value", "--position", "--alpha", "--target", "--mode");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model saved by train or demo.")
    Path model;

    @Mixin
    DataOptions data;

    @Mixin
    TriggerOptions triggerOptions;

    @Mixin
    AttackOptions attackOptions;

    @Mixin
    TargetOptions targetOptions;

    @Mixin
    BackendOptions run;

    @Mixin
    InputNormalizationOptions normalization;

    @Option(names = "--predictions", paramLabel = "FILE",
            description = "Also write the predicted class of every test image, one a line, in the data's order.")
    Path predictions;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    String json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        boolean withTrigger = triggerGiven(spec);
        Path folder = data.folder();
        Path jsonFile = new OutputFiles().data("--data", folder).input("--model", model)
                .input("--trigger", withTrigger ? triggerOptions.pictureFile() : null)
                .file("--json", json).check().path("--json");
        MnistLayout layout = DataOptions.inspect(folder);
        Trigger trigger = withTrigger
                ? attackOptions.testTrigger(triggerOptions, layout.rows(), layout.cols(), folder) : null;
        try (OutputLock lock = OutputFiles.lock(jsonFile, "--json")) {
            return evaluate(out, trigger, folder, layout, jsonFile);
        }
    }

    /** Whether the command line gave any trigger flag (then the command measures that trigger's ASR). */
    public static boolean triggerGiven(CommandSpec spec) {
        return TRIGGER_FLAGS.stream().anyMatch(flag -> spec.commandLine().getParseResult().hasMatchedOption(flag));
    }

    private int evaluate(PrintWriter out, Trigger trigger, Path folder, MnistLayout layout, Path json)
            throws java.io.IOException {
        Errors.doing("reading the model " + model);
        Network net = normalization.apply(Models.load(model));
        MnistData mnist = DataOptions.load(layout);
        Models.checkFits(net, model, mnist.test().rows(), mnist.test().cols(), mnist.classes(), folder);

        ObjectNode root = Json.object();
        if (predictions != null) {
            Models.writePredictions(Evaluator.predict(net, ImageSamples.of(mnist.test(), net.classes()), run.create()),
                    predictions);
        }
        if (trigger == null) {
            Evaluation e = Evaluator.evaluate(net, ImageSamples.of(mnist.test(), net.classes()), run.create());
            root.put("clean_accuracy", e.accuracy());
            out.printf(Locale.ROOT, "clean accuracy %.2f%% on %d test images of %s%n",
                    100 * e.accuracy(), mnist.test().count(), folder);
        } else {
            targetOptions.validate(net.classes());
            BackdoorReport r = BackdoorMetrics.measure(net, mnist.test(), trigger, targetOptions.mode(),
                    targetOptions.target, run.create());
            Json.putBackdoor(root, r);
            root.put("trigger", trigger.describe());
            root.put("mode", targetOptions.mode().cliName());
            root.put("target", targetOptions.target);
            out.print(Report.backdoorLines(r, mnist.test().count()));
        }
        root.put("model", model.toAbsolutePath().toString());
        root.put("data", folder.toString());
        if (json != null) {
            Json.write(root, json);
        }
        out.flush();
        return 0;
    }
}
