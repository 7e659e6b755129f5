package dev.badnets.cli.options;

import dev.badnets.cli.Check;
import dev.badnets.cli.UserException;

import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code --threads} and {@code --backend}: how the matrix products run, for every command that computes. */
public final class BackendOptions {

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for the matrix products (default: every core the JVM sees).")
    public Integer threads;

    @Option(names = "--backend", paramLabel = "auto|ejml|simd", defaultValue = "auto",
            description = "Matrix backend: simd (Vector API), ejml, or auto = simd when available "
                    + "(default: ${DEFAULT-VALUE}).")
    public String backend;

    /**
     * For commands that choose the threads themselves ({@code sweep}, {@code matrix}): {@code threads}
     * threads on the backend named {@code backend}, checked now (exit 2 for an unknown name).
     */
    static BackendOptions of(int threads, String backend) {
        BackendOptions run = new BackendOptions();
        run.threads = threads;
        run.backend = backend;
        run.create();
        return run;
    }

    /** The flag, or every core the JVM sees. */
    public int threads() {
        if (threads != null) {
            Check.inRange("--threads", threads, 1, Backends.MAX_THREADS);
            return threads;
        }
        return Runtime.getRuntime().availableProcessors();
    }

    public MatrixBackend create() {
        String name = backend.trim().toLowerCase(Locale.ROOT);
        List<String> names = Backends.names();
        if (name.equals("openblas") && !names.contains(name)) {
            throw new UserException("the openblas backend is a yardstick kept out of the application jar",
                    "run it through the launcher, ./badnets bench --backend openblas, which adds the bench module to the class path");
        }
        if (!names.contains(name)) {
            throw new UserException("unknown backend '" + backend + "'", "use --backend " + String.join(", ", names));
        }
        return Backends.create(name, threads());
    }

    /** Starts compiling the backend's kernels in the background, while the command reads its data. */
    public void warmUp() {
        Backends.warmUp(backend);
    }

    String describe() {
        int n = threads();
        return n + (n == 1 ? " thread" : " threads") + ", backend " + backend;
    }
}
