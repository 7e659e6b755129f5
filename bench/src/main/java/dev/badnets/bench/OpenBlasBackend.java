package dev.badnets.bench;

import static org.bytedeco.openblas.global.openblas_full.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_full.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_full.CblasTrans;
import static org.bytedeco.openblas.global.openblas_full.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_full.openblas_get_config;
import static org.bytedeco.openblas.global.openblas_full.openblas_get_corename;
import static org.bytedeco.openblas.global.openblas_full.openblas_set_num_threads;

import dev.badnets.core.backend.MatrixBackend;
import org.ejml.data.FMatrixRMaj;

/**
 * A yardstick, never a dependency of the library: OpenBLAS's {@code sgemm} (through the
 * {@code org.bytedeco:openblas} binding, which ships the native library in its jar) behind the same
 * {@link MatrixBackend} interface as the pure-Java backends, so the benchmarks can put a tuned BLAS
 * beside them on the same machine, in the same JVM, on the same shapes.
 *
 * <p>Each product is one {@code cblas_sgemm} call on the matrices' heap arrays (the binding pins or
 * copies them for the call, which costs about a tenth of a 784x128 product; {@link ProductsBenchmark}
 * also measures sgemm on off-heap buffers, OpenBLAS at its best). Element-wise work
 * ({@link #forRanges}) runs on the caller, so compare epochs on one thread.
 *
 * <p>OpenBLAS's thread count is process-wide: creating a backend sets it for every instance.
 */
final class OpenBlasBackend implements MatrixBackend {

    private final int threads;

    OpenBlasBackend(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        openblas_set_num_threads(threads);
    }

    /** OpenBLAS's build and the kernel family it chose for this CPU, e.g. "openblas: OpenBLAS 0.3.31 DYNAMIC_ARCH ... (kernels: Haswell)". */
    @Override
    public String describe() {
        return "openblas: " + openblas_get_config().getString().trim() + " (kernels: "
                + openblas_get_corename().getString() + "; OPENBLAS_CORETYPE overrides)";
    }

    @Override
    public String name() {
        return "openblas";
    }

    @Override
    public int threads() {
        return threads;
    }

    /** {@code Z = X W + 1 b}: b copied into every row of Z, then {@code Z = 1 * X W + 1 * Z}. */
    @Override
    public void affine(FMatrixRMaj x, FMatrixRMaj w, FMatrixRMaj b, FMatrixRMaj z) {
        int n = x.numRows;
        int out = w.numCols;
        for (int i = 0; i < n; i++) {
            System.arraycopy(b.data, 0, z.data, i * out, out);
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, out, x.numCols,
                1f, x.data, x.numCols, w.data, out, 1f, z.data, out);
    }

    /** {@code C = A^T B}: A is k x m, stored row-major, read transposed. */
    @Override
    public void multTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, a.numCols, b.numCols, a.numRows,
                1f, a.data, a.numCols, b.data, b.numCols, 0f, c.data, c.numCols);
    }

    /** {@code C = A B^T}: B is n x k, stored row-major, read transposed. */
    @Override
    public void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, a.numRows, b.numRows, a.numCols,
                1f, a.data, a.numCols, b.data, b.numCols, 0f, c.data, c.numCols);
    }
}
