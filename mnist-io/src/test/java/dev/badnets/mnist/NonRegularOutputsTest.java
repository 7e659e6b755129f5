package dev.badnets.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.mnist.testing.Fifos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output helpers write regular files and folders only: a FIFO (or device, or socket) in the way
 * is refused before anything is created, never renamed over, and gets no lock file beside it.
 */
class NonRegularOutputsTest {

    @Test
    void aFifoIsNeitherRenamedOverNorLockedAsAnOutput(@TempDir Path dir) throws Exception {
        Path fifo = Fifos.make(dir, "out");
        assertThrows(IllegalArgumentException.class, () -> AtomicFiles.write(fifo, out -> out.write(1)));
        assertThrows(IllegalArgumentException.class, () -> OutputLock.acquire(fifo));
        assertThrows(IllegalArgumentException.class, () -> AtomicFolder.begin(fifo, Set.of("a")));
        assertTrue(Fifos.isFifo(fifo), "still a FIFO");
        try (var listing = Files.list(dir)) {
            assertEquals(1, listing.count(), "nothing beside it: no lock, no temporary file");
        }
        assertFalse(Files.exists(dir.resolve(".out.lock")));
    }
}
