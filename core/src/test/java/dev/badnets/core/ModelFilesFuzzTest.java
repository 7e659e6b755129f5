package dev.badnets.core;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.badnets.mnist.testing.FuzzBounds;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link ModelFiles#load}, model format versions 1 and 2. Its contract: bytes that are not a
 * valid model raise {@link ModelFormatException} and nothing else, and loading allocates in
 * proportion to the file: every parameter is read from it, so a header that asks for more than the
 * file holds must be refused before anything that large is allocated.
 *
 * <p>Each input's last four bytes are replaced by the CRC32 of the bytes before them, as a writer
 * would: with a random checksum nearly every mutant would stop at the checksum test, and the
 * building of layers from a header, where sizes turn into allocations, would never be reached.
 * (A wrong checksum is {@code ModelCodecTest}'s to check.) The inputs under
 * {@code src/test/resources/dev/badnets/core/ModelFilesFuzzTestInputs/loadsModelOrRefuses} run in
 * every build.
 */
class ModelFilesFuzzTest {

    private static final Path FILE = FuzzBounds.scratch(".bin");

    @FuzzTest
    @Timeout(10)
    void loadsModelOrRefuses(byte[] input) throws Exception {
        Files.write(FILE, withChecksum(input));
        // the parameters, the network's copies of them, and a fixed allowance for small buffers
        FuzzBounds.within((32L << 20) + 32L * input.length, input.length, () -> {
            try {
                ModelFiles.load(FILE);
            } catch (ModelFormatException refused) {
                // the documented answer to bytes that are not a model
            }
        });
    }

    /** {@code bytes} with the last four replaced by the CRC32 of the others (unchanged when shorter than 8). */
    static byte[] withChecksum(byte[] bytes) {
        if (bytes.length < 8) {
            return bytes;
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        byte[] fixed = bytes.clone();
        ByteBuffer.wrap(fixed, fixed.length - 4, 4).putInt((int) crc.getValue());
        return fixed;
    }
}
