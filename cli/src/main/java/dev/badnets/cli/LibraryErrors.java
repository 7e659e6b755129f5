package dev.badnets.cli;

import dev.badnets.attack.ManifestFormatException;
import dev.badnets.core.ModelFormatException;
import dev.badnets.mnist.IdxFormatException;

/** The bad-input exceptions of badnets' libraries, and what to do about each. */
public final class LibraryErrors {

    private LibraryErrors() {
    }

    static boolean isBadInput(Throwable e) {
        return e instanceof IdxFormatException || e instanceof ModelFormatException
                || e instanceof ManifestFormatException;
    }

    /** The fix, for messages that do not already carry one after "; ". */
    static String fix(Throwable e) {
        if (e instanceof dev.badnets.onnx.OnnxFormatException) {
            return "pass an ONNX image classifier of the operators badnets reads (see OnnxReader), "
                    + "or a model written by `./badnets train`";
        }
        if (e instanceof ModelFormatException) {
            return "pass a model file written by `./badnets train` or `./badnets demo`";
        }
        if (e instanceof ManifestFormatException) {
            return "write the poisoned folder again with `./badnets poison`, or delete the manifest";
        }
        return "pass a valid IDX file (raw or gzip), or run `./badnets download` for a fresh copy of MNIST";
    }
}
