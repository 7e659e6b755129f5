package dev.badnets.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Turns any exception into badnets' one-line message and exit status. */
public final class Errors {

    /** What the command is doing, for the one line an OutOfMemoryError becomes. */
    private static volatile String activity;

    private Errors() {
    }

    /** Records what the command does next (e.g. "loading the data folder X (55 MB)"). */
    public static void doing(String what) {
        activity = what;
    }

    /**
     * The one line for running out of memory: what was being allocated as far as known, the heap
     * Java had, and a larger heap to try.
     */
    static String outOfMemory() {
        long max = Runtime.getRuntime().maxMemory();
        long mb = max / (1 << 20);
        long suggestGb = Math.max(2, (2 * max + (1L << 30) - 1) >> 30);
        String what = activity == null ? "" : " while " + activity;
        return "badnets: out of memory" + what + " (Java may use " + mb + " MB)"
                + "; give Java more heap, e.g. JAVA_OPTS=-Xmx" + suggestGb + "g ./badnets ..., or ask for less";
    }

    /** 2 for bad input the user can fix, 1 for a failure at run time. */
    static int status(Throwable ex) {
        Throwable e = unwrap(ex);
        if (e instanceof RunFailure) {
            return BadnetsCli.EXIT_RUNTIME;
        }
        if (e instanceof UserException || e instanceof IllegalArgumentException
                || LibraryErrors.isBadInput(e)
                || e instanceof NoSuchFileException || e instanceof AccessDeniedException
                || e instanceof NotDirectoryException) {
            return BadnetsCli.EXIT_USAGE;
        }
        return BadnetsCli.EXIT_RUNTIME;
    }

    /** {@code badnets: <problem>; <fix>}, on one line. */
    public static String oneLine(Throwable ex) {
        Throwable e = unwrap(ex);
        String problem;
        String fix;
        if (e instanceof OutOfMemoryError) {
            return outOfMemory();
        }
        if (e instanceof UserException user) {
            problem = user.getMessage();
            fix = user.fix();
        } else if (e instanceof RunFailure failure) {
            problem = failure.getMessage();
            fix = failure.fix();
        } else if (LibraryErrors.isBadInput(e) || e instanceof IllegalArgumentException) {
            // The libraries' messages often carry their own fix after "; ".
            String message = flatten(e.getMessage());
            int split = message.indexOf("; ");
            problem = split < 0 ? message : message.substring(0, split);
            fix = split >= 0 ? message.substring(split + 2)
                    : LibraryErrors.isBadInput(e) ? LibraryErrors.fix(e) : "see --help for the valid values";
        } else if (e instanceof NoSuchFileException) {
            problem = "no such file or folder: " + e.getMessage();
            fix = "check the path";
        } else if (e instanceof AccessDeniedException) {
            problem = "permission denied: " + e.getMessage();
            fix = "choose a path you may read or write";
        } else if (e instanceof NotDirectoryException) {
            problem = "not a folder: " + e.getMessage();
            fix = "pass a folder";
        } else if (e instanceof FileSystemException fs) {
            problem = fs.getMessage();
            fix = "check the disk (free space, permissions) and try again";
        } else if (e instanceof IOException) {
            problem = "input/output failed: " + e.getMessage();
            fix = "check the disk and the network and try again";
        } else if (e instanceof ArithmeticException) {
            problem = e.getMessage();
            fix = "try a smaller --lr";
        } else {
            problem = "internal error: " + e;
            fix = "rerun with --verbose and report the stack trace";
        }
        return "badnets: " + flatten(problem) + "; " + fix;
    }

    /** Messages of some exceptions span lines; the contract promises one. */
    public static String flatten(String message) {
        return message == null ? "(no message)" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static Throwable unwrap(Throwable ex) {
        Throwable e = ex;
        while ((e instanceof UncheckedIOException || e instanceof java.util.concurrent.ExecutionException
                || e instanceof java.util.concurrent.CompletionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
