package dev.badnets.attack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.badnets.mnist.AtomicFiles;
import dev.badnets.mnist.AtomicFolder;
import dev.badnets.mnist.Idx;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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

    /**
     * File name of the attacked test images inside a poisoned data folder: the test images, in the test
     * set's order, with the attack's test-time trigger applied, so that any client can measure the
     * attack without this project's code.
     */
    public static final String ATTACKED_TEST_IMAGES = "t10k-images-attacked-idx3-ubyte";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private PoisonedDataset() {
    }

    /**
     * Names that a data folder written here owns: the four MNIST files (raw and gzip) and the
     * manifest. Replacing a folder drops all of them, so no stale file of an older run survives.
     */
    public static final Set<String> OWN_NAMES = ownNames();

    private static Set<String> ownNames() {
        Set<String> names = new TreeSet<>();
        for (String name : Mnist.FILE_NAMES) {
            names.add(name);
            names.add(name + ".gz");
        }
        names.add(MANIFEST);
        names.add(ATTACKED_TEST_IMAGES);
        names.add(ATTACKED_TEST_IMAGES + ".gz");
        return Collections.unmodifiableSet(names);
    }

    /**
     * Writes {@code poisoned}'s training images and {@code clean}'s test images as the four
     * uncompressed MNIST files in {@code outDir}, the test images with the test-time trigger as
     * {@value #ATTACKED_TEST_IMAGES}, and the manifest recording their SHA-256 sums. The
     * folder is written as one set ({@link AtomicFolder}): an older folder there is replaced whole, or
     * kept whole when the write fails or is killed; its other plain files are kept.
     *
     * @throws dev.badnets.mnist.OutputInUseException when another process is writing {@code outDir}
     */
    public static void write(Path outDir, MnistData clean, PoisonedSet poisoned) throws IOException {
        checkLoadable(clean, poisoned);
        try (AtomicFolder folder = AtomicFolder.begin(outDir, OWN_NAMES)) {
            writeInto(folder.staging(), clean, poisoned);
            folder.commit();
        }
    }

    /**
     * Writes the five files and the manifest into {@code dir} (created if needed) file by file, for a
     * caller that makes the folder atomic itself (an {@link AtomicFolder}'s staging folder).
     */
    public static void writeInto(Path dir, MnistData clean, PoisonedSet poisoned) throws IOException {
        checkLoadable(clean, poisoned);
        Mnist.write(dir, poisoned.images(), clean.test());
        Idx.write(dir.resolve(ATTACKED_TEST_IMAGES), Poisoning.stampAll(clean.test(), poisoned.trigger()).imagesArray());
        Map<String, String> sums = new TreeMap<>();
        for (String name : Mnist.FILE_NAMES) {
            sums.put(name, sha256(dir.resolve(name)));
        }
        sums.put(ATTACKED_TEST_IMAGES, sha256(dir.resolve(ATTACKED_TEST_IMAGES)));
        writeManifest(dir, PoisonManifest.of(poisoned, sums));
    }

    private static void checkLoadable(MnistData clean, PoisonedSet poisoned) {
        int trainClasses = 1 + max(poisoned.images().labels());
        int testClasses = 1 + max(clean.test().labels());
        if (trainClasses < testClasses) {
            // Readers count classes from the training labels and would refuse the test labels.
            throw new IllegalArgumentException("poisoning relabelled every training image of class " + (testClasses - 1)
                    + ", so the folder would not load; poison fewer images or choose other source classes");
        }
    }

    /** The SHA-256 of a file's bytes, in lower-case hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Checks a poisoned folder's files against its manifest: each of the four data files must be
     * listed and have the recorded SHA-256. A clean folder (no manifest) passes.
     *
     * @return the manifest, or empty for a clean folder
     * @throws ManifestFormatException when the manifest is invalid or a file disagrees with it
     */
    public static Optional<PoisonManifest> verify(Path dir) throws IOException {
        Optional<PoisonManifest> manifest = readManifest(dir);
        if (manifest.isEmpty()) {
            return manifest;
        }
        Path file = dir.resolve(MANIFEST);
        Map<String, String> sums = manifest.get().sha256();
        for (String name : Mnist.FILE_NAMES) {
            String expected = sums.get(name);
            if (expected == null) {
                throw malformed(file, "no checksum for " + name, null);
            }
            Path data = dir.resolve(name);
            if (!Files.isRegularFile(data)) {
                throw new ManifestFormatException(data + " is missing, but " + file + " describes it; "
                        + "write the poisoned folder again, or delete the manifest to use the folder as clean data",
                        null);
            }
            String actual = sha256(data);
            if (!actual.equalsIgnoreCase(expected)) {
                throw new ManifestFormatException(data + " does not match " + file + " (SHA-256 " + actual
                        + ", recorded " + expected + "): the folder was changed or mixes files of different runs; "
                        + "write the poisoned folder again, or delete the manifest to use the files as they are",
                        null);
            }
        }
        String attacked = sums.get(ATTACKED_TEST_IMAGES);
        if (attacked != null) {
            Path data = dir.resolve(ATTACKED_TEST_IMAGES);
            if (!Files.isRegularFile(data) || !sha256(data).equalsIgnoreCase(attacked)) {
                throw new ManifestFormatException(data + " is missing or does not match " + file
                        + ": the folder was changed or mixes files of different runs; write the poisoned folder again",
                        null);
            }
        }
        return manifest;
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
            // The format first: an older version's manifest lacks fields, and that is the clearer message.
            com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(file.toFile());
            com.fasterxml.jackson.databind.JsonNode format = tree == null ? null : tree.get("format");
            if (format == null || !PoisonManifest.FORMAT.equals(format.asText())) {
                throw malformed(file, "format is " + (format == null ? "missing" : "'" + format.asText() + "'")
                        + ", expected '" + PoisonManifest.FORMAT + "'", null);
            }
            if (tree instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
                // A plain trigger's manifest has no attack keys: read them as absent, not as an error.
                for (String key : PoisonManifest.OPTIONAL_KEYS) {
                    if (!object.has(key)) {
                        object.putNull(key);
                    }
                }
            }
            m = JSON.treeToValue(tree, PoisonManifest.class);
        } catch (JsonProcessingException e) {
            throw malformed(file, e.getOriginalMessage().split("\n", 2)[0], e);
        } catch (java.io.CharConversionException e) {
            // Jackson guesses UTF-16 or UTF-32 from the first bytes; text that then does not decode is no manifest
            throw malformed(file, "its text is not valid UTF-8, UTF-16 or UTF-32", e);
        }
        if (m.sha256() == null) {
            throw malformed(file, "sha256 is missing", null);
        }
        if (m.poisonedIndices() == null || m.originalLabels() == null || m.poisonedLabels() == null
                || m.poisonedIndices().length != m.poisonedCount() || m.originalLabels().length != m.poisonedCount()
                || m.poisonedLabels().length != m.poisonedCount()) {
            throw malformed(file, "poisoned_count, poisoned_indices, original_labels and poisoned_labels disagree", null);
        }
        for (int i : m.coverIndices() == null ? new int[0] : m.coverIndices()) {
            if (i < 0 || i >= m.trainCount()) {
                throw malformed(file, "cover index " + i + " is outside the " + m.trainCount() + " training images", null);
            }
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
        return new ManifestFormatException(file + " is not a valid poisoning manifest (" + problem + ")", cause);
    }
}
