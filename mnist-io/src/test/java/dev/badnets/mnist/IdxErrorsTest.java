package dev.badnets.mnist;

import static dev.badnets.mnist.IdxBytes.concat;
import static dev.badnets.mnist.IdxBytes.gzip;
import static dev.badnets.mnist.IdxBytes.idx;
import static dev.badnets.mnist.IdxBytes.sequence;
import static dev.badnets.mnist.IdxBytes.unsignedBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of malformed input is refused with IdxFormatException naming the file, offset and problem. */
class IdxErrorsTest {
    @TempDir
    Path dir;

    private IdxFormatException refused(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, content);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertEquals(file.toString(), e.source());
        // the stream reader, which cannot know the file size, refuses it as well
        assertThrows(IdxFormatException.class, () -> Idx.read(new ByteArrayInputStream(content), name));
        return e;
    }

    private static void assertMessage(IdxFormatException e, long offset, String... parts) {
        assertEquals(offset, e.offset(), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "expected \"" + part + "\" in: " + e.getMessage());
        }
    }

    @Test
    void emptyFile() throws IOException {
        assertMessage(refused("empty.idx", new byte[0]), 0, "at byte 0", "magic", "empty");
        assertMessage(refused("empty.gz", gzip(new byte[0])), 0, "empty");
    }

    @Test
    void shortFile() throws IOException {
        assertMessage(refused("short.idx", new byte[] {0, 0}), 2, "magic", "ends after 2 bytes");
    }

    @Test
    void wrongMagic() throws IOException {
        assertMessage(refused("zip.idx", new byte[] {'P', 'K', 3, 4, 0, 0, 0, 1, 0}), 0, "magic", "50 4b 03 04");
    }

    @Test
    void unknownTypeCode() throws IOException {
        assertMessage(refused("type.idx", idx(0x07, new int[] {1}, new byte[1])), 2, "element type code", "found 07");
    }

    @Test
    void rankZero() throws IOException {
        assertMessage(refused("rank0.idx", new byte[] {0, 0, 8, 0}), 3, "rank of at least 1, found 0");
    }

    @Test
    void missingDimensionBytes() throws IOException {
        byte[] content = Arrays.copyOf(unsignedBytes(new byte[8], 2, 2, 2), 4 + 4 + 2);
        assertMessage(refused("dims.idx", content), 8, "dimension 2 of 3", "the file ends");
        assertMessage(refused("dims.gz", gzip(content)), 8, "dimension 2 of 3");
    }

    @Test
    void dimensionOf2To31OrMore() throws IOException {
        assertMessage(refused("huge.idx", idx(0x08, new int[] {1, -1}, new byte[0])), 8,
                "dimension 2 of 2 below 2^31", "4294967295");
    }

    @Test
    void payloadShorterThanDeclared() throws IOException {
        byte[] content = unsignedBytes(sequence(5), 2, 3); // declares 6
        IdxFormatException raw = refused("short.idx", content);
        assertMessage(raw, content.length, "expected 6 payload bytes for 2x3 unsigned byte", "file ends after 5");
        IdxFormatException gz = refused("short.gz", gzip(content));
        assertMessage(gz, content.length, "expected 6 payload bytes", "ends after 5");
    }

    @Test
    void dimensionsWhoseProductOverflows() throws IOException {
        byte[] content = idx(0x0E, new int[] {65536, 65536, 65536, 65536}, new byte[0]);
        assertMessage(refused("overflow.idx", content), 20, "65536x65536x65536x65536 double", "more than 2^63");
        byte[] big = idx(0x0D, new int[] {1 << 30}, new byte[4]); // 4 GiB: more than one array holds
        assertMessage(refused("big.idx", big), 8, "4294967296 payload bytes", "at most");
    }

    /** The heap is 2 GB: allocating what these headers declare would throw OutOfMemoryError. */
    @Test
    void dimensionsBeyondWhatTheFileHoldsAreCaughtBeforeAllocating() throws IOException {
        byte[] content = idx(0x08, new int[] {2_000_000_000}, new byte[10]);
        assertMessage(refused("liar.idx", content), content.length, "expected 2000000000 payload bytes",
                "ends after 10");
        assertMessage(refused("liar.gz", gzip(content)), content.length, "expected 2000000000 payload bytes");
        byte[] doubles = idx(0x0E, new int[] {40_000, 6_000}, new byte[16]); // 1.9 GB declared
        refused("liar-doubles.gz", gzip(doubles));
    }

    @Test
    void trailingBytesAfterThePayload() throws IOException {
        byte[] content = concat(unsignedBytes(sequence(6), 2, 3), new byte[] {1, 2, 3});
        assertMessage(refused("trailing.idx", content), 18, "end of the file after the 2x3 unsigned byte payload",
                "3 more bytes");
        assertMessage(refused("trailing.gz", gzip(content)), 18, "end of the decompressed data", "more bytes");
    }

    /** Issue 11, case 10: GZIPInputStream silently ignores what follows the last member; a raw file is refused. */
    @Test
    void bytesAfterTheLastGzipMemberAreRefused() throws IOException {
        byte[] member = gzip(unsignedBytes(sequence(6), 2, 3));
        assertMessage(refused("garbage.gz", concat(member, new byte[] {'x', 'y', 'z'})), 18,
                "end of the file after the last gzip member");
        assertMessage(refused("onebyte.gz", concat(member, new byte[] {0})), 18,
                "end of the file after the last gzip member");
        // the start of a member that is not whole: truncated
        IdxFormatException half = refused("halfmember.gz", concat(member, new byte[] {0x1f, (byte) 0x8b, 8}));
        assertTrue(half.getMessage().contains("truncated"), half.getMessage());
    }

    /** A file of several whole members (`cat a.gz b.gz`) is one stream, as gzip itself reads it. */
    @Test
    void gzipMembersConcatenateIntoOneStream() throws IOException {
        byte[] whole = unsignedBytes(sequence(6), 2, 3);
        byte[] first = gzip(Arrays.copyOf(whole, 10));
        byte[] second = gzip(Arrays.copyOfRange(whole, 10, whole.length));
        Path file = dir.resolve("members.gz");
        Files.write(file, concat(concat(first, gzip(new byte[0])), second));
        assertArrayEquals(sequence(6), Idx.read(file).bytes());
    }

    /** Trailing data is found by reading one byte past the payload, not by inflating the rest. */
    @Test
    void trailingBytesAreDetectedWithoutInflatingTheRest() throws IOException {
        byte[] noise = new byte[8 << 20];
        new Random(1).nextBytes(noise); // incompressible: the gzip stream is as long as the noise
        byte[] compressed = gzip(concat(unsignedBytes(sequence(6), 6), noise));
        long[] consumed = {0};
        InputStream counting = new ByteArrayInputStream(compressed) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                int n = super.read(b, off, len);
                consumed[0] += Math.max(n, 0);
                return n;
            }
        };
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(counting, "noise.gz"));
        assertMessage(e, 14, "more bytes");
        assertTrue(consumed[0] < 1 << 20, "read " + consumed[0] + " of " + compressed.length + " compressed bytes");
    }

    @Test
    void corruptGzip() throws IOException {
        byte[] compressed = gzip(unsignedBytes(sequence(4000), 40, 100));
        byte[] corrupt = compressed.clone();
        corrupt[10] = (byte) 0xFF; // the first deflate block header: block type 3 does not exist
        assertMessage(refused("corrupt.gz", corrupt), 0, "gzip stream is corrupt", "invalid block type");
        byte[] badCrc = compressed.clone();
        badCrc[badCrc.length - 6] ^= 0x55; // inside the CRC-32 of the trailer
        IdxFormatException crc = refused("crc.gz", badCrc);
        assertMessage(crc, 4012, "gzip stream is corrupt");
    }

    @Test
    void truncatedGzip() throws IOException {
        byte[] compressed = gzip(unsignedBytes(sequence(4000), 40, 100));
        IdxFormatException e = refused("truncated.gz", Arrays.copyOf(compressed, compressed.length / 2));
        assertTrue(e.getMessage().contains("gzip stream is truncated"), e.getMessage());
        assertTrue(e.offset() >= 0 && e.offset() < 4012, e.getMessage());
        assertMessage(refused("magiconly.gz", new byte[] {0x1f, (byte) 0x8b}), 0, "gzip header", "truncated");
        // a trailer cut short: all data present, the CRC and length missing
        refused("notrailer.gz", Arrays.copyOf(compressed, compressed.length - 4));
    }

    @Test
    void directory() throws IOException {
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(dir));
        assertEquals(dir + ": is a directory, expected an IDX file", e.getMessage());
        assertEquals(-1, e.offset());
    }

    @Test
    void missingPath() {
        Path missing = dir.resolve("nope.idx");
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(missing));
        assertEquals(missing + ": no such file", e.getMessage());
        assertThrows(IdxFormatException.class, () -> Idx.readHeader(missing));
    }

    @Test
    void gzipIsRecognisedByContentNotByName() throws IOException {
        byte[] content = unsignedBytes(sequence(6), 2, 3);
        Path plainNamedGz = dir.resolve("plain.gz");
        Files.write(plainNamedGz, content);
        Path gzipNamedIdx = dir.resolve("packed.idx");
        Files.write(gzipNamedIdx, gzip(content));
        IdxArray expected = IdxArray.ofUnsignedBytes(sequence(6), 2, 3);
        assertEquals(expected, Idx.read(plainNamedGz));
        assertEquals(expected, Idx.read(gzipNamedIdx));
        assertTrue(Idx.isGzip(gzipNamedIdx));
        assertFalse(Idx.isGzip(plainNamedGz));
    }

    @Test
    void readHeaderReadsTheHeaderOnly() throws IOException {
        Path file = dir.resolve("images.gz");
        Files.write(file, gzip(unsignedBytes(sequence(60), 5, 3, 4)));
        IdxHeader header = Idx.readHeader(file);
        assertEquals(IdxType.UNSIGNED_BYTE, header.type());
        assertArrayEquals(new int[] {5, 3, 4}, header.dims());
        assertEquals(16, header.headerBytes());
        assertEquals(60, header.payloadBytes());
        Path broken = dir.resolve("broken.idx");
        Files.write(broken, new byte[] {0, 0, 0x0C, 0});
        assertEquals(3, assertThrows(IdxFormatException.class, () -> Idx.readHeader(broken)).offset());
    }
}
