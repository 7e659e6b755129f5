package dev.badnets.bench;

import static org.bytedeco.openblas.global.openblas_full.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_full.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_full.CblasTrans;
import static org.bytedeco.openblas.global.openblas_full.cblas_sgemm;

import dev.badnets.core.backend.MatrixBackend;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.ejml.data.FMatrixRMaj;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The three matrix products of one dense layer, per backend: how many GFLOP/s each backend's
 * kernels reach on the shapes training really uses, the number that bounds training speed.
 *
 * <p>For a batch of n samples through a layer of {@code in} inputs and {@code out} units:
 * <ul>
 *   <li>{@code forward}: {@code Z = X W + b}, X n x in, W in x out;
 *   <li>{@code weightGradient}: {@code dW = X^T dZ}, in x out;
 *   <li>{@code inputGradient}: {@code dX = dZ W^T}, n x in.
 * </ul>
 * Each costs {@code 2 n in out} floating-point operations: 12,845,056 FLOP for 784x128 at batch 64,
 * 163,840 for 128x10. The {@code flops} column is FLOP per second (divide by 1e9 for GFLOP/s);
 * the primary score is products per second.
 *
 * <p>The {@code backend} parameter is "ejml", "simd-T" for the SIMD backend on T threads, or a
 * yardstick: "openblas-T", OpenBLAS's sgemm on the same heap arrays ({@link OpenBlasBackend}), and
 * "sgemm-T", the same calls on off-heap copies, OpenBLAS with nothing between it and memory. Ratios
 * are only meaningful within one run: this machine's speed drifts from run to run.
 */
public class ProductsBenchmark extends VectorBenchmark {

    /** Layer shape, inputs x units. */
    @Param({"784x128", "128x10"})
    public String layer;

    @Param({"64"})
    public int batch;

    @Param({"ejml", "simd-1", "simd-2", "openblas-1", "openblas-2", "sgemm-1", "sgemm-2"})
    public String backend;

    private MatrixBackend products;
    private FMatrixRMaj x, w, b, z, dZ, dW, dX;
    private long flopsPerProduct;

    /** FLOP counted per iteration, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public long flops;

        @Setup(Level.Iteration)
        public void reset() {
            flops = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = layer.split("x");
        int in = Integer.parseInt(dims[0]);
        int out = Integer.parseInt(dims[1]);
        products = backend.startsWith("sgemm-")
                ? new OffHeapSgemm(Integer.parseInt(backend.substring("sgemm-".length())))
                : BenchData.backend(backend);
        Random random = new Random(1);
        x = random(batch, in, random);
        w = random(in, out, random);
        b = random(1, out, random);
        dZ = random(batch, out, random);
        z = new FMatrixRMaj(batch, out);
        dW = new FMatrixRMaj(in, out);
        dX = new FMatrixRMaj(batch, in);
        flopsPerProduct = 2L * batch * in * out;
    }

    @Benchmark
    public FMatrixRMaj forward(Flops counter) {
        products.affine(x, w, b, z);
        counter.flops += flopsPerProduct;
        return z;
    }

    @Benchmark
    public FMatrixRMaj weightGradient(Flops counter) {
        products.multTransA(x, dZ, dW);
        counter.flops += flopsPerProduct;
        return dW;
    }

    @Benchmark
    public FMatrixRMaj inputGradient(Flops counter) {
        products.multTransB(dZ, w, dX);
        counter.flops += flopsPerProduct;
        return dX;
    }

    /**
     * OpenBLAS with nothing between it and memory: each matrix is copied off-heap the first time it
     * is seen, and every later product runs sgemm on those copies, so nothing is pinned or copied per
     * call. Results stay off-heap: for timing only.
     */
    static final class OffHeapSgemm implements MatrixBackend {
        private final Map<float[], FloatPointer> copies = new IdentityHashMap<>();
        private final int threads;

        OffHeapSgemm(int threads) {
            new OpenBlasBackend(threads); // sets OpenBLAS's process-wide thread count
            this.threads = threads;
        }

        private FloatPointer of(FMatrixRMaj m) {
            return copies.computeIfAbsent(m.data, FloatPointer::new);
        }

        @Override
        public String name() {
            return "sgemm";
        }

        @Override
        public int threads() {
            return threads;
        }

        @Override
        public void affine(FMatrixRMaj x, FMatrixRMaj w, FMatrixRMaj b, FMatrixRMaj z) {
            // the bias rows are left out: the bias is added by every backend and costs n x out adds
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, x.numRows, w.numCols, x.numCols,
                    1f, of(x), x.numCols, of(w), w.numCols, 1f, of(z), z.numCols);
        }

        @Override
        public void multTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, a.numCols, b.numCols, a.numRows,
                    1f, of(a), a.numCols, of(b), b.numCols, 0f, of(c), c.numCols);
        }

        @Override
        public void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, a.numRows, b.numRows, a.numCols,
                    1f, of(a), a.numCols, of(b), b.numCols, 0f, of(c), c.numCols);
        }
    }

    private static FMatrixRMaj random(int rows, int cols, Random random) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) random.nextGaussian();
        }
        return m;
    }
}
