package dev.badnets.cli.options;

import dev.badnets.cli.Errors;
import dev.badnets.cli.RunFailure;
import dev.badnets.cli.UserException;

import dev.badnets.attack.PoisonedDataset;
import dev.badnets.mnist.DataFolder;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.MnistLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code --data DIR}, resolved as the contract says: the flag, else BADNETS_DATA, else the user's cache. */
public final class DataOptions {

    @Option(names = "--data", paramLabel = "DIR",
            description = "MNIST-layout data folder (default: $BADNETS_DATA, else "
                    + "$XDG_CACHE_HOME/badnets/mnist or ~/.cache/badnets/mnist).")
    String data;

    /** The folder the flags and environment point at, whether or not it holds data. */
    public Path folder() {
        return DataFolder.resolve(data).toAbsolutePath().normalize();
    }

    /** True when the folder holds none of the four MNIST-layout files: a download may fill it. */
    public static boolean isEmpty(Path folder) {
        return !Files.isDirectory(folder) || Mnist.missing(folder).size() == Mnist.FILE_NAMES.size();
    }

    /**
     * Reads the four headers and checks them against one another, before any payload: says exactly
     * what to run when the folder holds no data, and names the missing files when it holds some.
     */
    public static MnistLayout inspect(Path folder) throws IOException {
        if (isEmpty(folder)) {
            throw missing(folder);
        }
        List<String> missing = Mnist.missing(folder);
        if (!missing.isEmpty()) {
            throw new UserException("the data folder " + folder + " is incomplete: " + String.join(", ", missing)
                    + " (raw or .gz) " + (missing.size() == 1 ? "is" : "are") + " missing",
                    "add " + (missing.size() == 1 ? "it" : "them") + ", run `./badnets download --data " + folder
                            + "` to fetch MNIST there, or pass a complete --data DIR");
        }
        return Mnist.inspect(folder);
    }

    /**
     * Loads a data folder whose headers passed {@link #inspect}: refuses what the heap cannot hold, and
     * a poisoned folder whose files disagree with its manifest.
     */
    public static MnistData load(MnistLayout layout) throws IOException {
        Path folder = layout.trainImages().getParent();
        long bytes = layout.payloadBytes();
        long max = Runtime.getRuntime().maxMemory();
        String size = String.format(Locale.ROOT, "%,d MB", Math.max(1, bytes >> 20));
        if (bytes > max) {
            throw new RunFailure("the data folder " + folder + " holds " + layout.trainCount() + " + "
                    + layout.testCount() + " images of " + layout.rows() + "x" + layout.cols() + " (" + size
                    + "), more than the " + (max >> 20) + " MB Java may use",
                    "give Java more heap, e.g. JAVA_OPTS=-Xmx" + Math.max(2, (2 * bytes >> 30) + 1) + "g ./badnets ...",
                    null);
        }
        PoisonedDataset.verify(folder);
        Errors.doing("loading the data folder " + folder + " (" + size + ")");
        return Mnist.load(folder);
    }

    /** {@link #inspect} then {@link #load}. */
    public static MnistData load(Path folder) throws IOException {
        return load(inspect(folder));
    }

    static UserException missing(Path folder) {
        return new UserException("no MNIST data in " + folder,
                "run `./badnets download` or pass --data DIR");
    }
}
