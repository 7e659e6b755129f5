package dev.badnets.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Round trips for every type and random shapes; arbitrary and mutated bytes give a result or IdxFormatException. */
class IdxPropertiesTest {
    private static Path dir;

    @BeforeContainer
    static void createFolder() throws IOException {
        dir = Files.createTempDirectory("idx-properties");
    }

    @AfterContainer
    static void deleteFolder() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Property(tries = 300)
    void writerThenReaderRoundTripsExactly(@ForAll("arrays") IdxArray array) throws IOException {
        Path raw = dir.resolve("roundtrip.idx");
        Path gz = dir.resolve("roundtrip.idx.gz");
        Idx.write(raw, array);
        Idx.writeGzip(gz, array);
        assertEquals(array, Idx.read(raw));
        assertEquals(array, Idx.read(gz));
        assertEquals(array.type(), Idx.readHeader(gz).type());
        assertEquals(4 + 4L * array.rank() + (long) array.length() * array.type().size(), Files.size(raw));
    }

    @Property(tries = 200)
    void gzipAndRawReadTheSame(@ForAll("arrays") IdxArray array) throws IOException {
        byte[] raw = bytesOf(array);
        IdxArray fromRaw = Idx.read(new ByteArrayInputStream(raw), "raw");
        IdxArray fromGzip = Idx.read(new ByteArrayInputStream(IdxBytes.gzip(raw)), "gz");
        assertEquals(array, fromRaw);
        assertEquals(fromRaw, fromGzip);
    }

    @Property(tries = 500)
    void randomBytesGiveAResultOrIdxFormatException(@ForAll @Size(max = 64) byte[] bytes,
                                                    @ForAll boolean idxLikePrefix) throws IOException {
        if (idxLikePrefix && bytes.length >= 4) { // get past the magic check more often than chance would
            bytes[0] = 0;
            bytes[1] = 0;
            bytes[2] = (byte) IdxType.values()[Math.floorMod(bytes[2], 6)].code();
            bytes[3] = (byte) (1 + Math.floorMod(bytes[3], 3));
        }
        readsOrRefuses(bytes);
        readsOrRefuses(IdxBytes.gzip(bytes));
    }

    @Property(tries = 500)
    void mutatedFilesGiveAResultOrIdxFormatException(@ForAll("arrays") IdxArray array, @ForAll boolean gzip,
                                                     @ForAll("mutations") List<Mutation> mutations) throws IOException {
        byte[] bytes = gzip ? IdxBytes.gzip(bytesOf(array)) : bytesOf(array);
        for (Mutation m : mutations) {
            bytes = m.apply(bytes);
        }
        readsOrRefuses(bytes);
    }

    /** Reading through a file and through a stream: anything but IdxFormatException fails the property. */
    private static void readsOrRefuses(byte[] bytes) throws IOException {
        Path file = dir.resolve("fuzz.idx");
        Files.write(file, bytes);
        try {
            Idx.read(file);
        } catch (IdxFormatException expected) {
            // refused cleanly
        }
        try {
            Idx.read(new ByteArrayInputStream(bytes), "fuzz");
        } catch (IdxFormatException expected) {
            // refused cleanly
        }
    }

    private static byte[] bytesOf(IdxArray array) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Idx.write(out, array);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Provide
    Arbitrary<IdxArray> arrays() {
        Arbitrary<int[]> dims = Arbitraries.integers().between(0, 5).array(int[].class).ofMinSize(1).ofMaxSize(4);
        Arbitrary<IdxType> types = Arbitraries.of(IdxType.class);
        return Combinators.combine(types, dims, Arbitraries.longs()).as(IdxPropertiesTest::randomArray);
    }

    static IdxArray randomArray(IdxType type, int[] dims, long seed) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        Random random = new Random(seed);
        switch (type) {
            case UNSIGNED_BYTE:
            case SIGNED_BYTE: {
                byte[] a = new byte[n];
                random.nextBytes(a);
                return type == IdxType.UNSIGNED_BYTE ? IdxArray.ofUnsignedBytes(a, dims) : IdxArray.ofSignedBytes(a, dims);
            }
            case SHORT: {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (short) random.nextInt();
                }
                return IdxArray.ofShorts(a, dims);
            }
            case INT:
                return IdxArray.ofInts(random.ints(n).toArray(), dims);
            case FLOAT: {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Float.intBitsToFloat(random.nextInt()); // every bit pattern, NaNs and infinities too
                }
                return IdxArray.ofFloats(a, dims);
            }
            default: {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Double.longBitsToDouble(random.nextLong());
                }
                return IdxArray.ofDoubles(a, dims);
            }
        }
    }

    /** A byte flip, a truncation or appended bytes, at a position given as a fraction of the length. */
    record Mutation(int kind, double where, int value) {
        byte[] apply(byte[] bytes) {
            int at = (int) (where * bytes.length);
            switch (kind) {
                case 0: {
                    if (bytes.length == 0) {
                        return bytes;
                    }
                    byte[] copy = bytes.clone();
                    copy[Math.min(at, bytes.length - 1)] ^= (byte) (1 + Math.floorMod(value, 255));
                    return copy;
                }
                case 1:
                    return java.util.Arrays.copyOf(bytes, at);
                default: {
                    byte[] extra = new byte[1 + Math.floorMod(value, 8)];
                    new Random(value).nextBytes(extra);
                    return IdxBytes.concat(bytes, extra);
                }
            }
        }
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one = Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.integers()).as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(3);
    }

    @Property(tries = 50)
    void flippingAHeaderByteIsNeverSilentlyAccepted(@ForAll("arrays") IdxArray array,
                                                    @ForAll @IntRange(min = 0, max = 3) int at) {
        byte[] bytes = bytesOf(array);
        bytes[at] ^= 0x40; // magic, type or rank: all invalid with bit 6 flipped
        try {
            Idx.read(new ByteArrayInputStream(bytes), "flipped");
        } catch (IdxFormatException expected) {
            return;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("accepted a file with header byte " + at + " flipped");
    }
}
