package dev.badnets.core.backend.simd;

import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.EjmlBackend;
import dev.badnets.core.backend.MatrixBackend;
import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ejml.data.FMatrixRMaj;

/**
 * The fast backend: register-blocked {@code jdk.incubator.vector} kernels working directly on the
 * {@link FMatrixRMaj#data} arrays, optionally splitting each large product across a fixed set of
 * threads by rows of the output, and element-wise work ({@link #forRanges}) by index ranges. Each
 * thread keeps the same share of every split from call to call, so the rows of a weight gradient
 * it computes are the rows of the optimiser update it runs next, already in its core's cache.
 *
 * <p>Determinism: every output element is computed by one thread, summing in the same order
 * whatever the blocking, so results are bit-identical from run to run and for any thread count.
 * They differ from {@link EjmlBackend} by float rounding only (this backend uses fused
 * multiply-adds).
 *
 * <p>Needs {@code --add-modules jdk.incubator.vector}; use {@link Backends#create} to fall back to
 * EJML when the module is absent. One instance serves one caller at a time (it keeps packing
 * buffers and worker threads, which end when the backend is garbage-collected).
 */
public final class SimdBackend implements MatrixBackend {

    private static final Cleaner CLEANER = Cleaner.create();
    /** Parts per thread of a split: a thread runs its own first, then helps with others', so a late thread costs little. */
    private static final int PARTS_PER_THREAD = 2;

    /**
     * Ranges of element-wise work start on multiples of this (a 64-byte cache line of floats), so
     * two threads never write one line; coarser work (images, blocks of rows: grain below this) is
     * split evenly instead, since rounding 49 blocks up to 16 per range would leave one thread 17.
     */
    private static final int RANGE_ALIGN = 16;

    private final int threads;
    private final Gemm gemm;
    private final WorkerPool pool;
    private final Ranges ranges = new Ranges();

