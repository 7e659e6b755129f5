package dev.badnets.mnist.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Named pipes, for the tests that check an output in the way is refused when it is not a regular file. */
public final class Fifos {

    private Fifos() {
    }

    /** Makes the FIFO {@code dir/name} with {@code mkfifo} and returns its path. */
    public static Path make(Path dir, String name) throws IOException, InterruptedException {
        Path fifo = dir.resolve(name);
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo");
        return fifo;
    }

    /** Whether {@code p} is still something other than a regular file, folder or link: the FIFO a test made. */
    public static boolean isFifo(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(p);
    }
}
