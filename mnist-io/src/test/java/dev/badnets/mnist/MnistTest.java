package dev.badnets.mnist;

import static dev.badnets.mnist.IdxBytes.gzip;
import static dev.badnets.mnist.IdxBytes.idx;
import static dev.badnets.mnist.IdxBytes.unsignedBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data folders in the MNIST layout: any image size and class count, and every way the four files can disagree. */
class MnistTest {
    @TempDir
    Path dir;

    /** Random images of {@code rows x cols} with labels below {@code classes}, the largest one present. */
    static LabeledImages randomSet(int count, int rows, int cols, int classes, long seed) {
        Random random = new Random(seed);
        byte[] pixels = new byte[count * rows * cols];
        random.nextBytes(pixels);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i == 0 ? classes - 1 : random.nextInt(classes));
        }
        return new LabeledImages(count, rows, cols, pixels, labels);
    }

    private void writeFile(String name, byte[] content) throws IOException {
        Files.write(dir.resolve(name), content);
    }

    private IdxFormatException refused() {
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Mnist.load(dir));
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    @Test
    void writeThenLoadGivesTheSameData() throws IOException {
        LabeledImages train = randomSet(50, 7, 5, 3, 1);
        LabeledImages test = randomSet(20, 7, 5, 3, 2);
        Mnist.write(dir, train, test);

        MnistData data = Mnist.load(dir);
        assertEquals(3, data.classes());
        assertEquals(50, data.train().count());
        assertEquals(7, data.train().rows());
        assertEquals(5, data.train().cols());
        assertArrayEquals(train.pixels(), data.train().pixels());
        assertArrayEquals(train.labels(), data.train().labels());
        assertArrayEquals(test.pixels(), data.test().pixels());
        assertArrayEquals(test.labels(), data.test().labels());
        // the files are plain uncompressed IDX, as any MNIST reader expects
        assertEquals(16 + 50 * 35, Files.size(dir.resolve(Mnist.TRAIN_IMAGES)));
        assertEquals(8 + 20, Files.size(dir.resolve(Mnist.TEST_LABELS)));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(4, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void classesComeFromTheLargestTrainingLabelUpTo256() throws IOException {
        Mnist.write(dir, randomSet(300, 3, 4, 256, 3), randomSet(10, 3, 4, 200, 4));
        assertEquals(256, Mnist.load(dir).classes());
    }

    @Test
    void eachFileMayBeGzipOrRawAndRawWinsWhenBothExist() throws IOException {
        LabeledImages train = randomSet(12, 4, 4, 5, 5);
        LabeledImages test = randomSet(6, 4, 4, 5, 6);
        Idx.writeGzip(dir.resolve(Mnist.TRAIN_IMAGES + ".gz"), train.imagesArray());
        Idx.write(dir.resolve(Mnist.TRAIN_LABELS), train.labelsArray());
        Idx.writeGzip(dir.resolve(Mnist.TEST_IMAGES + ".gz"), test.imagesArray());
        Idx.writeGzip(dir.resolve(Mnist.TEST_LABELS + ".gz"), test.labelsArray());
        assertArrayEquals(train.pixels(), Mnist.load(dir).train().pixels());

        LabeledImages newer = randomSet(12, 4, 4, 5, 7);
        Idx.write(dir.resolve(Mnist.TRAIN_IMAGES), newer.imagesArray());
        assertArrayEquals(newer.pixels(), Mnist.load(dir).train().pixels());
        assertEquals(dir.resolve(Mnist.TRAIN_IMAGES), Mnist.locate(dir, Mnist.TRAIN_IMAGES));
        assertEquals(dir.resolve(Mnist.TEST_LABELS + ".gz"), Mnist.locate(dir, Mnist.TEST_LABELS));
    }

    @Test
    void missingFolderSaysWhatIsExpected() {
        Path missing = dir.resolve("nowhere");
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Mnist.load(missing));
        assertTrue(e.getMessage().startsWith(missing + ": no such folder"), e.getMessage());
        assertTrue(e.getMessage().endsWith("expected a data folder holding the four MNIST files"), e.getMessage());
    }

    @Test
    void missingFileNamesBothNames() throws IOException {
        Mnist.write(dir, randomSet(5, 2, 2, 2, 8), randomSet(5, 2, 2, 2, 9));
        Files.delete(dir.resolve(Mnist.TEST_IMAGES));
        IdxFormatException e = refused();
        assertEquals(dir + ": neither t10k-images-idx3-ubyte nor t10k-images-idx3-ubyte.gz found", e.getMessage());
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        Mnist.write(dir, randomSet(5, 2, 2, 2, 10), randomSet(5, 2, 2, 2, 11));
        writeFile(Mnist.TRAIN_LABELS, unsignedBytes(new byte[4], 4));
        IdxFormatException e = refused();
        assertEquals(dir.resolve(Mnist.TRAIN_LABELS) + ": at byte 4: expected 5 labels, one per image of "
                + Mnist.TRAIN_IMAGES + ", found 4", e.getMessage());
    }

    @Test
    void testLabelsNeedAClassInTraining() throws IOException {
        Mnist.write(dir, randomSet(5, 2, 2, 3, 12), randomSet(5, 2, 2, 3, 13));
        writeFile(Mnist.TEST_LABELS, unsignedBytes(new byte[] {0, 1, 2, 7, 0}, 5));
        IdxFormatException e = refused();
        assertEquals(dir.resolve(Mnist.TEST_LABELS) + ": at byte 11: expected a label below 3 (the training set's "
                + "classes), found 7 for test image 3", e.getMessage());
    }

    @Test
    void trainAndTestImagesMustHaveOneShape() throws IOException {
        Mnist.write(dir, randomSet(5, 4, 4, 2, 14), randomSet(5, 4, 4, 2, 15));
        Idx.write(dir.resolve(Mnist.TEST_IMAGES), randomSet(5, 5, 5, 2, 16).imagesArray());
        IdxFormatException e = refused();
        assertTrue(e.getMessage().startsWith(dir.resolve(Mnist.TEST_IMAGES) + ": at byte 8"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 4x4 images like the training set, found 5x5"), e.getMessage());
    }

    @Test
    void imagesMustBeRank3UnsignedBytesAndLabelsRank1() throws IOException {
        Mnist.write(dir, randomSet(4, 2, 2, 2, 17), randomSet(4, 2, 2, 2, 18));
        writeFile(Mnist.TRAIN_IMAGES, unsignedBytes(new byte[16], 4, 4));
        assertTrue(refused().getMessage().contains("expected images of rank 3"));

        writeFile(Mnist.TRAIN_IMAGES, gzip(idx(0x09, new int[] {4, 2, 2}, new byte[16])));
        assertTrue(refused().getMessage().contains("expected images of unsigned bytes (type 08), found signed byte"));

        Mnist.write(dir, randomSet(4, 2, 2, 2, 17), randomSet(4, 2, 2, 2, 18));
        writeFile(Mnist.TRAIN_LABELS, unsignedBytes(new byte[4], 4, 1));
        assertTrue(refused().getMessage().contains("expected labels of rank 1, found rank 2"));

        writeFile(Mnist.TRAIN_LABELS, idx(0x0C, new int[] {4}, new byte[16]));
        assertTrue(refused().getMessage().contains("expected labels of unsigned bytes (type 08), found int"));
    }

    @Test
    void aMalformedFileInTheFolderIsNamed() throws IOException {
        Mnist.write(dir, randomSet(4, 2, 2, 2, 19), randomSet(4, 2, 2, 2, 20));
        writeFile(Mnist.TEST_LABELS, new byte[] {0, 0, 8});
        IdxFormatException e = refused();
        assertEquals(dir.resolve(Mnist.TEST_LABELS).toString(), e.source());
    }

    @Test
    void anEmptyTrainingSetIsRefused() throws IOException {
        Mnist.write(dir, randomSet(0, 2, 2, 1, 21), randomSet(0, 2, 2, 1, 22));
        assertTrue(refused().getMessage().contains("expected at least one training image"));
    }

    /** Issue 11, case 11: an empty test set is refused when the headers are read, before any training. */
    @Test
    void anEmptyTestSetIsRefused() throws IOException {
        Mnist.write(dir, randomSet(3, 2, 2, 2, 21), randomSet(0, 2, 2, 1, 22));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Mnist.inspect(dir));
        assertEquals(dir.resolve(Mnist.TEST_LABELS) + ": at byte 4: expected at least one test image, found 0",
                e.getMessage());
    }

    /** Issue 11, case 11: a folder holding some of the files names every missing one. */
    @Test
    void everyMissingFileIsNamed() throws IOException {
        Mnist.write(dir, randomSet(5, 2, 2, 2, 8), randomSet(5, 2, 2, 2, 9));
        Files.delete(dir.resolve(Mnist.TEST_IMAGES));
        Files.delete(dir.resolve(Mnist.TRAIN_LABELS));
        assertEquals(java.util.List.of(Mnist.TRAIN_LABELS, Mnist.TEST_IMAGES), Mnist.missing(dir));
        IdxFormatException e = refused();
        assertTrue(e.getMessage().startsWith(dir + ": missing " + Mnist.TRAIN_LABELS + ", " + Mnist.TEST_IMAGES
                + " (raw or .gz)"), e.getMessage());
    }

    /**
     * Issue 11, case 2: the headers of 2,700,000 images and 3,000 labels already disagree, so the
     * images' payload (here cut short, so reading it would fail differently) is never read.
     */
    @Test
    void headersThatDisagreeAreRefusedBeforeAnyPayload() throws IOException {
        Mnist.write(dir, randomSet(3000, 28, 28, 10, 30), randomSet(10, 28, 28, 10, 31));
        writeFile(Mnist.TRAIN_IMAGES, unsignedBytes(new byte[100], 2_700_000, 28, 28));
        Files.move(dir.resolve(Mnist.TRAIN_IMAGES), dir.resolve(Mnist.TRAIN_IMAGES + "-raw"));
        writeFile(Mnist.TRAIN_IMAGES + ".gz", gzip(Files.readAllBytes(dir.resolve(Mnist.TRAIN_IMAGES + "-raw"))));
        IdxFormatException e = refused();
        assertEquals(dir.resolve(Mnist.TRAIN_LABELS) + ": at byte 4: expected 2700000 labels, one per image of "
                + Mnist.TRAIN_IMAGES + ".gz, found 3000", e.getMessage());
        MnistLayout ok = null;
        Files.delete(dir.resolve(Mnist.TRAIN_IMAGES + ".gz"));
        Files.move(dir.resolve(Mnist.TRAIN_IMAGES + "-raw"), dir.resolve(Mnist.TRAIN_IMAGES));
        writeFile(Mnist.TRAIN_IMAGES, unsignedBytes(new byte[3000 * 784], 3000, 28, 28));
        ok = Mnist.inspect(dir);
        assertEquals(new MnistLayout(dir.resolve(Mnist.TRAIN_IMAGES), dir.resolve(Mnist.TRAIN_LABELS),
                dir.resolve(Mnist.TEST_IMAGES), dir.resolve(Mnist.TEST_LABELS), 3000, 10, 28, 28), ok);
        assertEquals(3010L * 785, ok.payloadBytes());
    }

    @Test
    void writingSetsOfDifferentSizesIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Mnist.write(dir, randomSet(3, 2, 2, 2, 23), randomSet(3, 3, 3, 2, 24)));
    }

    @Test
    void labeledImagesChecksItsArraysAndSlices() {
        assertThrows(IllegalArgumentException.class, () -> new LabeledImages(2, 2, 2, new byte[7], new byte[2]));
        assertThrows(IllegalArgumentException.class, () -> new LabeledImages(2, 2, 2, new byte[8], new byte[3]));
        LabeledImages set = randomSet(10, 3, 2, 4, 25);
        LabeledImages slice = set.slice(2, 5);
        assertEquals(3, slice.count());
        assertEquals(set.pixel(2, 1, 1), slice.pixel(0, 1, 1));
        assertEquals(set.label(4), slice.label(2));
        LabeledImages copy = set.copy();
        copy.pixels()[0]++;
        assertEquals((byte) (set.pixels()[0] + 1), copy.pixels()[0], "a copy owns its pixels");
    }
}