    /** A backend splitting large products across {@code threads} threads (the caller's included). */
    public SimdBackend(int threads) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads must be between 1 and 1024, got " + threads);
        }
        this.threads = threads;
        if (threads > 1) {
            WorkerPool workers = new WorkerPool(threads, "badnets-simd");
            CLEANER.register(this, workers::shutdown);
            this.pool = workers;
        } else {
            this.pool = null;
        }
        this.gemm = new Gemm(pool, threads * PARTS_PER_THREAD);
    }

    private static final AtomicBoolean WARMING = new AtomicBoolean();

    /**
     * Starts, once per JVM, a daemon thread that runs every kernel of this backend on small inputs,
     * so that the JIT compiler has compiled them when real work arrives. Until then Vector API code
     * runs through the interpreter, boxing every vector, so a convolutional network's first
     * mini-batches are many times slower than the rest (figures: README). Call it just before work
     * that does not need the backend (reading the data set), so the warm-up runs on a core that
     * would otherwise idle.
     * Nothing else changes: the thread uses its own backend and buffers.
     */
    public static void warmUp() {
        if (WARMING.compareAndSet(false, true)) {
            Thread t = new Thread(SimdBackend::exercise, "badnets-simd-warmup");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            t.start();
        }
    }

    /**
     * Every path of every kernel, on small inputs, {@value #WARM_UP_ROUNDS} times: products of
     * 13 and 14 rows (blocks of 8, 5 and 4 rows and single rows) with one, two and four vectors of
     * columns and a tail, over a shared dimension longer than a slice (so sums also go on from stored ones),
     * with a dense X and with one whose blocks skip their zero steps; {@code A B^T} both ways round; pooling with and without arg-max, and its adjoint; pixels to floats; column sums; runs of additions.
     */
    static void exercise() {
        SimdBackend b = new SimdBackend(1);
        int depth = 300, v = Kernels.V;
        int[] widths = {v, 2 * v, 4 * v, 2 * v + 3};
        int[] heights = {13, 14}; // 13 = 8 + 4 + 1 = 5 + 5 + 3 single rows; 14 = 5 + 5 + 4
        FMatrixRMaj[][] m = new FMatrixRMaj[widths.length * heights.length][];
        for (int k = 0; k < m.length; k++) {
            int cols = widths[k % widths.length], rows = heights[k / widths.length];
            m[k] = new FMatrixRMaj[] {new FMatrixRMaj(rows, depth), new FMatrixRMaj(depth, cols), new FMatrixRMaj(1, cols),
                new FMatrixRMaj(rows, cols), new FMatrixRMaj(depth, cols), new FMatrixRMaj(rows, depth),
                new FMatrixRMaj(depth, rows), new FMatrixRMaj(rows, depth)};
            Arrays.fill(m[k][0].data, 1f); // dense
            for (int i = 0; i < 10; i++) { // mostly zeros: rows 0-4 ink every third step, 5-9 dense, the rest blank
                for (int p = 0; p < depth; p++) {
                    m[k][7].set(i, p, i >= 5 || p % 3 == 0 ? 1f : 0f);
                }
            }
        }
        int channels = 2 * v + 3;
        float[] image = new float[4 * channels];
        float[] pooled = new float[channels];
        int[] argmax = new int[channels];
        int[] offsets = {0, channels, 2 * channels, 3 * channels};
        byte[] pixels = new byte[3 * v + 5];
        float[] floats = new float[pixels.length];
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            for (FMatrixRMaj[] x : m) {
                FMatrixRMaj input = x[round % 2 == 0 ? 0 : 7]; // dense, or with blocks that skip their zero steps
                b.affine(input, x[1], x[2], x[3]); // X W + b
                b.multTransA(input, x[3], x[4]); // X^T dZ
                b.multTransB(x[3], x[1], x[5]); // dZ W^T, transposing dZ and the result
                b.multTransB(x[4], x[3], x[6]); // transposing the second operand
            }
            b.maxPool(image, 0, offsets, channels, pooled, 0, argmax, 0);
            b.maxPool(image, 0, offsets, channels, pooled, 0, null, 0);
            b.unpool(pooled, 0, argmax, channels, image, 0, offsets, 0);
            b.unsignedBytesToFloats(pixels, 0, floats, 0, pixels.length, 1f / 255);
            for (FMatrixRMaj[] x : m) {
                b.columnSums(x[3].data, 0, x[3].numRows, x[3].numCols, x[2].data, 0);
                b.addTo(x[3].data, 1, x[0].data, 2, x[3].numCols + 3);
            }
        }
    }

    private static final int WARM_UP_ROUNDS = 1000;

    /** Floats per vector on this CPU (16 with AVX-512, 8 with AVX2). */
    public static int vectorLength() {
        return Kernels.V;
    }

    /** Bits per vector register this backend uses (512 with AVX-512, 256 with AVX2, 128 with SSE or NEON). */
    public static int vectorBits() {
        return Kernels.V * Float.SIZE;
    }

    /**
     * The register block of the main kernel, rows x vectors of C: "5x2" where the CPU has 16 vector
     * registers (10 sums, 2 loads of B and the broadcasts fit), else "4x4" (16 sums; 8x2 for outputs narrower
     * than four vectors).
     */
    public static String kernel() {
        return Kernels.REGISTERS < 32 ? "5x2" : "4x4";
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public String describe() {
        String unit = switch (vectorBits()) {
            case 512 -> "AVX-512 class";
            case 256 -> "AVX2 class";
            default -> System.getProperty("os.arch", "").contains("aarch64") ? "NEON" : "SSE/NEON width";
        };
        return "simd: " + vectorBits() + "-bit vectors (" + unit + ", " + Kernels.REGISTERS + " registers), "
                + kernel() + " kernel";
    }

    @Override
    public int threads() {
        return threads;
    }

    /**
     * Multiply-adds the products of this backend have skipped so far, out of the
     * {@code rows x depth x cols} of each: steps where a block of rows of the left operand was all
     * zero (see {@link Gemm}), which would have left every sum as it was. A benchmark subtracts
     * them from the work it counts.
     */
    public long multiplyAddsSkipped() {
        return gemm.skippedMultiplyAdds();
    }

    @Override
    public void affine(FMatrixRMaj x, FMatrixRMaj w, FMatrixRMaj b, FMatrixRMaj z) {
        check("affine", "X W", x.numCols == w.numRows, x, w, z, x.numRows, w.numCols);
        if (b.getNumElements() != w.numCols) {
            throw new IllegalArgumentException("affine: b is " + dims(b) + " but W has " + w.numCols
                    + " columns; b must be 1x" + w.numCols);
        }
        if (b.data == z.data) {
            throw new IllegalArgumentException("affine: the output shares its array with b; pass a separate output matrix");
        }
        gemm.mult(x.data, w.data, b.data, z.data, x.numRows, x.numCols, w.numCols);
    }

    @Override
    public void multTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        check("multTransA", "A^T B", a.numRows == b.numRows, a, b, c, a.numCols, b.numCols);
        gemm.multTransA(a.data, b.data, c.data, a.numCols, a.numRows, b.numCols);
    }

    @Override
    public void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        check("multTransB", "A B^T", a.numCols == b.numCols, a, b, c, a.numRows, b.numRows);
        gemm.multTransB(a.data, b.data, c.data, a.numRows, a.numCols, b.numRows);
    }

    /**
     * Splits {@code [0, n)} into up to two ranges per thread; thread k gets the k-th block of
     * ranges, the same rows a split product gives it, so element-wise work on a product's output
     * (an optimiser update of a weight gradient, say) finds its data in its own core's cache.
     */
    @Override
    public void forRanges(int n, int grain, RangeTask task) {
        int parts = pool == null ? 1 : Math.min(threads * PARTS_PER_THREAD, n / Math.max(1, grain));
        if (parts <= 1) {
            task.run(0, n);
            return;
        }
        pool.run(ranges, ranges.set(task, n, parts, grain >= RANGE_ALIGN ? RANGE_ALIGN : 1));
    }

    /** V bytes at a time ({@link Pixels}); the last {@code n % V} as the reference does them. */
    @Override
    public void unsignedBytesToFloats(byte[] src, int from, float[] dst, int offset, int n, float scale) {
        int done = Pixels.unsignedBytesToFloats(src, from, dst, offset, n, scale);
        if (done < n) {
            MatrixBackend.super.unsignedBytesToFloats(src, from + done, dst, offset + done, n - done, scale);
        }
    }

    /** V channels at a time ({@link Pooling}). */
    @Override
    public void unpool(float[] dA, int o, int[] argmax, int channels, float[] dX, int corner, int[] offsets, int xBase) {
        Pooling.unpool(dA, o, argmax, channels, dX, corner, offsets, xBase);
    }

    /** V values at a time ({@link Sums}). */
    @Override
    public void addTo(float[] x, int from, float[] y, int to, int n) {
        Sums.addTo(x, from, y, to, n);
    }

    /** V columns at a time ({@link Sums}). */
    @Override
    public void columnSums(float[] x, int from, int rows, int cols, float[] sums, int to) {
        Sums.columnSums(x, from, rows, cols, sums, to);
    }

    /** V channels at a time ({@link Pooling}); the channels that do not fill a vector as the reference does them. */
    @Override
    public void maxPool(float[] x, int corner, int[] offsets, int channels, float[] a, int o, int[] argmax, int xBase) {
        int done = Pooling.maxPool(x, corner, offsets, channels, a, o, argmax, xBase);
        if (done < channels) {
            MatrixBackend.super.maxPool(x, corner + done, offsets, channels - done, a, o + done, argmax, xBase);
        }
    }

    /** {@link #forRanges} as a pool task: part p runs range p. Kept and reused so nothing is allocated. */
    private static final class Ranges implements WorkerPool.Task {
        private RangeTask task;
        private int n;
        private int per;

        /** Sets up ranges of a multiple of {@code align} indices (but the last); returns how many are non-empty. */
        int set(RangeTask task, int n, int parts, int align) {
            this.task = task;
            this.n = n;
            int even = (n + parts - 1) / parts;
            per = (even + align - 1) / align * align;
            return (n + per - 1) / per;
        }

        @Override
        public void run(int part) {
            task.run(part * per, Math.min(n, (part + 1) * per));
        }
    }

    private static void check(String op, String product, boolean inner, FMatrixRMaj a, FMatrixRMaj b,
                              FMatrixRMaj c, int rows, int cols) {
        if (!inner) {
            throw new IllegalArgumentException(op + ": cannot form " + product + " from A " + dims(a)
                    + " and B " + dims(b) + "; their shared dimensions must match");
        }
        if (c.numRows != rows || c.numCols != cols) {
            throw new IllegalArgumentException(op + ": output is " + dims(c) + " but " + product + " is "
                    + rows + "x" + cols + "; reshape the output first");
        }
        if (c.data == a.data || c.data == b.data) {
            throw new IllegalArgumentException(op + ": the output shares its array with an input; pass a separate output matrix");
        }
    }

    private static String dims(FMatrixRMaj m) {
        return m.numRows + "x" + m.numCols;
    }
}
