package dev.badnets.cli;

import dev.badnets.mnist.testing.HugePng;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.mnist.Idx;
import dev.badnets.mnist.IdxArray;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.Mnist;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, case 2: small inputs that declare huge sizes, each run in a child JVM with a 256 MB heap.
 * Every one ends in one line: exit 2 when the input is refused before allocating, or exit 1 naming
 * what was being allocated and the JAVA_OPTS to try. Never a stack trace.
 */
@Timeout(120)
public class MemoryCasesTest {

    private static final String HEAP = "256m";

    @TempDir
    static Path dir;

    static Path mnist;

    @BeforeAll
    static void smallFolder() throws IOException {
        mnist = RandomImages.folder(dir.resolve("mnist"), 100, 20);
    }

    /** A gzip IDX file whose header declares {@code count} 28x28 images; {@code payload} bytes of zeros follow. */
    private static void gzipImages(Path file, int count, long payload) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(ByteBuffer.allocate(16).putInt(0x0803).putInt(count).putInt(28).putInt(28).array());
            byte[] zeros = new byte[1 << 20];
            for (long left = payload; left > 0; left -= zeros.length) {
                out.write(zeros, 0, (int) Math.min(left, zeros.length));
            }
        }
    }

    private static Child.Result run(String name, String... args) throws Exception {
        Child.Result r = Child.run(HEAP, dir.resolve("logs-" + name), 90, args);
        System.out.printf("memory case %-12s exit %d in %.2f s: %s%n", name, r.status(), r.seconds(), r.err().strip());
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.err().startsWith("badnets: ") && r.err().contains("; "), r::toString);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception in thread"), r::toString);
        return r;
    }

    @Test
    void aTriggerLargerThanTheImage() throws Exception {
        Child.Result r = run("trigger-size", "poison", "--data", mnist.toString(), "--out", dir.resolve("p1").toString(),
                "--trigger-size", "100000");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("trigger size 100000 is larger than the 28x28 images; use a trigger size of at"
                + " most 28"), r::toString);
    }

    @Test
    void aSmallPngDeclaring30000x30000() throws Exception {
        Path png = Files.write(dir.resolve("huge.png"), HugePng.declaring(30_000, 30_000));
        Child.Result r = run("png", "poison", "--data", mnist.toString(), "--out", dir.resolve("p2").toString(),
                "--trigger", "png:" + png);
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("is 30000x30000, larger than the 28x28 images"), r::toString);
    }

    /** The test files of {@code folder}: ten small images, enough for the cases that fail on the training set. */
    private static void writeTestSet(Path folder) throws IOException {
        LabeledImages test = RandomImages.of(10, 28, 10, 3);
        Idx.write(folder.resolve(Mnist.TEST_IMAGES), test.imagesArray());
        Idx.write(folder.resolve(Mnist.TEST_LABELS), test.labelsArray());
    }

    /** Headers of 2,700,000 images and 3,000 labels: refused from the headers, the payload never read. */
    @Test
    void headersThatDisagreeAboutTheCount() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("liar"));
        gzipImages(folder.resolve(Mnist.TRAIN_IMAGES + ".gz"), 2_700_000, 1000); // cut short: reading it would say so
        Idx.write(folder.resolve(Mnist.TRAIN_LABELS), IdxArray.ofUnsignedBytes(new byte[3000], 3000));
        writeTestSet(folder);
        Child.Result r = run("idx-counts", "train", "--data", folder.toString(), "--out",
                dir.resolve("m1.bin").toString());
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("expected 2700000 labels, one per image of " + Mnist.TRAIN_IMAGES + ".gz, found 3000"),
                r::toString);
    }

    /** Headers that agree on 400,000 images (313 MB): more than the heap, refused before reading. */
    @Test
    void aDataFolderLargerThanTheHeap() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("big"));
        gzipImages(folder.resolve(Mnist.TRAIN_IMAGES + ".gz"), 400_000, 1000);
        Idx.write(folder.resolve(Mnist.TRAIN_LABELS), IdxArray.ofUnsignedBytes(new byte[400_000], 400_000));
        writeTestSet(folder);
        Child.Result r = run("data-heap", "train", "--data", folder.toString(), "--out",
                dir.resolve("m2.bin").toString());
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("more than the ") && r.err().contains("MB Java may use; give Java more heap, e.g."
                + " JAVA_OPTS=-Xmx"), r::toString);
    }

    /** An honest 235 MB of images fits the check but not the heap: the guard names what it was loading. */
    @Test
    void runningOutOfMemoryWhileLoading() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("honest"));
        int count = 300_000;
        gzipImages(folder.resolve(Mnist.TRAIN_IMAGES + ".gz"), count, (long) count * 784);
        Idx.write(folder.resolve(Mnist.TRAIN_LABELS), IdxArray.ofUnsignedBytes(new byte[count], count));
        writeTestSet(folder);
        Child.Result r = run("oom-load", "train", "--data", folder.toString(), "--out",
                dir.resolve("m3.bin").toString());
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().startsWith("badnets: out of memory while loading the data folder " + folder), r::toString);
        assertTrue(r.err().contains("; give Java more heap, e.g. JAVA_OPTS=-Xmx"), r::toString);
    }

    /** Issue 11 lists `train --hidden 1048577` (4.6 GB): refused before allocating, by the model files' parameter limit. */
    @Test
    void aNetworkLargerThanTheHeap() throws Exception {
        Child.Result r = run("hidden", "train", "--data", mnist.toString(), "--out", dir.resolve("m4.bin").toString(),
                "--hidden", "1048577", "--epochs", "1");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().startsWith("badnets: --hidden must be in [1, 1048576], got 1048577"), r::toString);
        assertFalse(Files.exists(dir.resolve("m4.bin")));
    }
}
