package dev.badnets.attack;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A trigger picture is read from a regular file only: a FIFO with no writer would block the read forever. */
class PngTriggerFifoTest {

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aTriggerPictureThatIsAFifoIsRefusedNotWaitedOn(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("trigger.png");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PngTrigger.read(fifo, Position.parse("top-left")));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }
}
