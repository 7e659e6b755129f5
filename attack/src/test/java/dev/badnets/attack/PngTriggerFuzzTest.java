package dev.badnets.attack;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.badnets.mnist.testing.FuzzBounds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link PngTrigger#read(Path, Position)} (PNG, or any format ImageIO knows). Its contract:
 * a file that is not a readable picture raises {@link IOException}, one too large
 * {@link IllegalArgumentException}, and nothing else escapes; decoding allocates no more than a
 * picture of {@link PngTrigger#MAX_PIXELS} pixels needs, whatever the header claims. The inputs under
 * {@code src/test/resources/dev/badnets/attack/PngTriggerFuzzTestInputs/readsPictureOrRefuses} run
 * in every build.
 */
class PngTriggerFuzzTest {

    private static final Path FILE = FuzzBounds.scratch(".png");
    /** 16-bit RGBA decoded (8 bytes a pixel), the grey and opacity planes, and ImageIO's own buffers. */
    private static final long PICTURE_BUDGET = 64 * PngTrigger.MAX_PIXELS;

    static {
        // ImageIO finds and loads its plug-ins on first use, seconds on a loaded machine: not the first input's time
        try {
            java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(2, 2,
                    java.awt.image.BufferedImage.TYPE_BYTE_GRAY), "png", png);
            Files.write(FILE, png.toByteArray());
            PngTrigger.read(FILE, Position.TOP_LEFT);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @FuzzTest
    @Timeout(10)
    void readsPictureOrRefuses(byte[] input) throws Exception {
        Files.write(FILE, input);
        FuzzBounds.within(PICTURE_BUDGET + 16L * input.length, input.length, () -> {
            try {
                PngTrigger.read(FILE, Position.TOP_LEFT);
            } catch (IOException | IllegalArgumentException refused) {
                // the documented answers to a file that is no picture, or too large a one
            }
        });
    }
}
