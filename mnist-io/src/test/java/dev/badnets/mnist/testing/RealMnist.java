package dev.badnets.mnist.testing;

import dev.badnets.mnist.DataFolder;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The real MNIST folder for the tests of every module, found where the command line looks for it
 * ({@link DataFolder#resolve}): {@code BADNETS_DATA}, else {@code $XDG_CACHE_HOME/badnets/mnist}, else
 * {@code ~/.cache/badnets/mnist}, where {@code ./badnets demo} downloads it. A relative
 * {@code BADNETS_DATA} is relative to the repository root (the system property {@code badnets.root}
 * the build sets), since each module's tests run in the module's folder.
 *
 * <p>Classes that need the data carry {@link RequiresMnist}, which reports each of their tests as
 * skipped, with {@link #absence()} as the reason, when the folder lacks a file.
 */
public final class RealMnist {

    private RealMnist() {
    }

    /** The folder the tests read, absolute; it may not exist. */
    public static Path folder() {
        Path folder = DataFolder.resolve(null);
        if (!folder.isAbsolute()) {
            folder = Path.of(System.getProperty("badnets.root", ".")).resolve(folder);
        }
        return folder.toAbsolutePath().normalize();
    }

    /** Whether {@link #folder()} holds the four MNIST files, raw or gzipped. */
    public static boolean isPresent() {
        return Mnist.missing(folder()).isEmpty();
    }

    /** Why the tests that need MNIST cannot run, or null when they can. */
    public static String absence() {
        List<String> missing = Mnist.missing(folder());
        if (missing.isEmpty()) {
            return null;
        }
        String env = System.getenv(DataFolder.ENV_VARIABLE);
        return "no real MNIST in " + folder() + " (missing " + String.join(", ", missing) + "; "
                + (env == null || env.isBlank() ? DataFolder.ENV_VARIABLE + " is unset, so that is the cache folder"
                        : "named by " + DataFolder.ENV_VARIABLE)
                + "): run `./badnets download` or set " + DataFolder.ENV_VARIABLE + " to a folder holding it";
    }

    /**
     * The folder, for a test that needs it: the test is skipped (a JUnit assumption) when the data is not
     * there. Call it from a test or {@code @BeforeEach}; in {@code @BeforeAll} an assumption aborts the
     * whole class, which Surefire reports as no test at all (use {@link RequiresMnist} there).
     */
    public static Path folderOrSkip() {
        String absence = absence();
        Assumptions.assumeTrue(absence == null, absence);
        return folder();
    }

    /**
     * Loads the four files, or returns null when they are not there: for a {@code @BeforeAll} of a
     * class marked {@link RequiresMnist}, which then skips every test, naming the reason.
     */
    public static MnistData loadIfPresent() throws IOException {
        return isPresent() ? load() : null;
    }

    /**
     * Writes the first {@code trainCount} training and {@code testCount} test images of the real MNIST
     * into {@code folder}, a small data folder for tests that run commands on it; writes nothing when
     * the data is not there ({@link RequiresMnist} then skips the tests). Returns {@code folder}.
     */
    public static Path slice(Path folder, int trainCount, int testCount) throws IOException {
        if (isPresent()) {
            MnistData data = load();
            Mnist.write(folder, data.train().slice(0, trainCount), data.test().slice(0, testCount));
        }
        return folder;
    }

    /** Loads the four files (a fresh copy per call: tests may change what they get). */
    public static MnistData load() throws IOException {
        return Mnist.load(folder());
    }
}
