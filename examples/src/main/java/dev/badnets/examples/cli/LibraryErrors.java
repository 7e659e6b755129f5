package dev.badnets.examples.cli;

import dev.badnets.mnist.IdxFormatException;

/** The bad-input exceptions of badnets' libraries, and what to do about each. */
final class LibraryErrors {

    private LibraryErrors() {
    }

    static boolean isBadInput(Throwable e) {
        return e instanceof IdxFormatException;
    }

    static String fix(Throwable e) {
        if (e instanceof IdxFormatException) {
            return "pass a valid IDX file (raw or gzip), or run `./badnets download` for a fresh copy of MNIST";
        }
        return "see --help";
    }
}
