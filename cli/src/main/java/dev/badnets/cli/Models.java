package dev.badnets.cli;

import dev.badnets.core.Layer;
import dev.badnets.core.ModelFiles;
import dev.badnets.core.ModelReader;
import dev.badnets.core.Network;
import dev.badnets.core.Normalization;
import dev.badnets.core.Shape;
import dev.badnets.onnx.OnnxModel;
import dev.badnets.onnx.OnnxReader;
import dev.badnets.onnx.OnnxWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Model files ({@link ModelFiles}: written whole or not at all), with the command line's advice
 * when one is missing or does not fit the data.
 */
public final class Models {

    private Models() {
    }

    public static void save(Network net, Path file) throws IOException {
        ModelFiles.save(net, file);
    }

    /** Whether {@code file} holds an ONNX model (by its first bytes, as {@link ModelFiles#load} decides). */
    public static boolean isOnnx(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return OnnxReader.recognizes(in.readNBytes(ModelReader.HEAD_BYTES));
        }
    }

    /**
     * Saves {@code net} in the format of the model it came from: ONNX with the original's input
     * name and shape when {@code original} is an ONNX file, without the normalisation that
     * {@code --input-mean}/{@code --input-std} put in front (so the file takes what the original
     * took); else this project's format.
     */
    public static void saveLike(Network net, Path file, Path original, boolean flagsNormalize) throws IOException {
        if (!isOnnx(original)) {
            save(net, file);
            return;
        }
        OnnxModel source = OnnxReader.read(original);
        Network written = net;
        if (flagsNormalize && net.layer(0) instanceof Normalization) {
            List<Layer> rest = net.layers().subList(1, net.layerCount());
            written = new Network(rest, net.loss());
        }
        OnnxWriter.write(written, source.inputShape(), source.inputName(), file);
    }

    /** Writes one predicted class a line (whole or not at all, like every output file). */
    public static void writePredictions(int[] predictions, Path file) throws IOException {
        StringBuilder s = new StringBuilder(predictions.length * 2);
        for (int p : predictions) {
            s.append(p).append('\n');
        }
        Path target = file.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(tmp, s, StandardCharsets.US_ASCII);
        Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    public static Network load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UserException("no model file at " + file,
                    "pass a model written by `./badnets train` or `./badnets demo` with --model FILE");
        }
        return ModelFiles.load(file);
    }

    /** Refuses a model trained on another image size or with fewer classes than the data. */
    public static void checkFits(Network net, Path file, int rows, int cols, int classes, Path data) {
        if (!net.accepts(Shape.image(rows, cols))) {
            throw new UserException("model " + file + " takes " + net.inputShape().describe() + " but the images in "
                    + data + " are " + rows + "x" + cols + " (" + rows * cols + " pixels)",
                    "use a model trained on images of this size, e.g. `./badnets train --data " + data + "`");
        }
        if (net.classes() < classes) {
            throw new UserException("model " + file + " knows " + net.classes() + " classes but the data in "
                    + data + " has " + classes,
                    "use a model trained on this data, e.g. `./badnets train --data " + data + "`");
        }
    }
}
