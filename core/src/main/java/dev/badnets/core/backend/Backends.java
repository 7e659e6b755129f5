package dev.badnets.core.backend;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Creates a {@link MatrixBackend} by name: "ejml", "simd" or "auto", or the name of a
 * {@link BackendProvider} on the class path.
 */
public final class Backends {

    /** Core's own backend names; {@link #names()} adds the providers on the class path. */
    public static final List<String> NAMES = List.of("auto", "ejml", "simd");

    private static final String SIMD_CLASS = "dev.badnets.core.backend.simd.SimdBackend";

    /** SimdBackend's (int threads) constructor, or null where the Vector API or the class is missing. */
    private static final Constructor<?> SIMD = simdConstructor();

    /** The most threads a backend may use (the SIMD backend's worker pool refuses more). */
    public static final int MAX_THREADS = 1024;

    private Backends() {
    }

    /**
     * A backend for {@code threads} threads: "ejml" the single-threaded reference; "simd" the
     * Vector API backend, or EJML when it is unavailable ({@link MatrixBackend#name()} tells which
     * one you got); "auto" the same as "simd"; any other name, the {@link BackendProvider} of that
     * name on the class path.
     *
     * @throws IllegalArgumentException for an unknown name or {@code threads} outside 1 to {@link #MAX_THREADS}
     */
    public static MatrixBackend create(String name, int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be from 1 to " + MAX_THREADS + ", got " + threads
                    + "; ask for at most " + MAX_THREADS + " threads (one per core is fastest)");
        }
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (key) {
            case "ejml":
                return new EjmlBackend();
            case "simd":
            case "auto":
                MatrixBackend simd = SIMD != null ? newSimd(threads) : null;
                if (simd == null) {
                    warnOnce();
                }
                return simd != null ? simd : new EjmlBackend();
            default:
                for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
                    if (provider.name().equals(key)) {
                        return provider.create(threads);
                    }
                }
                throw new IllegalArgumentException("unknown backend '" + name + "': use " + String.join(", ", names()));
        }
    }

    /**
     * For "simd" and "auto" where the Vector API runs: starts compiling the SIMD kernels in the
     * background ({@link dev.badnets.core.backend.simd.SimdBackend#warmUp}), to be called before slow work that does not need a
     * backend, such as reading the data. Returns at once; a no-op for any other name.
     */
    public static void warmUp(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (SIMD != null && (key.equals("simd") || key.equals("auto"))) {
            try {
                SIMD.getDeclaringClass().getMethod("warmUp").invoke(null);
            } catch (ReflectiveOperationException | LinkageError e) {
                // the products still run; they only start slower
            }
        }
    }

    /** Every name {@link #create} accepts here: core's own, then those of the providers on the class path. */
    public static List<String> names() {
        List<String> names = new ArrayList<>(NAMES);
        for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
            if (!names.contains(provider.name())) {
                names.add(provider.name());
            }
        }
        return names;
    }

    private static final AtomicBoolean WARNED = new AtomicBoolean();

    /**
     * Says once per JVM, through {@link System.Logger}, that the fast path is off and how to turn it
     * on: falling back silently would leave an embedder wondering why training is slow.
     */
    private static void warnOnce() {
        if (WARNED.compareAndSet(false, true)) {
            System.getLogger(Backends.class.getName()).log(System.Logger.Level.WARNING,
                    "the Vector API (module jdk.incubator.vector) is not available, so matrix products run on the "
                            + "single-threaded EJML backend, several times slower than the SIMD backend; start the "
                            + "JVM with --add-modules jdk.incubator.vector to use it");
        }
    }

    /** Whether the "simd" backend can run here: jdk.incubator.vector is present and the backend is built. */
    public static boolean simdAvailable() {
        return SIMD != null;
    }

    /** The names of the backends that really run here (for tests that cover every backend). */
    public static List<String> availableNames() {
        List<String> names = new ArrayList<>(List.of("ejml"));
        if (simdAvailable()) {
            names.add("simd");
        }
        return names;
    }

    // Reflection keeps this class (and a JVM without jdk.incubator.vector) free of Vector API types.
    private static Constructor<?> simdConstructor() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            return Class.forName(SIMD_CLASS).getConstructor(int.class);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    private static MatrixBackend newSimd(int threads) {
        try {
            return (MatrixBackend) SIMD.newInstance(threads);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }
}
