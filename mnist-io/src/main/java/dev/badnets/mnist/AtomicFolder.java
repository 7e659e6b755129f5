package dev.badnets.mnist;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Writes a folder of files as one set. The files go into a fresh hidden sibling folder
 * ({@code .NAME.<hex>.staging}); {@link #commit()} then moves the old folder aside
 * ({@code .NAME.<hex>.trash}), renames the new one into place and deletes the old one. Readers see
 * the old set or the new one, never a mix; a writer killed between the two renames leaves no folder
 * and the old one whole in the trash, which the next writer puts back before it starts
 * ({@link OutputLock}). A second writer of the same folder fails at once with
 * {@link OutputInUseException}.
 *
 * <p>Files in the old folder that this write does not produce (other tools' outputs, notes) are
 * carried into the new folder by hard link (by copy where links are impossible). A folder holding
 * subfolders is not replaced, since carrying them over could not be undone by a kill.
 */
public final class AtomicFolder implements AutoCloseable {

    private final OutputLock lock;
    private final Set<String> ownNames;
    private final Path staging;
    private boolean committed;

    private AtomicFolder(OutputLock lock, Set<String> ownNames, Path staging) {
        this.lock = lock;
        this.ownNames = ownNames;
        this.staging = staging;
    }

    /**
     * Locks {@code target}, cleans up after killed writers and creates the staging folder. Creates
     * the parent folder if needed.
     *
     * @param ownNames the file names this write produces (or wants gone, such as a stale manifest);
     *                 other files of an existing {@code target} are carried over
     * @throws OutputInUseException     when another writer holds {@code target}
     * @throws IllegalArgumentException when {@code target} is a file, or a folder holding subfolders
     */
    public static AtomicFolder begin(Path target, Set<String> ownNames) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        if (abs.getParent() == null) {
            throw new IllegalArgumentException("the root folder cannot be replaced; write to a new folder");
        }
        Files.createDirectories(abs.getParent());
        OutputLock lock = OutputLock.acquire(abs);
        try {
            checkReplaceable(abs, ownNames);
            Path staging = lock.sibling("staging");
            Files.createDirectory(staging);
            return new AtomicFolder(lock, Set.copyOf(ownNames), staging);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static void checkReplaceable(Path target, Set<String> ownNames) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(target + " exists and is not a folder; remove it or write elsewhere");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(target)) {
            for (Path p : entries) {
                if (!ownNames.contains(p.getFileName().toString())
                        && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalArgumentException(target + " holds " + p.getFileName()
                            + ", which is not a plain file, and would not be kept when the folder is replaced;"
                            + " write to a new or empty folder");
                }
            }
        }
    }

    /** The folder to write the new files into. */
    public Path staging() {
        return staging;
    }

    /** The folder being replaced. */
    public Path target() {
        return lock.target();
    }

    /** Carries over the old folder's other files, makes the staged files durable and swaps the folders. */
    public void commit() throws IOException {
        Path target = lock.target();
        boolean exists = Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS);
        if (exists) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(target)) {
                for (Path p : entries) {
                    String name = p.getFileName().toString();
                    Path copy = staging.resolve(name);
                    if (ownNames.contains(name) || Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    try {
                        Files.createLink(copy, p);
                    } catch (UnsupportedOperationException | FileSystemException e) {
                        Files.copy(p, copy, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
        sync(staging);
        if (exists) {
            Path trash = lock.sibling("trash");
            move(target, trash);
            move(staging, target);
            sync(target.getParent());
            committed = true;
            OutputLock.deleteTree(trash);
        } else {
            move(staging, target);
            sync(target.getParent());
            committed = true;
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /**
     * Flushes a folder's entries to the disk, best effort. The files themselves are already durable:
     * {@link AtomicFiles} forces each one, and carried files are links to durable data.
     */
    private static void sync(Path dir) {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        } catch (IOException e) {
            // some file systems cannot open a folder for syncing
        }
    }

    /** Deletes the staging folder unless committed, and releases the lock. */
    @Override
    public void close() throws IOException {
        try {
            if (!committed) {
                OutputLock.deleteTree(staging);
            }
        } finally {
            lock.close();
        }
    }
}
