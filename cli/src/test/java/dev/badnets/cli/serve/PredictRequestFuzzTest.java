package dev.badnets.cli.serve;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.badnets.mnist.testing.FuzzBounds;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link PredictRequest#parse}, the body of serve's {@code POST /api/predict}. Its contract:
 * a body that is not exactly one request raises {@link PredictRequest.Invalid} with a message of
 * one line, nothing else escapes, and parsing allocates in proportion to the body. The inputs under
 * {@code src/test/resources/dev/badnets/cli/serve/PredictRequestFuzzTestInputs/parsesRequestOrRefuses}
 * run in every build.
 */
public class PredictRequestFuzzTest {

    /** A small image, so that valid requests are within the fuzzer's reach. */
    private static final int ROWS = 2;
    private static final int COLS = 3;

    static {
        // Jackson sets itself up on first use: not the first input's time
        try {
            PredictRequest.parse(new byte[] {'{', '}'}, 2, ROWS, COLS, new byte[ROWS * COLS]);
        } catch (PredictRequest.Invalid expected) {
            // "{}" has no pixels; the classes are loaded
        }
    }

    @FuzzTest
    @Timeout(10)
    void parsesRequestOrRefuses(byte[] input) throws Exception {
        byte[] pixels = new byte[ROWS * COLS];
        // the bytes, Jackson's tree of them and its buffers
        FuzzBounds.within((4L << 20) + 64L * input.length, input.length, () -> {
            try {
                PredictRequest.parse(input, input.length, ROWS, COLS, pixels);
            } catch (PredictRequest.Invalid refused) {
                assertFalse(refused.getMessage().contains("\n"), "one line: " + refused.getMessage());
            }
        });
    }
}
