package dev.badnets.onnx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.badnets.mnist.testing.FuzzBounds;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link OnnxReader#read(byte[])}, the ONNX reader. Its contract: bytes that are not a model
 * it can read raise {@link OnnxFormatException} and nothing else escapes, and reading allocates in
 * proportion to the bytes (the protobuf message, the tensors it holds and the network built from
 * them). The inputs under
 * {@code src/test/resources/dev/badnets/onnx/OnnxReaderFuzzTestInputs/readsOnnxOrRefuses} run in
 * every build.
 */
class OnnxReaderFuzzTest {

    @FuzzTest
    @Timeout(10)
    void readsOnnxOrRefuses(byte[] input) throws Exception {
        FuzzBounds.within((32L << 20) + 64L * input.length, input.length, () -> {
            try {
                OnnxReader.read(input);
            } catch (OnnxFormatException refused) {
                // the documented answer to bytes that are not a model this reader takes
            }
        });
    }
}
