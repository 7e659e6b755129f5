package dev.badnets.cli.data;

import dev.badnets.cli.Cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

public class InspectCommandTest {

    @TempDir
    Path dir;

    /** A valid 2x3x4 unsigned byte IDX file. */
    private static byte[] valid() {
        ByteBuffer b = ByteBuffer.allocate(4 + 3 * 4 + 24);
        b.put(new byte[] {0, 0, 0x08, 3}).putInt(2).putInt(3).putInt(4);
        for (int i = 0; i < 24; i++) {
            b.put((byte) (i * 10));
        }
        return b.array();
    }

    private static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
                gz.write(data);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] header(int type, int rank, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length);
        b.put(new byte[] {0, 0, (byte) type, (byte) rank});
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    static Object[][] malformed() {
        byte[] good = valid();
        byte[] gz = gzip(good);
        byte[] corruptGz = gz.clone();
        corruptGz[gz.length / 2] ^= 0x5A;
        corruptGz[gz.length / 2 + 1] ^= 0x33;
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        return new Object[][] {
            {"empty file", new byte[0]},
            {"shorter than the magic", new byte[] {0, 0}},
            {"wrong magic", new byte[] {1, 2, 8, 1, 0, 0, 0, 1, 7}},
            {"unknown type code", header(0x0A, 1, 1)},
            {"rank 0", header(0x08, 0)},
            {"missing dimension bytes", Arrays.copyOf(header(0x08, 3, 2, 3, 4), 9)},
            {"payload shorter than declared", Arrays.copyOf(good, good.length - 5)},
            {"dimensions overflow", header(0x08, 3, 100000, 100000, 100000)},
            {"trailing bytes", trailing},
            {"corrupt gzip", corruptGz},
            {"truncated gzip", Arrays.copyOf(gz, gz.length - 10)},
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedFileGetsOneLineAndExitTwo(String what, byte[] content) throws IOException {
        Path file = dir.resolve("bad.idx");
        Files.write(file, content);

        Cli.Run run = Cli.run("inspect", file.toString());

        assertEquals(2, run.status(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        String line = run.errLines().get(0);
        assertTrue(line.startsWith("badnets: " + file), line);
        assertTrue(line.contains("; "), "the line names a fix: " + line);
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), run::toString);
    }

    @Test
    void directoryAndMissingFileAreBadInput() {
        Cli.Run folder = Cli.run("inspect", dir.toString());
        Cli.Run missing = Cli.run("inspect", dir.resolve("nope.idx").toString());
        assertAll(
                () -> assertEquals(2, folder.status(), folder::toString),
                () -> assertEquals(1, folder.errLines().size(), folder::toString),
                () -> assertEquals(2, missing.status(), missing::toString),
                () -> assertEquals(1, missing.errLines().size(), missing::toString));
    }

    @Test
    void validFilesArePrintedBeforeTheExitStatusReportsTheBadOne() throws IOException {
        Path good = Files.write(dir.resolve("good.idx.gz"), gzip(valid()));
        Path bad = Files.write(dir.resolve("bad.idx"), new byte[] {0, 0, 8});

        Cli.Run run = Cli.run("inspect", good.toString(), bad.toString());

        assertEquals(2, run.status(), run::toString);
        assertTrue(run.out().contains(good + ": unsigned byte, rank 3, 2x3x4, 2 items"), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.errLines().get(0).startsWith("badnets: " + bad), run::toString);
    }

    @Test
    void describesTheFourMnistFiles() {
        Path mnist = Cli.mnist();
        Cli.Run run = Cli.succeeds("inspect",
                mnist.resolve("train-images-idx3-ubyte.gz").toString(),
                mnist.resolve("train-labels-idx1-ubyte.gz").toString(),
                mnist.resolve("t10k-images-idx3-ubyte.gz").toString(),
                mnist.resolve("t10k-labels-idx1-ubyte.gz").toString());

        assertEquals("", run.err());
        String[] lines = run.out().split("\\R");
        assertEquals(4, lines.length, run::toString);
        assertAll(
                () -> assertTrue(lines[0].contains("unsigned byte, rank 3, 60000x28x28, 60000 items"), lines[0]),
                () -> assertTrue(lines[0].contains("pixel mean 0.1307") && lines[0].contains("std 0.3081"), lines[0]),
                () -> assertTrue(lines[1].contains("unsigned byte, rank 1, 60000, 60000 items"), lines[1]),
                () -> assertTrue(lines[2].contains("unsigned byte, rank 3, 10000x28x28, 10000 items"), lines[2]),
                () -> assertTrue(lines[3].contains("unsigned byte, rank 1, 10000, 10000 items"), lines[3]));
    }
}
