package dev.badnets.cli.train;

import dev.badnets.attack.ImageSamples;

import dev.badnets.cli.Json;
import dev.badnets.cli.Models;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.Report;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.InputNormalizationOptions;
import dev.badnets.cli.options.BackdoorOptions;
import dev.badnets.cli.options.ModelOnData;

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

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model saved by train or demo.")
    Path model;

    @Mixin
    DataOptions data;

    @Mixin
    BackdoorOptions backdoor;

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
        boolean withTrigger = backdoor.given(spec);
        Path folder = data.folder();
        Path jsonFile = new OutputFiles().data("--data", folder).input("--model", model)
                .input("--trigger", withTrigger ? backdoor.pictureFile() : null)
                .file("--json", json).check().path("--json");
        MnistLayout layout = DataOptions.inspect(folder);
        Trigger trigger = withTrigger ? backdoor.testTrigger(layout, folder) : null;
        try (OutputLock lock = OutputFiles.lock(jsonFile, "--json")) {
            return evaluate(out, trigger, folder, layout, jsonFile);
        }
    }

    private int evaluate(PrintWriter out, Trigger trigger, Path folder, MnistLayout layout, Path json)
            throws java.io.IOException {
        ModelOnData read = ModelOnData.load(model, normalization, folder, layout);
        Network net = read.net();
        MnistData mnist = read.mnist();

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
            backdoor.validate(net.classes());
            BackdoorReport r = BackdoorMetrics.measure(net, mnist.test(), trigger, backdoor.mode(),
                    backdoor.targetClass(), run.create());
            Json.putBackdoor(root, r);
            root.put("trigger", trigger.describe());
            root.put("mode", backdoor.mode().cliName());
            root.put("target", backdoor.targetClass());
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
