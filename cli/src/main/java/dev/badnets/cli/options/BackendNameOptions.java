package dev.badnets.cli.options;

import picocli.CommandLine.Option;

/**
 * {@code --backend} alone, for {@code sweep} and {@code matrix}: they choose the threads of each
 * model themselves, so their {@code --threads} (or none) is not {@link BackendOptions}'s.
 */
public final class BackendNameOptions {

    @Option(names = "--backend", paramLabel = "auto|ejml|simd", defaultValue = "auto",
            description = "Matrix backend (default: ${DEFAULT-VALUE}).")
    String name;

    /** {@code threads} threads on this backend, checked now (exit 2 for an unknown name). */
    public BackendOptions withThreads(int threads) {
        return BackendOptions.of(threads, name);
    }
}
