package dev.badnets.mnist;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file through a temporary sibling and a rename, so readers never see it half-written and
 * a failure leaves the old file (or none) in place. The temporary file is created like any other
 * (the user's umask applies), so the renamed file has the usual permissions.
 */
public final class AtomicFiles {
    static final int BUFFER = 1 << 16;

    /** What to write; the stream is buffered, and closed by {@link #write}. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} whole or not at all, creating its folder if needed.
     *
     * @throws IllegalArgumentException when {@code target} is the root, or exists and is a device,
     *                                  FIFO or socket ({@link OutputLock#checkWritable}): the rename
     *                                  would replace it; nothing is written
     */
    public static void write(Path target, Body body) throws IOException {
        if (target.toAbsolutePath().getParent() == null) {
            throw new IllegalArgumentException("the root folder cannot be written as a file; name a file");
        }
        OutputLock.checkWritable(target);
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = temporarySibling(target);
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER)) {
                body.writeTo(out);
                out.flush();
                channel.force(true); // the rename must not publish data still in the page cache only
            }
            replace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A fresh name next to {@code target}: same folder, so the final rename stays on one file system. */
    static Path temporarySibling(Path target) {
        Path abs = target.toAbsolutePath();
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
        return abs.resolveSibling("." + abs.getFileName() + "." + suffix + ".tmp");
    }

    static void replace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
