package dev.badnets.cli;

import dev.badnets.mnist.AtomicFolder;
import dev.badnets.mnist.OutputInUseException;
import dev.badnets.mnist.OutputLock;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * A command's inputs and outputs, checked before any work: every output is compared with every
 * input and every other output by where it really is (symbolic links and {@code ..} resolved, and
 * {@link Files#isSameFile} where both exist), so no spelling of a path lets a command write over its
 * own data. Output paths are checked for shape too (a folder where a file goes, a file where a folder
 * goes, the root), and their parent folders created and proved writable. An output must be a
 * regular file or folder, or not exist yet: a device ({@code /dev/null}), FIFO or socket, a stream of
 * this process ({@code /dev/stdout}, {@code /dev/fd/N}, even where it leads to a regular file) and
 * {@code -} are refused before any work, since writing a new file and renaming it into place would
 * replace them (or what they lead to) rather than write through them. Files themselves are written
 * whole or not at all with {@link dev.badnets.mnist.AtomicFiles}, folders as one set with
 * {@link AtomicFolder}.
 */
public final class OutputFiles {

    private enum Kind {
        DATA("the data folder"), INPUT("the input file"), FILE("the output file"), FOLDER("the output folder");

        final String what;

        Kind(String what) {
            this.what = what;
        }

        boolean folder() {
            return this == DATA || this == FOLDER;
        }

        boolean output() {
            return this == FILE || this == FOLDER;
        }
    }

    private record Named(String flag, String given, Path real, Kind kind) {
        String describe() {
            return kind.what + " " + real + " (" + flag + ")";
        }
    }

    private final List<Named> paths = new ArrayList<>();

    /** A data folder the command reads. */
    public OutputFiles data(String flag, Path folder) {
        paths.add(new Named(flag, folder.toString(), real(folder), Kind.DATA));
        return this;
    }

    /** A file the command reads; null is ignored. */
    public OutputFiles input(String flag, Path file) {
        if (file != null) {
            paths.add(new Named(flag, file.toString(), real(file), Kind.INPUT));
        }
        return this;
    }

    /** A file the command writes; null is ignored. */
    public OutputFiles file(String flag, String given) {
        if (given != null) {
            paths.add(new Named(flag, given, real(Path.of(given)), Kind.FILE));
        }
        return this;
    }

    /** A folder the command writes as one set; null is ignored. */
    public OutputFiles folder(String flag, String given) {
        if (given != null) {
            paths.add(new Named(flag, given, real(Path.of(given)), Kind.FOLDER));
        }
        return this;
    }

    /** The real path of what {@code flag} named, or null when it was not given. */
    public Path path(String flag) {
        return paths.stream().filter(n -> n.flag.equals(flag)).map(Named::real).findFirst().orElse(null);
    }

    /**
     * Refuses bad shapes and clashes, then creates the outputs' parent folders and proves them
     * writable. Nothing is created before every check has passed.
     */
    public OutputFiles check() {
        for (Named n : paths) {
            if (n.kind.output()) {
                checkShape(n);
            }
        }
        for (Named out : paths) {
            if (!out.kind.output()) {
                continue;
            }
            for (Named other : paths) {
                if (other != out && (!other.kind.output() || paths.indexOf(other) < paths.indexOf(out))) {
                    checkClash(out, other);
                }
            }
        }
        for (Named n : paths) {
            if (n.kind.output()) {
                prepareFolder(n.real.getParent(), n.flag);
            }
        }
        return this;
    }

    private static void checkShape(Named n) {
        String fix = "pass a path you may write to with " + n.flag;
        if (n.real.getFileName() == null) {
            throw new UserException(n.flag + " " + n.given + " is the root folder", n.kind == Kind.FILE
                    ? "name a file, e.g. " + n.flag + " out.json" : "name a new folder, e.g. " + n.flag + " badnets-out");
        }
        if (n.given.equals("-")) {
            throw new UserException(n.flag + " - would mean standard output, which badnets does not write files to",
                    "name a file, e.g. " + n.flag + " " + (n.flag.equals("--json") ? "results.json" : "out")
                            + ", and print it with cat");
        }
        if (resolve(Path.of(n.given)).descriptor()) {
            throw new UserException(n.flag + " " + n.given + " is a stream this process holds open (standard output"
                    + " or another file descriptor), not a file", "name a regular file with " + n.flag
                    + ", e.g. " + n.flag + " " + (n.flag.equals("--json") ? "results.json" : "out") + ", and cat it");
        }
        if (Files.exists(n.real) && !Files.isRegularFile(n.real) && !Files.isDirectory(n.real)) {
            throw new UserException(n.flag + " " + n.given + (n.given.equals(n.real.toString()) ? "" : " (really "
                    + n.real + ")") + " is a device, FIFO or socket, not a regular " + (n.kind == Kind.FILE ? "file"
                    : "folder") + ": badnets writes outputs only to regular files and folders",
                    "name a new path or a regular " + (n.kind == Kind.FILE ? "file" : "folder") + " with " + n.flag);
        }
        if (n.kind == Kind.FILE) {
            String last = Path.of(n.given).getFileName() == null ? "" : Path.of(n.given).getFileName().toString();
            if (n.given.endsWith("/") || n.given.endsWith(java.io.File.separator) || last.equals(".")
                    || last.equals("..") || Files.isDirectory(n.real)) {
                throw new UserException(n.flag + " " + n.given + " names a folder, expected a file",
                        "name a file, e.g. " + n.flag + " " + n.real.resolve(n.flag.equals("--json") ? "results.json"
                                : "model.bin"));
            }
        } else if (Files.exists(n.real) && !Files.isDirectory(n.real)) {
            throw new UserException(n.flag + " " + n.given + " is a file, expected a folder", fix);
        }
    }

    private static void checkClash(Named out, Named other) {
        String problem = null;
        if (same(out.real, other.real)) {
            problem = " is " + other.describe();
        } else if (other.kind.folder() && inside(out.real, other.real)) {
            problem = " lies inside " + other.describe();
        } else if (out.kind.folder() && inside(other.real, out.real)) {
            problem = " holds " + other.describe() + ", and is replaced as a whole";
        }
        if (problem != null) {
            String shown = out.given.equals(out.real.toString()) ? out.given : out.given + " (really " + out.real + ")";
            throw new UserException(out.flag + " " + shown + problem, "choose another path for " + out.flag
                    + ": outputs must not overwrite the data, the inputs or each other");
        }
    }

    private static boolean same(Path a, Path b) {
        if (a.equals(b)) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** True when {@code path} lies below {@code folder}, by name or (through mounts and links) by identity. */
    private static boolean inside(Path path, Path folder) {
        if (path.startsWith(folder) && !path.equals(folder)) {
            return true;
        }
        for (Path p = path.getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p) && same(p, folder)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where {@code path} really is: absolute, every symbolic link followed (a dangling one too, since
     * writing through it would create its target) and {@code ..} applied to the real parent, as the
     * operating system would. Parts that do not exist yet are kept as they are.
     */
    static Path real(Path path) {
        return resolve(path).real();
    }

    /**
     * Where a path really is, and whether the way there went through a link in a file-descriptor
     * folder ({@code /proc/PID/fd}, so {@code /dev/stdout}, {@code /dev/fd/N} and
     * {@code /proc/self/fd/N} too): such a path names a stream this process holds open, whatever
     * file the link shows.
     */
    private record Resolved(Path real, boolean descriptor) {}

    private static Resolved resolve(Path path) {
        boolean descriptor = false;
        Path abs = path.toAbsolutePath();
        Path current = abs.getRoot();
        Deque<String> todo = new ArrayDeque<>();
        abs.forEach(p -> todo.addLast(p.toString()));
        int links = 0;
        while (!todo.isEmpty()) {
            String name = todo.removeFirst();
            if (name.equals(".") || name.isEmpty()) {
                continue;
            }
            if (name.equals("..")) {
                current = current.getParent() == null ? current : current.getParent();
                continue;
            }
            Path next = current.resolve(name);
            if (Files.isSymbolicLink(next)) {
                descriptor |= next.startsWith("/proc") && next.getParent() != null
                        && next.getParent().getFileName() != null
                        && next.getParent().getFileName().toString().equals("fd");
                if (++links > 40) {
                    throw new UserException(path + " goes through more than 40 symbolic links",
                            "check the links for a loop");
                }
                Path target;
                try {
                    target = Files.readSymbolicLink(next);
                } catch (IOException e) {
                    throw new UserException("cannot read the symbolic link " + next + " (" + e.getMessage() + ")",
                            "pass a path without it");
                }
                List<String> parts = new ArrayList<>();
                target.forEach(p -> parts.add(p.toString()));
                for (int i = parts.size() - 1; i >= 0; i--) {
                    todo.addFirst(parts.get(i));
                }
                if (target.isAbsolute()) {
                    current = target.getRoot();
                }
                continue;
            }
            current = next;
        }
        return new Resolved(current, descriptor);
    }

    /** Locks an output file for this run and removes what killed runs left beside it. */
    public static OutputLock lock(Path file, String flag) throws IOException {
        if (file == null) {
            return null;
        }
        try {
            return OutputLock.acquire(file);
        } catch (OutputInUseException e) {
            throw inUse(file, flag);
        }
    }

    /** Starts writing an output folder as one set ({@code names}: the files this command writes there). */
    public static AtomicFolder begin(Path folder, String flag, Set<String> names) throws IOException {
        try {
            return AtomicFolder.begin(folder, names);
        } catch (OutputInUseException e) {
            throw inUse(folder, flag);
        }
    }

    private static UserException inUse(Path path, String flag) {
        return new UserException(flag + " " + path + " is in use by another badnets run",
                "wait for it to finish, or choose another " + flag);
    }

    /**
     * Creates {@code dir} if needed and proves it writable, so a long run does not fail at its end.
     *
     * @param flag the flag that named the folder, for the message
     */
    public static Path prepareFolder(Path dir, String flag) {
        Path folder = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(folder);
            Path probe = Files.createTempFile(folder, ".badnets-probe", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            String why = e instanceof FileSystemException fs && fs.getReason() != null
                    ? fs.getReason() : e.getClass().getSimpleName();
            if (e instanceof java.nio.file.FileAlreadyExistsException) {
                why = "a file is in the way of a folder";
            }
            throw new UserException("cannot write to the output folder " + folder + " (" + why + ")",
                    "choose a folder you can write to with " + flag + (flag.equals("--json") ? " FILE" : " DIR"));
        }
        return folder;
    }
}
