package dev.badnets.onnx;

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
 * each test's {@code @Timeout}, which Jazzer also applies in fuzzing mode.)
 */
final class FuzzBounds {

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
    static void within(long budget, int inputBytes, Parse parse) throws Exception {
        long spent = spent(parse);
        if (spent > budget) {
            spent = spent(parse);
        }
        assertTrue(spent <= budget, "parsing " + inputBytes + " bytes allocated " + spent
                + " bytes, over the budget of " + budget);
    }

    /** One parse of the input under test; the exceptions it documents are caught inside. */
    @FunctionalInterface
    interface Parse {
        void run() throws Exception;
    }

    private static long spent(Parse parse) throws Exception {
        long before = allocated();
        parse.run();
        return allocated() - before;
    }

    /** A scratch file for the inputs of one fuzz test, deleted when the JVM exits. */
    static Path scratch(String suffix) {
        try {
            Path file = Files.createTempFile("badnets-fuzz-", suffix);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
