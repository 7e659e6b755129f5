package dev.badnets.attack;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.badnets.mnist.testing.FuzzBounds;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link PoisonedDataset#readManifest}, the {@code manifest.json} of a poisoned data folder.
 * Its contract: a manifest that is not valid raises {@link ManifestFormatException} and nothing
 * else escapes, and reading it allocates in proportion to its bytes. The inputs under
 * {@code src/test/resources/dev/badnets/attack/PoisonManifestFuzzTestInputs/readsManifestOrRefuses}
 * run in every build.
 */
class PoisonManifestFuzzTest {

    private static final Path DIR = FuzzBounds.scratchFolder();

    static {
        // Jackson builds its deserializers on first use: not the first input's time
        try {
            Files.writeString(DIR.resolve(PoisonedDataset.MANIFEST), "{}");
            PoisonedDataset.readManifest(DIR);
        } catch (java.io.IOException expected) {
            // "{}" is refused; the classes are loaded
        }
    }

    @FuzzTest
    @Timeout(10)
    void readsManifestOrRefuses(byte[] input) throws Exception {
        Files.write(DIR.resolve(PoisonedDataset.MANIFEST), input);
        // the text, Jackson's tree of it and the record built from the tree
        FuzzBounds.within((16L << 20) + 64L * input.length, input.length, () -> {
            try {
                PoisonedDataset.readManifest(DIR);
            } catch (ManifestFormatException refused) {
                // the documented answer to an invalid manifest
            }
        });
    }
}
