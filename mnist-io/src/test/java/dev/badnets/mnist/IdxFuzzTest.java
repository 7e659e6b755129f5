package dev.badnets.mnist;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.badnets.mnist.testing.FuzzBounds;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link Idx#read(Path)}, raw and gzip-compressed files alike. Its contract: a malformed file
 * raises {@link IdxFormatException} and nothing else (any other exception or error is a finding),
 * and reading allocates no more than the file can hold: a raw payload is no larger than the file,
 * a gzip one at most 1,100 times it. The inputs under
 * {@code src/test/resources/dev/badnets/mnist/IdxFuzzTestInputs/readsIdxOrRefuses} run in every build.
 */
class IdxFuzzTest {

    private static final Path FILE = FuzzBounds.scratch(".idx");

    @FuzzTest
    @Timeout(10)
    void readsIdxOrRefuses(byte[] input) throws Exception {
        Files.write(FILE, input);
        // the payload, its decoded copy and the growth of a gzip payload's buffer
        FuzzBounds.within((16L << 20) + 4L * 1100 * input.length, input.length, () -> {
            try {
                Idx.read(FILE);
            } catch (IdxFormatException refused) {
                // the documented answer to a malformed file
            }
        });
    }
}
