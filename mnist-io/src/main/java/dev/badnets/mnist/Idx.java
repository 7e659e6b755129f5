package dev.badnets.mnist;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes IDX files: magic {@code 00 00 TT RR}, RR big-endian 4-byte dimensions, then the
 * row-major payload. Any rank from 1 to 255 and every element type; gzip is recognised by its magic
 * bytes (1f 8b), never by the file name.
 *
 * <p>Reading is strict: every malformed input, including a missing path, a directory, a corrupt or
 * truncated gzip stream, bytes after the declared payload and bytes after the last gzip member, raises
 * {@link IdxFormatException}. Sizes
 * are checked before anything is allocated; a compressed stream is read incrementally, so a header
 * that declares more than the stream holds cannot exhaust memory. Other {@link IOException}s mean
 * the device failed, not the data.
 */
public final class Idx {
    /** One Java array holds at most this many bytes. */
    static final long MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 8;
    /** Deflate expands at most 1032:1; a gzip file of n bytes cannot decompress to more than this factor times n. */
    private static final long MAX_GZIP_RATIO = 1100;
    /** The first allocation for a stream whose length is unknown; it grows only as data actually arrives. */
    private static final int FIRST_CHUNK = 64 << 20;
    private static final int BUFFER = AtomicFiles.BUFFER;

    private Idx() {
    }

