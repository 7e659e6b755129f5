package dev.badnets.mnist;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Inflates a gzip stream (RFC 1952) member after member, like {@link java.util.zip.GZIPInputStream},
 * but strictly: after a member's trailer the stream must end or hold another whole member.
 * GZIPInputStream silently stops at bytes that do not start a member, so a file with garbage after
 * its last member would read as valid; here that is a {@link TrailingDataException}.
 * Truncation raises {@link EOFException}, corruption {@link ZipException}. Does not close {@code in}
 * before {@link #close()}.
 */
final class StrictGzipInputStream extends InputStream {

    /** Bytes after the last gzip member that do not form another member. */
    static final class TrailingDataException extends ZipException {
        private static final long serialVersionUID = 1L;

        TrailingDataException(String message) {
            super(message);
        }
    }

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED = 0xE0;

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int limit;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private long memberBytes;
    private boolean eof;

    /** Reads the first member's header at once, so a stream that is not gzip fails here. */
    StrictGzipInputStream(InputStream in, int bufferSize) throws IOException {
        this.in = in;
        this.buf = new byte[bufferSize];
        readHeader(true);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!eof) {
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new ZipException(e.getMessage() == null ? "invalid deflate data" : e.getMessage());
            }
            if (n > 0) {
                crc.update(b, off, n);
                memberBytes += n;
                return n;
            }
            if (inflater.finished()) {
                pos = limit - inflater.getRemaining(); // hand the unused input back to the trailer
                readTrailer();
                if (atEnd()) {
                    eof = true;
                } else {
                    readHeader(false);
                    inflater.reset();
                    crc.reset();
                    memberBytes = 0;
                }
            } else if (inflater.needsDictionary()) {
                throw new ZipException("a deflate stream asks for a preset dictionary, which gzip never uses");
            } else if (inflater.needsInput()) {
                if (pos == limit && !refill()) {
                    throw new EOFException("the gzip stream ends inside compressed data");
                }
                inflater.setInput(buf, pos, limit - pos);
                pos = limit;
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }

    private boolean refill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private boolean atEnd() throws IOException {
        return pos == limit && !refill();
    }

    private int readByte() throws IOException {
        if (pos == limit && !refill()) {
            throw new EOFException("the gzip stream ends inside a member's header or trailer");
        }
        return buf[pos++] & 0xFF;
    }

    private long readLittleEndian(int bytes) throws IOException {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v |= (long) readByte() << (8 * i);
        }
        return v;
    }

    private void readHeader(boolean first) throws IOException {
        int id1 = readByte();
        int id2 = pos < limit || refill() ? buf[pos++] & 0xFF : -1;
        if (id1 != 0x1f || id2 != 0x8b) {
            if (first) {
                throw new ZipException("Not in GZIP format");
            }
            throw new TrailingDataException("found bytes after the last gzip member that do not start another member");
        }
        if (readByte() != 8) {
            throw new ZipException("Unsupported compression method");
        }
        int flags = readByte();
        if ((flags & RESERVED) != 0) {
            throw new ZipException("reserved gzip header flags are set");
        }
        readLittleEndian(4); // modification time
        readByte(); // extra flags
        readByte(); // operating system
        if ((flags & FEXTRA) != 0) {
            long extra = readLittleEndian(2);
            for (long i = 0; i < extra; i++) {
                readByte();
            }
        }
        if ((flags & FNAME) != 0) {
            while (readByte() != 0) {
                // skip the file name
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (readByte() != 0) {
                // skip the comment
            }
        }
        if ((flags & FHCRC) != 0) {
            readLittleEndian(2);
        }
    }

    private void readTrailer() throws IOException {
        long expectedCrc = readLittleEndian(4);
        long expectedSize = readLittleEndian(4);
        if (expectedCrc != crc.getValue() || expectedSize != (memberBytes & 0xFFFFFFFFL)) {
            throw new ZipException("Corrupt GZIP trailer");
        }
    }
}
