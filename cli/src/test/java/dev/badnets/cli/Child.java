package dev.badnets.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The command line in a child JVM: for a small heap, and for processes a test can kill. */
public final class Child {

    /** Exit status, stdout and stderr of a finished child, and its wall time. */
    record Result(int status, String out, String err, double seconds) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\\R"));
        }

        @Override
        public String toString() {
            return "exit " + status + " after " + seconds + " s\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Child() {
    }

    /** Starts {@code badnets args...} with the given heap; stdout and stderr go to files in {@code logs}. */
    public static Process start(String heap, Path logs, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("--add-modules");
        command.add("jdk.incubator.vector");
        command.add("-Djava.awt.headless=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BadnetsCli.class.getName());
        command.addAll(List.of(args));
        Files.createDirectories(logs);
        return new ProcessBuilder(command)
                .redirectOutput(logs.resolve("stdout").toFile())
                .redirectError(logs.resolve("stderr").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }

    /** Runs {@code badnets args...} to its end (at most {@code timeoutSeconds}, then killed and failed). */
    static Result run(String heap, Path logs, int timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process p = start(heap, logs, args);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("badnets " + String.join(" ", args) + " still ran after " + timeoutSeconds + " s");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String err = Files.readString(logs.resolve("stderr"), StandardCharsets.UTF_8)
                .replaceFirst("^WARNING: Using incubator modules: jdk.incubator.vector\\R", "");
        return new Result(p.exitValue(), Files.readString(logs.resolve("stdout"), StandardCharsets.UTF_8), err,
                seconds);
    }
}
