package dev.badnets.cli;

import dev.badnets.core.ModelFiles;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Model files ({@link ModelFiles}: written whole or not at all), with the command line's advice
 * when one is missing or does not fit the data.
 */
final class Models {

    private Models() {
    }

    static void save(Network net, Path file) throws IOException {
        ModelFiles.save(net, file);
    }

    static Network load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UserException("no model file at " + file,
                    "pass a model written by `./badnets train` or `./badnets demo` with --model FILE");
        }
        return ModelFiles.load(file);
    }

    /** Refuses a model trained on another image size or with fewer classes than the data. */
    static void checkFits(Network net, Path file, int rows, int cols, int classes, Path data) {
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
