package dev.badnets.mnist;

import java.io.IOException;

/**
 * The one error mnist-io raises for bad input: a malformed IDX file, a corrupt gzip stream, a missing
 * file or folder, or a data folder whose files disagree. The message is one line: the file, the byte
 * offset in the decompressed data when there is one, and what was expected.
 */
public class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long offset;

    /** An error at a byte offset of the (decompressed) data of {@code source}. */
    public IdxFormatException(String source, long offset, String problem) {
        super(source + ": at byte " + offset + ": " + problem);
        this.source = source;
        this.offset = offset;
    }

    /** An error about {@code source} as a whole (missing, a directory, ...); {@link #offset()} is -1. */
    public IdxFormatException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
        this.offset = -1;
    }

    /** The file or stream name the error is about. */
    public String source() {
        return source;
    }

    /** The byte offset in the decompressed data, or -1 when the error is about the file as a whole. */
    public long offset() {
        return offset;
    }
}