    /** Reads a whole IDX file, raw or gzip-compressed. */
    public static IdxArray read(Path path) throws IOException {
        String name = path.toString();
        long fileSize = checkReadable(path);
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, name, fileSize);
        }
    }

    /**
     * Reads an IDX array, raw or gzip-compressed, from {@code in} up to its end (trailing bytes are an
     * error); does not close it. {@code nameForErrors} names the source in error messages.
     */
    public static IdxArray read(InputStream in, String nameForErrors) throws IOException {
        return read(in, nameForErrors, -1);
    }

    /** Reads only the header of an IDX file (decompressing just its first bytes when gzipped). */
    public static IdxHeader readHeader(Path path) throws IOException {
        String name = path.toString();
        checkReadable(path);
        try (InputStream raw = Files.newInputStream(path)) {
            Reader reader = Reader.open(raw, name);
            return reader.header();
        }
    }

    /** Writes {@code array} uncompressed to {@code path}, through a temporary file and a rename. */
    public static void write(Path path, IdxArray array) throws IOException {
        AtomicFiles.write(path, out -> write(out, array));
    }

    /** Writes {@code array} gzip-compressed to {@code path}, through a temporary file and a rename. */
    public static void writeGzip(Path path, IdxArray array) throws IOException {
        AtomicFiles.write(path, out -> {
            GZIPOutputStream gzip = new GZIPOutputStream(out, BUFFER);
            write(gzip, array);
            gzip.finish();
        });
    }

    /** Writes {@code array} uncompressed to a stream; does not close it. */
    public static void write(OutputStream out, IdxArray array) throws IOException {
        int rank = array.rank();
        ByteBuffer header = ByteBuffer.allocate(4 + 4 * rank); // big-endian, as IDX wants
        header.put((byte) 0).put((byte) 0).put((byte) array.type().code()).put((byte) rank);
        for (int d : array.dims()) {
            header.putInt(d);
        }
        out.write(header.array());

        IdxType type = array.type();
        if (type.size() == 1) {
            out.write(array.bytes());
            return;
        }
        int n = array.length();
        int perChunk = BUFFER / type.size();
        ByteBuffer chunk = ByteBuffer.allocate(perChunk * type.size());
        for (int from = 0; from < n; from += perChunk) {
            int len = Math.min(perChunk, n - from);
            chunk.clear();
            switch (type) {
                case SHORT:
                    chunk.asShortBuffer().put(array.shorts(), from, len);
                    break;
                case INT:
                    chunk.asIntBuffer().put(array.ints(), from, len);
                    break;
                case FLOAT:
                    chunk.asFloatBuffer().put(array.floats(), from, len);
                    break;
                default:
                    chunk.asDoubleBuffer().put(array.doubles(), from, len);
                    break;
            }
            out.write(chunk.array(), 0, len * type.size());
        }
    }

    /** True when the file starts with the gzip magic bytes 1f 8b. */
    public static boolean isGzip(Path path) throws IOException {
        checkReadable(path);
        try (InputStream in = Files.newInputStream(path)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static IdxArray read(InputStream raw, String name, long fileSize) throws IOException {
        Reader reader = Reader.open(raw, name);
        IdxHeader header = reader.header();
        long payloadBytes = header.payloadBytes();
        long capacity = Math.min(payloadBytes, FIRST_CHUNK);
        if (fileSize >= 0 && !reader.gzip) {
            long available = fileSize - header.headerBytes();
            if (available < payloadBytes) {
                throw new IdxFormatException(name, fileSize, "expected " + payloadBytes + " payload bytes for "
                        + describe(header) + ", the file ends after " + available);
            }
            if (available > payloadBytes) {
                throw new IdxFormatException(name, header.headerBytes() + payloadBytes,
                        "expected the end of the file after the " + describe(header) + " payload, found "
                                + (available - payloadBytes) + " more bytes");
            }
            capacity = payloadBytes; // the file size vouches for it
        } else if (fileSize >= 0) {
            capacity = Math.min(capacity, fileSize * MAX_GZIP_RATIO);
        }
        byte[] payload = reader.payload(header, payloadBytes, capacity);
        reader.expectEnd(header);
        return decode(header, payload);
    }

    private static IdxArray decode(IdxHeader header, byte[] payload) {
        int[] dims = header.dims();
        int n = (int) header.elementCount();
        ByteBuffer bytes = ByteBuffer.wrap(payload); // big-endian by default
        switch (header.type()) {
            case UNSIGNED_BYTE:
                return IdxArray.ofUnsignedBytes(payload, dims);
            case SIGNED_BYTE:
                return IdxArray.ofSignedBytes(payload, dims);
            case SHORT: {
                short[] a = new short[n];
                bytes.asShortBuffer().get(a);
                return IdxArray.ofShorts(a, dims);
            }
            case INT: {
                int[] a = new int[n];
                bytes.asIntBuffer().get(a);
                return IdxArray.ofInts(a, dims);
            }
            case FLOAT: {
                float[] a = new float[n];
                bytes.asFloatBuffer().get(a);
                return IdxArray.ofFloats(a, dims);
            }
            default: {
                double[] a = new double[n];
                bytes.asDoubleBuffer().get(a);
                return IdxArray.ofDoubles(a, dims);
            }
        }
    }

    static String describe(IdxHeader header) {
        return header.shapeString() + " " + header.type();
    }

    /**
     * Turns a missing path, a directory or anything but a regular file into the one-line error; returns
     * the file size. A FIFO or device is refused rather than opened: opening a FIFO waits for a writer
     * that may never come, and its size could not bound what reading it allocates.
     */
    static long checkReadable(Path path) throws IdxFormatException {
        String name = path.toString();
        if (Files.isDirectory(path)) {
            throw new IdxFormatException(name, "is a directory, expected an IDX file");
        }
        try {
            long size = Files.size(path);
            if (!Files.isRegularFile(path)) {
                throw new IdxFormatException(name, "is not a regular file (a FIFO, device or socket); copy the data to a file");
            }
            if (!Files.isReadable(path)) {
                throw new IdxFormatException(name, "cannot be read (permission denied)");
            }
            return size;
        } catch (NoSuchFileException e) {
            throw new IdxFormatException(name, "no such file");
        } catch (AccessDeniedException e) {
            throw new IdxFormatException(name, "cannot be read (permission denied)");
        } catch (IdxFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new IdxFormatException(name, "cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Reads the decompressed bytes, counting the offset and turning gzip failures into IdxFormatException. */
    private static final class Reader {
        private final InputStream in;
        private final String name;
        private final boolean gzip;
        private long position;

        private Reader(InputStream in, String name, boolean gzip) {
            this.in = in;
            this.name = name;
            this.gzip = gzip;
        }

        static Reader open(InputStream raw, String name) throws IOException {
            BufferedInputStream buffered = new BufferedInputStream(raw, BUFFER);
            buffered.mark(2);
            boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b;
            buffered.reset();
            if (!gzip) {
                return new Reader(buffered, name, false);
            }
            try {
                return new Reader(new StrictGzipInputStream(buffered, BUFFER), name, true);
            } catch (EOFException | ZipException e) {
                throw new IdxFormatException(name, 0, "expected a gzip header, the gzip stream is "
                        + (e instanceof EOFException ? "truncated" : "corrupt (" + e.getMessage() + ")"));
            }
        }

        IdxHeader header() throws IOException {
            byte[] magic = new byte[4];
            int got = fill(magic, 0, 4);
            if (got == 0) {
                throw error(0, "expected the IDX magic number 00 00 TT RR, the file is empty");
            }
            if (got < 4) {
                throw error(got, "expected the 4-byte IDX magic number 00 00 TT RR, the file ends after " + got
                        + " bytes");
            }
            if (magic[0] != 0 || magic[1] != 0) {
                throw error(0, String.format("expected the IDX magic number 00 00 TT RR, found %02x %02x %02x %02x"
                        + " (not an IDX file)", magic[0], magic[1], magic[2], magic[3]));
            }
            IdxType type = IdxType.ofCode(magic[2] & 0xFF);
            if (type == null) {
                throw error(2, String.format("expected an element type code 08, 09, 0b, 0c, 0d or 0e, found %02x",
                        magic[2]));
            }
            int rank = magic[3] & 0xFF;
            if (rank == 0) {
                throw error(3, "expected a rank of at least 1, found 0");
            }
            byte[] raw = new byte[4 * rank];
            got = fill(raw, 0, raw.length);
            if (got < raw.length) {
                int missing = got / 4;
                throw error(4 + 4L * missing, "expected 4-byte dimension " + (missing + 1) + " of " + rank
                        + ", the file ends");
            }
            ByteBuffer buffer = ByteBuffer.wrap(raw);
            int[] dims = new int[rank];
            for (int i = 0; i < rank; i++) {
                dims[i] = buffer.getInt();
                if (dims[i] < 0) {
                    throw error(4 + 4L * i, "expected dimension " + (i + 1) + " of " + rank + " below 2^31, found "
                            + Integer.toUnsignedString(dims[i]));
                }
            }
            IdxHeader header = new IdxHeader(type, dims);
            if (header.payloadBytes() > MAX_PAYLOAD_BYTES) {
                long bytes = header.payloadBytes();
                throw error(header.headerBytes(), "dimensions " + describe(header) + " declare "
                        + (bytes == Long.MAX_VALUE ? "more than 2^63" : Long.toString(bytes))
                        + " payload bytes, expected at most " + MAX_PAYLOAD_BYTES);
            }
            return header;
        }

        /** The payload, growing the array only as bytes arrive so a lying header cannot exhaust memory. */
        byte[] payload(IdxHeader header, long total, long capacity) throws IOException {
            byte[] buf = new byte[(int) Math.min(total, Math.max(capacity, 1))];
            int filled = 0;
            while (filled < total) {
                if (filled == buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(total, Math.max(1L << 20, 2L * buf.length)));
                }
                int n = fill(buf, filled, buf.length - filled);
                filled += n;
                if (filled < buf.length) {
                    throw error(position, "expected " + total + " payload bytes for " + describe(header)
                            + ", the " + (gzip ? "decompressed data ends" : "file ends") + " after " + filled);
                }
            }
            return buf;
        }

        void expectEnd(IdxHeader header) throws IOException {
            int next;
            try {
                next = in.read(); // one byte, never inflating the rest of a long stream
            } catch (EOFException | ZipException e) {
                throw gzipError(e);
            }
            if (next != -1) {
                throw error(position, "expected the end of the " + (gzip ? "decompressed data" : "file")
                        + " after the " + describe(header) + " payload, found more bytes");
            }
        }

        /** Reads until {@code len} bytes or the end; returns how many arrived. */
        private int fill(byte[] b, int off, int len) throws IOException {
            int done = 0;
            try {
                while (done < len) {
                    int n = in.read(b, off + done, len - done);
                    if (n < 0) {
                        break;
                    }
                    done += n;
                    position += n;
                }
            } catch (EOFException | ZipException e) {
                throw gzipError(e);
            }
            return done;
        }

        private IdxFormatException gzipError(IOException e) {
            if (e instanceof EOFException) {
                return error(position, "expected more compressed data, the gzip stream is truncated");
            }
            if (e instanceof StrictGzipInputStream.TrailingDataException) {
                return error(position, "expected the end of the file after the last gzip member, found bytes"
                        + " that do not start another member");
            }
            return error(position, "expected valid gzip data, the gzip stream is corrupt (" + e.getMessage() + ")");
        }

        private IdxFormatException error(long offset, String problem) {
            return new IdxFormatException(name, offset, problem);
        }
    }
}
