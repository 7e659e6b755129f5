package dev.badnets.bench;

import dev.badnets.core.backend.BackendProvider;
import dev.badnets.core.backend.MatrixBackend;

/** Registers {@link OpenBlasBackend} as the "openblas" backend, for {@code ./badnets bench --backend openblas}. */
public final class OpenBlasProvider implements BackendProvider {

    @Override
    public String name() {
        return "openblas";
    }

    @Override
    public MatrixBackend create(int threads) {
        return new OpenBlasBackend(threads);
    }
}
