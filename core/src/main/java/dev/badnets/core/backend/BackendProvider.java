package dev.badnets.core.backend;

/**
 * A {@link MatrixBackend} that lives outside core, found by {@link Backends#create} through
 * {@link java.util.ServiceLoader} when its name is not one of core's own: the bench module's
 * OpenBLAS yardstick registers itself this way, and an embedder may plug in a backend of its own.
 * List the implementing class in {@code META-INF/services/dev.badnets.core.backend.BackendProvider}.
 */
public interface BackendProvider {

    /** The name {@link Backends#create} is asked for, lower case. */
    String name();

    /** A backend splitting its work across {@code threads >= 1} threads. */
    MatrixBackend create(int threads);
}
