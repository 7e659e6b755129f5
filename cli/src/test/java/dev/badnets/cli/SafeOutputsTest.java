package dev.badnets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.badnets.core.ModelCodec;
import dev.badnets.core.Network;
import dev.badnets.mnist.Idx;
import dev.badnets.mnist.IdxArray;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.OutputLock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, cases 1, 4, 6, 7, 10 and 11 on the command line, each with its exact input: the exit
 * status, the one line, and that the data folder kept every byte.
 */
public class SafeOutputsTest {

    @TempDir
    Path dir;

    Path data;

    @BeforeEach
    void smallFolder() throws IOException {
        data = dir.resolve("data");
        byte[] pixels = new byte[30 * 16];
        new java.util.Random(1).nextBytes(pixels);
        byte[] labels = new byte[30];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) (i % 3);
        }
        LabeledImages set = new LabeledImages(30, 4, 4, pixels, labels);
        Mnist.write(data, set, set.slice(0, 3));
    }

    /** Every file under {@code folder} and its SHA-256. */
    static Map<String, String> checksums(Path folder) throws Exception {
        Map<String, String> sums = new TreeMap<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                sums.put(folder.relativize(p).toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return sums;
    }

    private Path model() throws IOException {
        Path model = dir.resolve("model.bin");
        try (OutputStream out = Files.newOutputStream(model)) {
            ModelCodec.write(Network.mlp(16, new int[] {4}, 3, 1), out);
        }
        return model;
    }

    static Cli.Run ok(Cli.Run run) {
        assertEquals(0, run.status(), run::toString);
        return run;
    }

    static void assertUsage(Cli.Run run, String... parts) {
        assertEquals(2, run.status(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().startsWith("badnets: ") && run.err().contains("; "), run::toString);
        for (String part : parts) {
            assertTrue(run.err().contains(part), "'" + part + "' in " + run);
        }
        assertFalse(run.err().contains("\tat "), run::toString);
    }

    /** Case 1: `ln -s DATA L; poison --data DATA --out L` used to poison DATA in place. */
    @Test
    void poisonThroughASymlinkToTheDataFolder() throws Exception {
        Map<String, String> before = checksums(data);
        Path link = Files.createSymbolicLink(dir.resolve("L"), data);
        Cli.Run run = Cli.run("poison", "--data", data.toString(), "--out", link.toString(), "--poison-count", "1");
        assertUsage(run, "--out " + link + " (really " + data + ") is the data folder " + data + " (--data)",
                "choose another path for --out");
        assertEquals(before, checksums(data));
    }

    /** Case 1: `detect --write-clean DATA` had no check at all, and kept the stale manifest. */
    @Test
    void detectWritingTheCleanFolderOverTheData() throws Exception {
        Map<String, String> before = checksums(data);
        Cli.Run run = Cli.run("detect", "--model", model().toString(), "--data", data.toString(),
                "--write-clean", data + "/../data/.", "--expected-rate", "0.2");
        assertUsage(run, "--write-clean", "is the data folder " + data);
        assertEquals(before, checksums(data));
    }

    /** Case 1: an output folder inside the data folder, or holding it. */
    @Test
    void outputFoldersInsideOrAroundTheData() throws Exception {
        Map<String, String> before = checksums(data);
        assertUsage(Cli.run("poison", "--data", data.toString(), "--out", data.resolve("poisoned").toString()),
                "lies inside the data folder " + data);
        assertUsage(Cli.run("sweep", "--data", data.toString(), "--out", dir.toString(), "--poison-counts", "0"),
                "--out " + dir + " holds the data folder " + data + " (--data), and is replaced as a whole");
        assertUsage(Cli.run("train", "--data", data.toString(), "--out", data.resolve("m.bin").toString()),
                "--out " + data.resolve("m.bin") + " lies inside the data folder");
        assertEquals(before, checksums(data));
        assertFalse(Files.exists(data.resolve("poisoned")));
    }

    /** Case 6: `--json` on the same path as `--model` or `--out` silently replaced the model. */
    @Test
    void jsonOnTheModelOrTheOutput() throws Exception {
        Path model = model();
        byte[] bytes = Files.readAllBytes(model);
        assertUsage(Cli.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--json",
                model.toString()), "--json " + model + " is the input file " + model + " (--model)");
        Path m = dir.resolve("m.bin");
        assertUsage(Cli.run("train", "--data", data.toString(), "--out", m.toString(), "--json", m.toString()),
                "--json " + m + " is the output file " + m + " (--out)");
        Path hardLink = Files.createLink(dir.resolve("hard-link.bin"), model);
        assertUsage(Cli.run("detect", "--model", model.toString(), "--data", data.toString(), "--json",
                hardLink.toString()), "is the input file " + model);
        Path out = dir.resolve("o");
        assertUsage(Cli.run("demo", "--data", data.toString(), "--out", out.toString(), "--json",
                out.resolve("results.json").toString()), "lies inside the output folder " + out + " (--out)");
        assertArrayEqualsBytes(bytes, Files.readAllBytes(model));
        assertFalse(Files.exists(m));
    }

    private static void assertArrayEqualsBytes(byte[] a, byte[] b) {
        assertTrue(java.util.Arrays.equals(a, b), "unchanged");
    }

    /** Case 7: output paths used to fail only after the whole run, or with a NullPointerException. */
    @Test
    void outputPathsOfTheWrongShapeFailBeforeAnyWork() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("folder"));
        Cli.Run slash = Cli.run("train", "--data", data.toString(), "--out", folder + "/");
        assertUsage(slash, "--out " + folder + "/ names a folder, expected a file", folder.resolve("model.bin").toString());
        assertEquals("", slash.out(), "no training started");
        assertUsage(Cli.run("train", "--data", data.toString(), "--out", dir.resolve("new-folder") + "/"),
                "names a folder");
        assertFalse(Files.exists(dir.resolve("new-folder")));
        assertUsage(Cli.run("evaluate", "--model", model().toString(), "--data", data.toString(), "--json",
                folder.toString()), "--json " + folder + " names a folder, expected a file");
        assertUsage(Cli.run("train", "--data", data.toString(), "--out", "/"), "--out / is the root folder");
        assertUsage(Cli.run("evaluate", "--model", model().toString(), "--data", data.toString(), "--json", "/"),
                "--json / is the root folder");
        assertUsage(Cli.run("poison", "--data", data.toString(), "--out", "/"), "--out / is the root folder");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertUsage(Cli.run("poison", "--data", data.toString(), "--out", file.toString()),
                "--out " + file + " is a file, expected a folder");
        assertUsage(Cli.run("train", "--data", data.toString(), "--out", file.resolve("m.bin").toString()),
                "cannot write to the output folder " + file);
    }

    /** Case 4: two `poison` runs on one `--out` both exited 0; the second now stops at once. */
    @Test
    void aSecondWriterOfTheSameOutputIsRefused() throws Exception {
        Path out = dir.resolve("poisoned");
        try (OutputLock held = OutputLock.acquire(out)) {
            assertUsage(Cli.run("poison", "--data", data.toString(), "--out", out.toString()),
                    "--out " + out + " is in use by another badnets run", "wait for it to finish");
            Path m = dir.resolve("m.bin");
            try (OutputLock model = OutputLock.acquire(m)) {
                assertUsage(Cli.run("train", "--data", data.toString(), "--out", m.toString()),
                        "--out " + m + " is in use by another badnets run");
            }
        }
        ok(Cli.run("poison", "--data", data.toString(), "--out", out.toString(), "--poison-count", "2"));
    }

    /** Case 4: images of one run beside the labels and manifest of another used to load. */
    @Test
    void aPoisonedFolderWhoseFilesDisagreeWithItsManifest() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        ok(Cli.run("poison", "--data", data.toString(), "--out", a.toString(), "--poison-count", "2",
                "--seed", "1"));
        ok(Cli.run("poison", "--data", data.toString(), "--out", b.toString(), "--poison-count", "3",
                "--seed", "2"));
        Files.copy(a.resolve(Mnist.TRAIN_IMAGES), b.resolve(Mnist.TRAIN_IMAGES), StandardCopyOption.REPLACE_EXISTING);
        assertUsage(Cli.run("train", "--data", b.toString(), "--out", dir.resolve("m.bin").toString()),
                b.resolve(Mnist.TRAIN_IMAGES) + " does not match " + b.resolve("manifest.json"),
                "mixes files of different runs");
        assertFalse(Files.exists(dir.resolve("m.bin")));
    }

    /** Case 4: stray temporary files (up to 47 MB) were never cleaned up; the next run removes them. */
    @Test
    void leftoversOfKilledRunsAreRemovedByTheNextRun() throws Exception {
        Path out = dir.resolve("poisoned");
        Path staging = Files.createDirectories(dir.resolve(".poisoned.0123abcd.staging"));
        Files.write(staging.resolve(Mnist.TRAIN_IMAGES), new byte[1000]);
        Files.write(dir.resolve(".m.bin.77.tmp"), new byte[1000]);
        ok(Cli.run("poison", "--data", data.toString(), "--out", out.toString(), "--poison-count", "2"));
        ok(Cli.run("train", "--data", data.toString(), "--out", dir.resolve("m.bin").toString(),
                "--epochs", "1", "--hidden", "2"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(java.util.List.of(".m.bin.lock", ".poisoned.lock", "data", "m.bin", "poisoned"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** Case 10: a gzip member followed by garbage was read without error. */
    @Test
    void gzipWithGarbageAfterItsLastMember() throws Exception {
        Path file = data.resolve(Mnist.TEST_LABELS);
        byte[] raw = Files.readAllBytes(file);
        Files.delete(file);
        try (OutputStream out = Files.newOutputStream(data.resolve(Mnist.TEST_LABELS + ".gz"))) {
            GZIPOutputStream gz = new GZIPOutputStream(out);
            gz.write(raw);
            gz.finish();
            out.write("garbage".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        assertUsage(Cli.run("train", "--data", data.toString(), "--out", dir.resolve("m.bin").toString()),
                Mnist.TEST_LABELS + ".gz: at byte 11: expected the end of the file after the last gzip member");
    }

    /** Case 11: an empty test set was reported only after a full training epoch. */
    @Test
    void anEmptyTestSetIsRefusedBeforeTraining() throws Exception {
        Idx.write(data.resolve(Mnist.TEST_IMAGES), IdxArray.ofUnsignedBytes(new byte[0], 0, 4, 4));
        Idx.write(data.resolve(Mnist.TEST_LABELS), IdxArray.ofUnsignedBytes(new byte[0], 0));
        Cli.Run run = Cli.run("train", "--data", data.toString(), "--out", dir.resolve("m.bin").toString());
        assertUsage(run, Mnist.TEST_LABELS + ": at byte 4: expected at least one test image, found 0");
        assertEquals("", run.out(), "no epoch ran");
    }

    /** Case 11: a folder with some of the four files said "no MNIST data" and demo then downloaded. */
    @Test
    void aPartialDataFolderNamesTheMissingFilesAndDownloadsNothing() throws Exception {
        Files.delete(data.resolve(Mnist.TEST_LABELS));
        Files.delete(data.resolve(Mnist.TRAIN_LABELS));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger requests = new AtomicInteger();
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            Cli.Run run = Cli.run("demo", "--data", data.toString(), "--out", dir.resolve("o").toString(),
                    "--mirror", "http://127.0.0.1:" + server.getAddress().getPort() + "/");
            assertUsage(run, "the data folder " + data + " is incomplete: " + Mnist.TRAIN_LABELS + ", "
                    + Mnist.TEST_LABELS + " (raw or .gz) are missing", "./badnets download --data " + data);
            assertEquals(0, requests.get(), "no download started");
        } finally {
            server.stop(0);
        }
    }

    /** Case 11: a failed download is exit 1 from download as from demo. */
    @Test
    void aFailedDownloadIsExitOneEverywhere() {
        for (String command : new String[] {"download", "demo"}) {
            Cli.Run run = Cli.run(command, "--data", dir.resolve("empty-" + command).toString(), "--out",
                    dir.resolve("o").toString(), "--mirror", "http://127.0.0.1:9/");
            if (command.equals("download")) {
                run = Cli.run(command, "--data", dir.resolve("empty-" + command).toString(), "--mirror",
                        "http://127.0.0.1:9/");
            }
            assertEquals(1, run.status(), run::toString);
            assertEquals(1, run.errLines().size(), run::toString);
            assertTrue(run.err().startsWith("badnets: "), run::toString);
        }
    }
}
