package dev.badnets.examples.cli;

import dev.badnets.mnist.DataFolder;
import dev.badnets.mnist.IdxFormatException;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data DIR}, resolved as the contract says: the flag, else BADNETS_DATA, else the user's cache. */
final class DataOptions {

    @Option(names = "--data", paramLabel = "DIR",
            description = "MNIST-layout data folder (default: $BADNETS_DATA, else "
                    + "$XDG_CACHE_HOME/badnets/mnist or ~/.cache/badnets/mnist).")
    String data;

    /** The folder the flags and environment point at, whether or not it holds data. */
    Path folder() {
        return DataFolder.resolve(data).toAbsolutePath().normalize();
    }

    /** True when the folder holds all four MNIST-layout files (raw or gzip). */
    static boolean hasData(Path folder) {
        for (String name : Mnist.FILE_NAMES) {
            try {
                Mnist.locate(folder, name);
            } catch (IdxFormatException e) {
                return false;
            }
        }
        return true;
    }

    /** Loads the data folder, or says exactly what to run when it holds no data. */
    MnistData load() throws IOException {
        return load(folder());
    }

    static MnistData load(Path folder) throws IOException {
        if (!hasData(folder)) {
            throw missing(folder);
        }
        return Mnist.load(folder);
    }

    static UserException missing(Path folder) {
        return new UserException("no MNIST data in " + folder,
                "run `./badnets download` or pass --data DIR");
    }
}
