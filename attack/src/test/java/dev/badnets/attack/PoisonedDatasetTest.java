package dev.badnets.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.badnets.attack.PoisonPlan.Mode;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoisonedDatasetTest {

    private static MnistData smallData() {
        LabeledImages train = PoisoningTest.randomImages(300, 28, 28, 10, 1);
        LabeledImages test = PoisoningTest.randomImages(50, 28, 28, 10, 2);
        return new MnistData(train, test, 10);
    }

    @Test
    void writtenFolderReadsBackAsThePoisonedTrainingSetAndTheCleanTestSet(@TempDir Path dir) throws Exception {
        MnistData clean = smallData();
        LabeledImages cleanTest = clean.test().copy();
        PoisonedSet poisoned = Poisoning.apply(clean.train(), clean.classes(),
                PoisonPlan.ofCount(30).withSeed(4), Triggers.defaultTrigger());
        Path out = dir.resolve("poisoned");

        PoisonedDataset.write(out, clean, poisoned);

        MnistData back = Mnist.load(out);
        assertArrayEquals(poisoned.images().pixels(), back.train().pixels());
        assertArrayEquals(poisoned.images().labels(), back.train().labels());
        assertArrayEquals(cleanTest.pixels(), back.test().pixels(), "test split must be copied clean");
        assertArrayEquals(cleanTest.labels(), back.test().labels());
        assertArrayEquals(cleanTest.pixels(), clean.test().pixels(), "the caller's test set is untouched");
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("manifest.json", PoisonedDataset.ATTACKED_TEST_IMAGES, Mnist.TEST_IMAGES,
                    Mnist.TEST_LABELS, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS),
                    files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the four MNIST files, the attacked test images and the manifest; no temporary file left behind");
        }
        assertArrayEquals(Poisoning.stampAll(cleanTest, poisoned.trigger()).pixels(),
                dev.badnets.mnist.Idx.read(out.resolve(PoisonedDataset.ATTACKED_TEST_IMAGES)).bytes(),
                "the attacked test images are the test images with the trigger, in order");
    }

    @Property(tries = 25)
    void anyImageSizeReadsBackEqual(@ForAll @IntRange(min = 10, max = 200) int count,
                                    @ForAll @IntRange(min = 3, max = 40) int rows,
                                    @ForAll @IntRange(min = 3, max = 40) int cols, @ForAll long seed) throws Exception {
        LabeledImages train = PoisoningTest.randomImages(count, rows, cols, 5, seed);
        for (int c = 0; c < 5; c++) {
            // A loader counts classes as 1 + the largest training label: keep a 4 (never a source) in.
            train.labels()[c] = (byte) c;
        }
        LabeledImages test = PoisoningTest.randomImages(7, rows, cols, 5, seed + 1);
        MnistData clean = new MnistData(train, test, 5);
        PoisonedSet poisoned = Poisoning.apply(train, 5, PoisonPlan.ofRate(0.3).withMode(Mode.ALL_TO_ALL)
                        .withSourceClasses(0, 1, 2, 3).withSeed(seed),
                new PatternTrigger(PatternTrigger.CHECKERBOARD, 255, Position.BOTTOM_LEFT));
        Path dir = Files.createTempDirectory("poisoned");
        try {
            PoisonedDataset.write(dir, clean, poisoned);
            MnistData back = Mnist.load(dir);
            assertArrayEquals(poisoned.images().pixels(), back.train().pixels());
            assertArrayEquals(poisoned.images().labels(), back.train().labels());
            assertArrayEquals(test.pixels(), back.test().pixels());
            assertArrayEquals(test.labels(), back.test().labels());
            assertEquals(rows, back.train().rows());
            assertEquals(cols, back.train().cols());
            assertArrayEquals(poisoned.indices(), PoisonedDataset.readManifest(dir).orElseThrow().poisonedIndices());
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
            Files.deleteIfExists(dir.resolveSibling("." + dir.getFileName() + ".lock"));
        }
    }

    @Test
    void manifestRoundTripsAndRecordsThePlanAndTheSamples(@TempDir Path temp) throws Exception {
        Path dir = temp.resolve("out");
        MnistData clean = smallData();
        PoisonPlan plan = PoisonPlan.ofCount(20).withTarget(7).withSourceClasses(1, 2, 3).withSeed(99);
        PoisonedSet poisoned = Poisoning.apply(clean.train(), clean.classes(), plan,
                new SquareTrigger(3, 255, Position.BOTTOM_RIGHT));
        PoisonedDataset.write(dir, clean, poisoned);

        PoisonManifest m = PoisonedDataset.readManifest(dir).orElseThrow();

        assertEquals(PoisonManifest.FORMAT, m.format());
        assertEquals(Mode.ALL_TO_ONE, m.planMode());
        assertEquals(7, m.target());
        assertEquals(20, m.count());
        assertNull(m.rate());
        assertArrayEquals(new int[] {1, 2, 3}, m.sourceClasses());
        assertEquals(99L, m.seed());
        assertEquals("square size=3 value=255 position=bottom-right", m.trigger());
        assertEquals(10, m.classes());
        assertEquals(300, m.trainCount());
        assertEquals(20, m.poisonedCount());
        assertArrayEquals(poisoned.indices(), m.poisonedIndices());
        assertArrayEquals(poisoned.originalLabels(), m.originalLabels());
        for (int k = 0; k < 20; k++) {
            assertTrue(m.originalLabels()[k] >= 1 && m.originalLabels()[k] <= 3);
            assertEquals(7, m.poisonedLabels()[k]);
        }
    }

    @Test
    void manifestUsesTheSnakeCaseKeysOfTheCliJson(@TempDir Path temp) throws Exception {
        Path dir = temp.resolve("out");
        MnistData clean = smallData();
        PoisonedSet poisoned = Poisoning.apply(clean.train(), clean.classes(),
                PoisonPlan.ofRate(0.1).withMode(Mode.ALL_TO_ALL), Triggers.defaultTrigger());
        PoisonedDataset.write(dir, clean, poisoned);
        JsonNode json = new ObjectMapper().readTree(dir.resolve(PoisonedDataset.MANIFEST).toFile());
        assertEquals("all-to-all", json.get("mode").asText());
        assertTrue(json.get("target").isNull(), "no target in all-to-all");
        assertEquals(0.1, json.get("rate").asDouble());
        assertTrue(json.get("count").isNull());
        assertEquals(30, json.get("poisoned_count").asInt());
        assertEquals(30, json.get("poisoned_indices").size());
        assertEquals(30, json.get("original_labels").size());
    }

    @Test
    void folderThatWouldNotLoadIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) {
        LabeledImages train = new LabeledImages(4, 1, 1, new byte[4], new byte[] {0, 1, 2, 1});
        LabeledImages test = new LabeledImages(1, 1, 1, new byte[1], new byte[] {2});
        PoisonedSet poisoned = Poisoning.apply(train, 3, PoisonPlan.ofCount(1).withSourceClasses(2),
                new PixelTrigger(255, Position.TOP_LEFT));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PoisonedDataset.write(dir.resolve("out"), new MnistData(train, test, 3), poisoned));
        assertTrue(e.getMessage().contains("every training image of class 2"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("out")));
    }

    @Test
    void cleanFolderHasNoManifest(@TempDir Path dir) throws Exception {
        assertTrue(PoisonedDataset.readManifest(dir).isEmpty());
    }

    @Test
    void malformedManifestIsRefusedWithOneClearLine(@TempDir Path temp) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("out"));
        Path file = dir.resolve(PoisonedDataset.MANIFEST);
        Files.writeString(file, "{ not json");
        assertMalformed(dir, "not a valid poisoning manifest");
        Files.writeString(file, "{\"format\": \"something-else\"}");
        assertMalformed(dir, "not a valid poisoning manifest");

        MnistData clean = smallData();
        PoisonedSet poisoned = Poisoning.apply(clean.train(), clean.classes(), PoisonPlan.ofCount(3),
                Triggers.defaultTrigger());
        PoisonedDataset.write(dir, clean, poisoned);
        String good = Files.readString(file);
        Files.writeString(file, good.replace("\"poisoned_count\" : 3", "\"poisoned_count\" : 4"));
        assertMalformed(dir, "disagree");
        Files.writeString(file, good.replace("\"train_count\" : 300", "\"train_count\" : 1"));
        assertMalformed(dir, "outside the 1 training images");
        Files.writeString(file, good.replace("all-to-one", "some-to-some"));
        assertMalformed(dir, "unknown poisoning mode");
    }

    /**
     * Issue 11, case 4: a folder whose images come from one run and whose labels and manifest from
     * another used to load; the manifest's checksums now expose the mix.
     */
    @Test
    void filesThatDisagreeWithTheManifestAreRefused(@TempDir Path dir) throws Exception {
        MnistData clean = smallData();
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        PoisonedDataset.write(a, clean, Poisoning.apply(clean.train(), 10, PoisonPlan.ofCount(10).withSeed(1),
                Triggers.defaultTrigger()));
        PoisonedDataset.write(b, clean, Poisoning.apply(clean.train(), 10, PoisonPlan.ofCount(20).withSeed(2),
                Triggers.defaultTrigger()));
        assertEquals(20, PoisonedDataset.verify(b).orElseThrow().poisonedCount());
        assertEquals(PoisonedDataset.sha256(b.resolve(Mnist.TRAIN_IMAGES)),
                PoisonedDataset.readManifest(b).orElseThrow().sha256().get(Mnist.TRAIN_IMAGES));

        Files.copy(a.resolve(Mnist.TRAIN_IMAGES), b.resolve(Mnist.TRAIN_IMAGES),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> PoisonedDataset.verify(b));
        assertTrue(e.getMessage().startsWith(b.resolve(Mnist.TRAIN_IMAGES) + " does not match "
                + b.resolve(PoisonedDataset.MANIFEST)), e.getMessage());
        assertTrue(e.getMessage().contains("mixes files of different runs; "), e.getMessage());
        assertTrue(PoisonedDataset.verify(dir).isEmpty(), "a folder without a manifest is clean data");
    }

    @Test
    void aManifestOfTheFormatWithoutChecksumsIsRefusedByItsFormat(@TempDir Path temp) throws Exception {
        Path dir = temp.resolve("out");
        MnistData clean = smallData();
        PoisonedDataset.write(dir, clean, Poisoning.apply(clean.train(), 10, PoisonPlan.ofCount(3),
                Triggers.defaultTrigger()));
        Path file = dir.resolve(PoisonedDataset.MANIFEST);
        String old = Files.readString(file).replace(PoisonManifest.FORMAT, "badnets-poison-manifest/1")
                .replaceAll("(?s),\\s*\"sha256\".*?}", "");
        Files.writeString(file, old);
        assertMalformed(dir, "format is 'badnets-poison-manifest/1', expected 'badnets-poison-manifest/2'");
    }

    @Test
    void rewritingAFolderReplacesItWholeAndKeepsOtherFiles(@TempDir Path temp) throws Exception {
        MnistData clean = smallData();
        Path dir = Files.createDirectories(temp.resolve("out"));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        Files.write(dir.resolve(Mnist.TRAIN_IMAGES + ".gz"), new byte[] {1}); // stale: would shadow nothing, but mislead
        PoisonedDataset.write(dir, clean, Poisoning.apply(clean.train(), 10, PoisonPlan.ofCount(3),
                Triggers.defaultTrigger()));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("manifest.json", "notes.txt", PoisonedDataset.ATTACKED_TEST_IMAGES, Mnist.TEST_IMAGES, Mnist.TEST_LABELS,
                    Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    private static void assertMalformed(Path dir, String fragment) {
        ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> PoisonedDataset.readManifest(dir));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(e.getMessage().contains("manifest.json") && !e.getMessage().contains("\n"), e.getMessage());
    }
}
