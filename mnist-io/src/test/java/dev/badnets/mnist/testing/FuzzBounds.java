package dev.badnets.mnist.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the fuzz tests hold a parser to besides its exception types: the bytes the calling thread
 * allocates while it parses one input stay within a budget that grows with the input, so no header
 * can make the parser allocate far beyond what the data needs. (The time per input is bounded by
 * each test's {@code @Timeout}, which Jazzer also applies in fuzzing mode.) Shared by every module's
 * fuzz tests through mnist-io's test-jar.
 */
public final class FuzzBounds {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private FuzzBounds() {
    }

    private static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Runs {@code parse} and fails when it allocated more than {@code budget} bytes on the calling
     * thread. Over budget, it runs once more and judges that run: the first parse of a JVM also
     * loads and initialises classes, a cost paid once and not per input.
     */
    public static void within(long budget, int inputBytes, Parse parse) throws Exception {
        long spent = spent(parse);
        if (spent > budget) {
            spent = spent(parse);
        }
        assertTrue(spent <= budget, "parsing " + inputBytes + " bytes allocated " + spent
                + " bytes, over the budget of " + budget);
    }

    /** One parse of the input under test; the exceptions it documents are caught inside. */
    @FunctionalInterface
    public interface Parse {
        void run() throws Exception;
    }

    private static long spent(Parse parse) throws Exception {
        long before = allocated();
        parse.run();
        return allocated() - before;
    }

    /** A scratch file for the inputs of one fuzz test, deleted when the JVM exits. */
    public static Path scratch(String suffix) {
        try {
            Path file = Files.createTempFile("badnets-fuzz-", suffix);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A scratch folder for the inputs of one fuzz test; what is left in it is deleted when the JVM exits. */
    public static Path scratchFolder() {
        try {
            Path dir = Files.createTempDirectory("badnets-fuzz-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.list(dir)) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        Files.deleteIfExists(file);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    // a temporary folder left behind
                }
            }));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
