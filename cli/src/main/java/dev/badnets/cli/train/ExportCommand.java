package dev.badnets.cli.train;

import dev.badnets.cli.Errors;
import dev.badnets.cli.Models;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.options.InputNormalizationOptions;

import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.mnist.OutputLock;
import dev.badnets.onnx.OnnxWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code badnets export}: a model as ONNX, for PyTorch, onnxruntime or any other ONNX runtime. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a model as ONNX (opset " + OnnxWriter.OPSET + "): input 'input' [N, C, H, W] float, "
                + "pixels in [0, 1] before the model's own normalisation; output 'logits' [N, classes].",
                "A model on flat vectors of a square number of values is exported for square one-channel images."})
public final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "The model to export (BDNT or ONNX).")
    Path model;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the .onnx file.")
    String out;

    @Mixin
    InputNormalizationOptions normalization;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        Path target = new OutputFiles().input("--model", model).file("--out", out).check().path("--out");
        try (OutputLock lock = OutputFiles.lock(target, "--out")) {
            Errors.doing("reading the model " + model);
            Network net = normalization.apply(Models.load(model));
            Errors.doing("writing " + target);
            OnnxWriter.write(net, imageShape(net), "input", target);
            stdout.println("wrote " + target + " (ONNX opset " + OnnxWriter.OPSET + ", " + net.spec() + ")");
            stdout.flush();
        }
        return 0;
    }

    /** The image a network on flat vectors reads: square and one channel when its width is a square, else none. */
    static Shape imageShape(Network net) {
        Shape in = net.inputShape();
        if (!in.isFlat()) {
            return in;
        }
        int side = (int) Math.round(Math.sqrt(in.size()));
        return side * side == in.size() ? Shape.image(side, side) : null;
    }
}
