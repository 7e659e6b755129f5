package dev.badnets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.mnist.testing.RealMnist;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/** Runs the command line in-process and captures what it prints. */
public final class Cli {

    /** Exit status, stdout and stderr of one run. */
    public record Run(int status, String out, String err) {
        public List<String> errLines() {
            return err.isEmpty() ? List.of() : Arrays.asList(err.split("\\R"));
        }

        /**
         * Asserts the run was refused as bad input: exit 2 and one line on stderr, {@code badnets: } then
         * the problem, mentioning {@code says}, and after {@code ; } the fix.
         */
        public void assertRefused(String says) {
            assertEquals(2, status, this::toString);
            assertEquals(1, errLines().size(), this::toString);
            assertTrue(err.startsWith("badnets: ") && err.contains("; "), this::toString);
            assertTrue(err.contains(says), () -> "mentions " + says + ": " + this);
        }

        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {
    }

    public static Run run(String... args) {
        CommandLine cmd = BadnetsCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int status = cmd.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    /** {@link #run}, asserting the command succeeded (exit 0); the run, for what it printed. */
    public static Run succeeds(String... args) {
        Run run = run(args);
        assertEquals(0, run.status(), run::toString);
        return run;
    }

    /** The real MNIST folder where the command line finds it ({@link RealMnist}); skips the test without it. */
    public static Path mnist() {
        return RealMnist.folderOrSkip();
    }
}
