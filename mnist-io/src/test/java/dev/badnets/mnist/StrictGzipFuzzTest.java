package dev.badnets.mnist;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.badnets.mnist.testing.FuzzBounds;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link StrictGzipInputStream}, reading each input to its end. Its contract: truncation
 * raises {@link EOFException}, corruption and trailing bytes {@link ZipException}, and nothing else
 * escapes; inflating allocates only the stream's own buffers, however much the input expands.
 * The inputs under {@code src/test/resources/dev/badnets/mnist/StrictGzipFuzzTestInputs/inflatesOrRefuses}
 * run in every build.
 */
class StrictGzipFuzzTest {

    private static final int BUFFER = 8192;

    @FuzzTest
    @Timeout(10)
    void inflatesOrRefuses(byte[] input) throws Exception {
        byte[] sink = new byte[BUFFER];
        FuzzBounds.within(1L << 20, input.length, () -> {
            try (StrictGzipInputStream in = new StrictGzipInputStream(new ByteArrayInputStream(input), BUFFER)) {
                while (in.read(sink, 0, sink.length) >= 0) {
                    // the decompressed bytes are dropped: only the stream's own work is measured
                }
            } catch (EOFException | ZipException refused) {
                // the documented answers to a truncated or corrupt stream
            }
        });
    }
}
