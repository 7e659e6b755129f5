package dev.badnets.examples.cli;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Output folders checked up front. Files themselves are written whole or not at all with
 * {@link dev.badnets.mnist.AtomicFiles}.
 */
final class OutputFiles {

    private OutputFiles() {
    }

    /**
     * Creates {@code dir} if needed and proves it writable, so a long run does not fail at its end.
     *
     * @param flag the flag that named the folder, for the message
     */
    static Path prepareFolder(Path dir, String flag) {
        Path folder = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(folder);
            Path probe = Files.createTempFile(folder, ".badnets-probe", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            String why = e instanceof FileSystemException fs && fs.getReason() != null
                    ? fs.getReason() : e.getClass().getSimpleName();
            throw new UserException("cannot write to the output folder " + folder + " (" + why + ")",
                    "choose a folder you can write to with " + flag + " DIR");
        }
        return folder;
    }
}
