package dev.badnets.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output helpers write regular files and folders only: a FIFO (or device, or socket) in the way
 * is refused before anything is created, never renamed over, and gets no lock file beside it.
 */
class NonRegularOutputsTest {

    private static Path fifo(Path dir, String name) throws Exception {
        Path fifo = dir.resolve(name);
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo");
        return fifo;
    }

    private static boolean isFifo(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void aFifoIsNeitherRenamedOverNorLockedAsAnOutput(@TempDir Path dir) throws Exception {
        Path fifo = fifo(dir, "out");
        assertThrows(IllegalArgumentException.class, () -> AtomicFiles.write(fifo, out -> out.write(1)));
        assertThrows(IllegalArgumentException.class, () -> OutputLock.acquire(fifo));
        assertThrows(IllegalArgumentException.class, () -> AtomicFolder.begin(fifo, Set.of("a")));
        assertTrue(isFifo(fifo), "still a FIFO");
        try (var listing = Files.list(dir)) {
            assertEquals(1, listing.count(), "nothing beside it: no lock, no temporary file");
        }
        assertFalse(Files.exists(dir.resolve(".out.lock")));
    }
}
