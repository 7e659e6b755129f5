package dev.badnets.mnist;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An IDX path that is a FIFO is refused at once, not opened: opening it would wait for a writer
 * forever (issue: "no hangs on FIFOs"), and a data folder or {@code inspect} reads through here.
 */
class IdxFifoTest {

    @Test
    void aFifoIsRefusedNotWaitedOnByEveryReader(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("train-images-idx3-ubyte");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo");
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(fifo));
            assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
            assertThrows(IdxFormatException.class, () -> Idx.readHeader(fifo));
            assertThrows(IdxFormatException.class, () -> Idx.isGzip(fifo));
            assertThrows(IdxFormatException.class, () -> IdxSummary.read(fifo));
        });
    }
}
