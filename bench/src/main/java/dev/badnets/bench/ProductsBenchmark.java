package dev.badnets.bench;

import dev.badnets.core.backend.MatrixBackend;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

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
 * <p>The {@code backend} parameter is "ejml", or "simd-T" for the SIMD backend on T threads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class ProductsBenchmark {

    /** Layer shape, inputs x units. */
    @Param({"784x128", "128x10"})
    public String layer;

    @Param({"64"})
    public int batch;

    @Param({"ejml", "simd-1", "simd-2"})
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
        products = BenchData.backend(backend);
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

    private static FMatrixRMaj random(int rows, int cols, Random random) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) random.nextGaussian();
        }
        return m;
    }
}
