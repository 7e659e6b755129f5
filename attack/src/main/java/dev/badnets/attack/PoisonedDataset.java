package dev.badnets.attack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.badnets.mnist.AtomicFiles;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The poisoned data set as the supply-chain artifact an attacker would publish: an MNIST-layout
 * folder (the poisoned training set, the clean test set) that any MNIST reader loads, plus
 * {@value #MANIFEST} recording what was poisoned.
 */
public final class PoisonedDataset {

    /** File name of the manifest inside a poisoned data folder. */
    public static final String MANIFEST = "manifest.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private PoisonedDataset() {
    }

    /**
     * Writes {@code poisoned}'s training images and {@code clean}'s test images as the four
     * uncompressed MNIST files in {@code outDir} (created if needed), then the manifest. Each file
     * goes through a temporary file and a rename; the manifest comes last, so a folder with a
     * manifest is complete.
     */
    public static void write(Path outDir, MnistData clean, PoisonedSet poisoned) throws IOException {
        int trainClasses = 1 + max(poisoned.images().labels());
        int testClasses = 1 + max(clean.test().labels());
        if (trainClasses < testClasses) {
            // Readers count classes from the training labels and would refuse the test labels.
            throw new IllegalArgumentException("poisoning relabelled every training image of class " + (testClasses - 1)
                    + ", so the folder would not load; poison fewer images or choose other source classes");
        }
        Mnist.write(outDir, poisoned.images(), clean.test());
        writeManifest(outDir, PoisonManifest.of(poisoned));
    }

    private static int max(byte[] labels) {
        int max = -1;
        for (byte b : labels) {
            max = Math.max(max, b & 0xFF);
        }
        return max;
    }

    /** Writes {@code manifest} as {@code dir/manifest.json} through a temporary file and a rename. */
    public static void writeManifest(Path dir, PoisonManifest manifest) throws IOException {
        AtomicFiles.write(dir.resolve(MANIFEST), out -> out.write(JSON.writeValueAsBytes(manifest)));
    }

    /**
     * The manifest of a poisoned data folder, or empty when {@code dir} has none (a clean folder).
     *
     * @throws ManifestFormatException if the manifest exists but is not a valid one
     */
    public static Optional<PoisonManifest> readManifest(Path dir) throws IOException {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        PoisonManifest m;
        try {
            m = JSON.readValue(file.toFile(), PoisonManifest.class);
        } catch (JsonProcessingException e) {
            throw malformed(file, e.getOriginalMessage().split("\n", 2)[0], e);
        }
        if (m == null || !PoisonManifest.FORMAT.equals(m.format())) {
            throw malformed(file, "format is " + (m == null ? "missing" : "'" + m.format() + "'")
                    + ", expected '" + PoisonManifest.FORMAT + "'", null);
        }
        if (m.poisonedIndices() == null || m.originalLabels() == null || m.poisonedLabels() == null
                || m.poisonedIndices().length != m.poisonedCount() || m.originalLabels().length != m.poisonedCount()
                || m.poisonedLabels().length != m.poisonedCount()) {
            throw malformed(file, "poisoned_count, poisoned_indices, original_labels and poisoned_labels disagree", null);
        }
        for (int i : m.poisonedIndices()) {
            if (i < 0 || i >= m.trainCount()) {
                throw malformed(file, "poisoned index " + i + " is outside the " + m.trainCount() + " training images", null);
            }
        }
        try {
            m.planMode();
        } catch (IllegalArgumentException e) {
            throw malformed(file, e.getMessage(), e);
        }
        return Optional.of(m);
    }

    private static ManifestFormatException malformed(Path file, String problem, Throwable cause) {
        return new ManifestFormatException(file + " is not a valid poisoning manifest (" + problem
                + "); re-create the folder with ./badnets poison, or delete the manifest", cause);
    }
}
