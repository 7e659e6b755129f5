package dev.badnets.mnist;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An exclusive lock on an output file or folder, held in a lock file beside it
 * ({@code .NAME.lock}), so that two writers never interleave their files. The lock file stays after
 * {@link #close()}: deleting it would let a third writer lock a fresh file while a second still holds
 * the old one. Whoever holds the lock is the only writer of that place, so temporary siblings left
 * by a killed writer ({@code .NAME.<hex>.tmp}, {@code .staging}, {@code .trash}) are removed on acquiring.
 * Only regular files and folders (or paths that do not exist yet) are outputs ({@link #checkWritable}).
 */
public final class OutputLock implements AutoCloseable {

    private final Path target;
    private final FileChannel channel;
    private final FileLock lock;

    private OutputLock(Path target, FileChannel channel, FileLock lock) {
        this.target = target;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code target} (which need not exist; its parent must) without waiting, then removes
     * leftovers of killed writers and, when a killed folder swap left no folder but the old one in the
     * trash, puts the old one back.
     *
     * @throws OutputInUseException     when another process (or another lock in this one) holds it
     * @throws IllegalArgumentException when {@code target} is a device, FIFO or socket (nothing is created)
     */
    public static OutputLock acquire(Path target) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        if (abs.getFileName() == null) {
            throw new IllegalArgumentException("the root folder cannot be an output");
        }
        checkWritable(abs);
        Path lockFile = abs.resolveSibling("." + abs.getFileName() + ".lock");
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new OutputInUseException(abs);
        }
        OutputLock held = new OutputLock(abs, channel, lock);
        try {
            held.recover();
        } catch (IOException | RuntimeException e) {
            held.close();
            throw e;
        }
        return held;
    }

    /**
     * Refuses an output that exists and is neither a regular file nor a folder (a device such as
     * {@code /dev/null}, a FIFO, a socket; links followed): writing a new file and renaming it into
     * place would replace it rather than write through it, and its lock file would litter a folder
     * such as {@code /dev}.
     *
     * @throws IllegalArgumentException for such an output
     */
    public static void checkWritable(Path target) {
        if (Files.exists(target) && !Files.isRegularFile(target) && !Files.isDirectory(target)) {
            throw new IllegalArgumentException(target + " is a device, FIFO or socket, not a regular file or folder;"
                    + " write outputs to a regular file or folder");
        }
    }

    /** The locked output. */
    public Path target() {
        return target;
    }

    /** A fresh sibling name for a temporary of the given kind ({@code tmp}, {@code staging}, {@code trash}). */
    Path sibling(String kind) {
        String suffix = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
        return target.resolveSibling("." + target.getFileName() + "." + suffix + "." + kind);
    }

    /** The leftovers of earlier writers of this target: temporary files, staging and trash folders. */
    List<Path> leftovers() throws IOException {
        Pattern own = Pattern.compile(Pattern.quote("." + target.getFileName() + ".") + "[0-9a-f]{1,16}\\.(tmp|staging|trash)");
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(target.getParent(),
                p -> own.matcher(p.getFileName().toString()).matches())) {
            siblings.forEach(found::add);
        }
        return found;
    }

    private void recover() throws IOException {
        List<Path> leftovers = leftovers();
        if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            for (Path p : leftovers) {
                if (p.getFileName().toString().endsWith(".trash") && Files.isDirectory(p)) {
                    // killed between moving the old folder out and the new one in: the old one is whole
                    Files.move(p, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    leftovers.remove(p);
                    break;
                }
            }
        }
        for (Path p : leftovers) {
            deleteTree(p);
        }
    }

    /** Deletes a file, or a folder and everything in it, without following symbolic links. */
    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> all = Files.walk(path)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } else {
            Files.deleteIfExists(path);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
