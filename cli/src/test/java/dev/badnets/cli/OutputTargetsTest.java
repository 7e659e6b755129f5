package dev.badnets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.Architecture;
import dev.badnets.core.ModelFiles;
import dev.badnets.core.Shape;
import dev.badnets.mnist.testing.Fifos;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs are regular files and folders only: a FIFO, a device or a stream of the process given as
 * an output is refused (exit 2) before any work, and left as it was, with no lock file beside it.
 * (No test touches /dev/null itself: a build before this one, run as root, would replace it.)
 */
@Timeout(120)
public class OutputTargetsTest {

    @TempDir
    static Path dir;

    static Path data;
    static Path model;

    @BeforeAll
    static void writeDataAndModel() throws IOException {
        data = RandomImages.folder(dir.resolve("data"), 100, 50);
        model = dir.resolve("model.bin");
        ModelFiles.save(Architecture.build(Shape.image(28, 28), "dense8", 10, 1), model);
    }

    @Test
    void aFifoGivenAsAnOutputIsRefusedBeforeAnyWorkAndLeftAsItWas() throws Exception {
        Path fifo = Fifos.make(dir, "results.fifo");
        Cli.Run run = Cli.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--json",
                fifo.toString());
        assertEquals(2, run.status(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().contains("FIFO"), run::toString);
        assertEquals("", run.out(), "refused before any work");
        assertTrue(Fifos.isFifo(fifo), "still a FIFO");
        assertFalse(Files.exists(dir.resolve(".results.fifo.lock")), "no lock file beside it");
        // a link to it, and a folder output that is a FIFO, likewise
        Path link = dir.resolve("link.json");
        Files.createSymbolicLink(link, fifo);
        assertEquals(2, Cli.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--json",
                link.toString()).status());
        Path out = Fifos.make(dir, "out.fifo");
        assertEquals(2, Cli.run("poison", "--data", data.toString(), "--out", out.toString()).status());
        assertTrue(Fifos.isFifo(fifo) && Fifos.isFifo(out));
        assertFalse(Files.exists(dir.resolve(".out.fifo.lock")) || Files.exists(dir.resolve(".link.json.lock")));
    }

    @Test
    void jsonToStandardOutputAppendedToALogKeepsTheLogsEarlierLines() throws Exception {
        Path log = dir.resolve("log.txt");
        Files.writeString(log, "an earlier line\n");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), BadnetsCli.class.getName(),
                "evaluate", "--model", model.toString(), "--data", data.toString(), "--json", "/dev/stdout"));
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the child ended");
        String err = Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), err);
        assertTrue(err.lines().anyMatch(l -> l.startsWith("badnets: --json /dev/stdout")), err);
        assertTrue(Files.readString(log, StandardCharsets.UTF_8).startsWith("an earlier line\n"), "the log was replaced");
        assertTrue(Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aDashIsRefusedRatherThanWrittenAsAFileNamedDash() {
        Cli.Run run = Cli.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--json", "-");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("standard output"), run::toString);
    }
}
