package dev.badnets.core.backend.simd;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * The matrix products of {@link SimdBackend}, one call each: {@link #mult} ({@code C = A B + 1 bias}),
 * {@link #multTransA} ({@code C = A^T B}) and {@link #multTransB} ({@code C = A B^T}). Each is
 * {@code C = A' B' (+ 1 bias)} for the {@link Kernels}: {@code A'} is A or A^T (read through
 * strides), {@code B'} is B, or B^T transposed into a buffer this object keeps ({@code A B^T} may
 * instead run as {@code (B A^T)^T}: see {@link #multTransB}). Columns of C that do not fill a whole
 * vector are computed from a zero-padded copy of those columns of B, so no kernel reads or writes
 * past a row.
 *
 * <p>A large product is split into parts of disjoint rows of C, run by the threads of a
 * {@link WorkerPool}; each element of C is summed by one thread in the same order whatever the
 * split. The fields below describe the product in progress, for those threads: they are set at the
 * start of a call and read by its parts only. Buffers grow on first use and are kept, so the
 * steady state allocates nothing. One product at a time.
 */
final class Gemm {

    private static final int V = Kernels.V;
    private static final int ROWS = 4; // rows per kernel block; parts split on multiples of it
    private static final int NARROW_ROWS = 8; // rows per block when C has fewer than four vectors of columns
    private static final boolean FEW_REGISTERS = Kernels.REGISTERS < 32; // then 5x2 blocks for every product
    private static final int FEW_REGISTERS_ROWS = 5;
    private static final int DEPTH_SLICE = 128; // steps of the shared dimension per pass over a part's rows (64 columns of B: 32 KB, in L1)
    private static final int SKIP_MIN_DEPTH = 64; // shared dimensions shorter than this are not searched for zero steps
    private static final int SKIP_MIN_SHARE = 2; // a block skips its zero steps only if at least half are zero
    private static final int SKIP_ROWS = FEW_REGISTERS ? FEW_REGISTERS_ROWS : ROWS; // rows of a block that skips zero steps
    private static final int SLICED_MAX_C = 1 << 16; // floats of C (256 KB) up to which the shared dimension is sliced
    /** Below this many multiply-adds (about 5 microseconds of work) a hand-off costs more than it saves. */
    private static final long SPLIT_MIN_MULTIPLY_ADDS = 1L << 18;

    private final WorkerPool pool; // null: every product runs on the caller's thread
    private final int maxParts;
    private final long splitMinMultiplyAdds;
    private final WorkerPool.Task productParts = this::runPart;
    private final WorkerPool.Task transposeParts = this::transposePart;
    private long skippedMultiplyAdds; // over every product so far

    private float[] a;
    private int aRow;
    private int aStep;
    private int depth;
    private float[] b;
    private int bStep;
    private float[] bias;
    private float[] c;
    private int rows;
    private int cols;

    // A B^T needs one operand transposed first, and (when computed as C^T = B A^T) C^T back into C
    private float[] from; // the matrix being transposed (fromRows x fromCols)
    private int fromRows;
    private int fromCols;
    private float[] to;
    private float[] transposedB = new float[0];
    private float[] transposedA = new float[0];
    private float[] transposedC = new float[0];
    private float[] tailB = new float[0];
    private final float[] tailBias = new float[V];
    private int tailCol;
    private int tailWidth;
    private final float[][] scratch;
    private final int[][] steps; // per part: the steps of the shared dimension a block of rows cannot skip
    private final int[][] inks; // per part: for each step, the OR of the block's values' bits (0: all zero)
    private int block = 1; // rows per kernel block in the current split
    private int blocks; // blocks of rows in C (the last one may be short)
    private int parts = 1; // parts of the current split: part p runs blocks [p·blocks/parts, (p+1)·blocks/parts)
    private int transposeRows; // rows of the transposed matrix per part
    private boolean skipping; // whether the current split's blocks may skip their zero steps
    private final long[] skipped; // per part: multiply-adds its blocks skipped in the current product

    /**
     * Products split into at most {@code maxParts} parts across the threads of {@code pool}, or
     * run on the caller's thread when {@code pool} is null.
     */
    Gemm(WorkerPool pool, int maxParts) {
        this(pool, maxParts, SPLIT_MIN_MULTIPLY_ADDS);
    }

    /** As {@link #Gemm(WorkerPool, int)}, splitting every product of at least {@code splitMinMultiplyAdds} (tests: 0). */
    Gemm(WorkerPool pool, int maxParts, long splitMinMultiplyAdds) {
        this.pool = pool;
        this.maxParts = maxParts;
        this.splitMinMultiplyAdds = splitMinMultiplyAdds;
        scratch = new float[maxParts][NARROW_ROWS * V];
        steps = new int[maxParts][0];
        inks = new int[maxParts][0];
        skipped = new long[maxParts];
    }

    /** {@code C = A B + 1 bias}; A is rows x depth, B depth x cols, bias null or 1 x cols, C rows x cols. */
    void mult(float[] a, float[] b, float[] bias, float[] c, int rows, int depth, int cols) {
        product(a, depth, 1, depth, b, cols, bias, c, rows, cols, parts(rows, depth, cols));
    }

    /** {@code C = A^T B}; A is depth x rows, B depth x cols, C rows x cols. */
    void multTransA(float[] a, float[] b, float[] c, int rows, int depth, int cols) {
        product(a, 1, rows, depth, b, cols, null, c, rows, cols, parts(rows, depth, cols));
    }

    /**
     * {@code C = A B^T}; A is rows x depth, B cols x depth, C rows x cols. The kernels read B' row by
     * row, so one operand is transposed into a kept buffer first, whichever costs less: B
     * (cols x depth), or, when {@code rows * (depth + cols) < cols * depth} (a batch of 64 times a
     * 784 x 128 weight matrix: 58 K floats instead of 100 K), A, with the product computed as
     * {@code C^T = B A^T} and transposed back. The sums are the same either way: the same products
     * added in the same order.
     */
    void multTransB(float[] a, float[] b, float[] c, int rows, int depth, int cols) {
        int parts = parts(rows, depth, cols);
        if ((long) rows * (depth + cols) < (long) cols * depth) {
            transposedA = grow(transposedA, depth * rows);
            transposedC = grow(transposedC, cols * rows);
            transpose(a, rows, depth, transposedA, parts);
            product(b, depth, 1, depth, transposedA, rows, null, transposedC, cols, rows, parts);
            transpose(transposedC, cols, rows, c, parts);
        } else {
            transposedB = grow(transposedB, depth * cols);
            transpose(b, cols, depth, transposedB, parts);
            product(a, depth, 1, depth, transposedB, cols, null, c, rows, cols, parts);
        }
    }

    /** Multiply-adds the products so far have skipped (steps where a block's rows of A' were all zero). */
    long skippedMultiplyAdds() {
        return skippedMultiplyAdds;
    }

    /** Parts to split a product of {@code rows * depth * cols} multiply-adds into: 1 when it is too small to share. */
    private int parts(int rows, int depth, int cols) {
        return pool != null && (long) rows * depth * cols >= splitMinMultiplyAdds ? maxParts : 1;
    }

    private static float[] grow(float[] buffer, int length) {
        return buffer.length < length ? new float[length] : buffer;
    }

    /**
     * {@code into = matrixᵀ} for a {@code matrixRows x matrixCols} matrix, split into up to
     * {@code parts} ranges of whole tiles of V of the rows it reads.
     */
    private void transpose(float[] matrix, int matrixRows, int matrixCols, float[] into, int parts) {
        from = matrix;
        fromRows = matrixRows;
        fromCols = matrixCols;
        to = into;
        int per = (matrixRows + parts - 1) / parts;
        transposeRows = Math.max(V, (per + V - 1) / V * V);
        run(transposeParts, (matrixRows + transposeRows - 1) / transposeRows);
    }

    /** Rows {@code [part · transposeRows, (part + 1) · transposeRows)} of the transposition in progress. */
    private void transposePart(int part) {
        Transpose.transpose(from, fromRows, fromCols, to, Math.min(fromRows, part * transposeRows),
                Math.min(fromRows, (part + 1) * transposeRows));
    }

    /**
     * {@code C = A' B' (+ 1 bias)}, with A' read as {@code A'[i, p] = a[i·aRow + p·aStep]} and B'
     * as {@code B'[p, j] = b[p·bStep + j]}: rows x depth times depth x cols, into C (rows x cols,
     * row-major), split into up to {@code parts} parts.
     */
    private void product(float[] a, int aRow, int aStep, int depth, float[] b, int bStep, float[] bias,
                         float[] c, int rows, int cols, int parts) {
        this.a = a;
        this.aRow = aRow;
        this.aStep = aStep;
        this.depth = depth;
        this.b = b;
        this.bStep = bStep;
        this.bias = bias;
        this.c = c;
        this.rows = rows;
        this.cols = cols;
        tailCol = cols - cols % V;
        tailWidth = cols - tailCol;
        Arrays.fill(skipped, 0);
        packTail();
        run(productParts, split(parts));
        for (long s : skipped) {
            skippedMultiplyAdds += s;
        }
    }

    private void run(WorkerPool.Task task, int parts) {
        if (parts > 1) {
            pool.run(task, parts);
        } else {
            task.run(0);
        }
    }

    /** Copies the columns of B (and bias) that do not fill a vector into zero-padded buffers. */
    private void packTail() {
        if (tailWidth == 0) {
            return;
        }
        if (tailB.length < depth * V) {
            tailB = new float[depth * V];
        }
        for (int p = 0; p < depth; p++) {
            System.arraycopy(b, p * bStep + tailCol, tailB, p * V, tailWidth);
            Arrays.fill(tailB, p * V + tailWidth, (p + 1) * V, 0f);
        }
        Arrays.fill(tailBias, 0f);
        if (bias != null) {
            System.arraycopy(bias, tailCol, tailBias, 0, tailWidth);
        }
    }

    /**
     * Splits the rows of C into at most {@code parts} ranges of whole kernel blocks, as even as
     * blocks allow (the counts differ by at most one block); returns how many ranges there are.
     */
    private int split(int parts) {
        block = FEW_REGISTERS ? FEW_REGISTERS_ROWS : cols < 4 * V ? NARROW_ROWS : ROWS;
        blocks = (rows + block - 1) / block;
        this.parts = Math.max(1, Math.min(parts, blocks));
        skipping = skipsZeroSteps();
        return this.parts;
    }

    /** Rows of C of part {@code part} of the product in progress. */
    private void runPart(int part) {
        int r0 = Math.min(rows, part * blocks / parts * block);
        int r1 = Math.min(rows, (part + 1) * blocks / parts * block);
        // A long shared dimension (a convolution's weight gradient sums over every pixel of the
        // batch) runs in slices, so the slice of B that every row block of this part reads stays
        // in cache; each slice goes on from the sums the last one stored, so nothing changes. Only
        // where C is small: a tall C (im2col's rows, megabytes) would be read back from memory
        // every slice, which slowed a convolution's forward product markedly (README).
        // Column tails keep their sums in scratch, so a product with one runs in one pass.
        if (skipping) {
            r0 = zeroSkippingBlocks(r0, r1, part);
        }
        int slice = tailWidth == 0 && (long) rows * cols <= SLICED_MAX_C ? DEPTH_SLICE : depth;
        int p0 = 0;
        do { // at least once: with an empty shared dimension C is just the bias
            runRows(r0, r1, p0, Math.min(slice, depth - p0), p0 > 0, part);
            p0 += slice;
        } while (p0 < depth);
    }

    /**
     * Whether blocks of rows may skip the steps where their rows of A' are all zero. A step where
     * every row of a block is zero would add {@code 0·b} to each of the block's sums, which leaves
     * it as it is ({@code fma(0, b, s) = s} for finite b), so C comes out the same bits, each sum
     * still in the order p = 0, 1, ... A batch of MNIST digits is 81% black pixels: in a first
     * layer, blocks of rows of X (the forward product) or of columns (the weight gradient, X^T dZ)
     * can skip most steps. Only where whole main-kernel blocks cover C's columns.
     */
    private boolean skipsZeroSteps() {
        int width = FEW_REGISTERS ? 2 * V : 4 * V;
        return depth >= SKIP_MIN_DEPTH && cols % width == 0 && (FEW_REGISTERS || cols >= 4 * V);
    }

    /** Steps beyond which a block runs dense: skipping must save at least 1 step in {@code SKIP_MIN_SHARE}. */
    private int denseSteps() {
        return depth - depth / SKIP_MIN_SHARE;
    }

    /** Part {@code part}'s list of steps, at least {@code depth} long (and its ink buffer). */
    private int[] stepList(int part) {
        if (steps[part].length < depth) { // 16 spare ints: no part's array shares a cache line with the next's
            steps[part] = new int[depth + 16];
            inks[part] = new int[depth + 16];
        }
        return steps[part];
    }

    /**
     * Rows {@code [i, r1)} of C in main-kernel blocks, each over the steps where its rows of A'
     * are not all zero, or over every step when fewer than half are zero: the search has a cost
     * of its own, shared by only two kernel calls per block where C has a convolution's 32
     * columns, and a kernel stepping through a list is slower per step than one counting. When
     * the part's first block does not skip, the operand is most likely dense, and the part runs
     * dense without searching further. Rows too few for a last block (the 4 that 5-row blocks
     * leave of a batch of 64) run as a block that ends at r1 and so overlaps the one before:
     * the overlapped rows come out the same bits again. Returns the first row not done.
     */
    private int zeroSkippingBlocks(int i, int r1, int part) {
        int[] list = stepList(part);
        int[] ink = inks[part];
        long skippedHere = 0; // stored once at the end: the parts' counts share a cache line
        int first = i;
        for (; i + block <= r1; i += block) {
            int count = nonzeroSteps(i * aRow, list, ink);
            if (count > denseSteps() && i == first) {
                break;
            }
            skippedHere += (long) block * (depth - skippingBlock(i, list, count)) * cols;
        }
        if (i < r1 && i - first >= block) { // whole blocks came before, in this part
            int last = r1 - block;
            int count = nonzeroSteps(last * aRow, list, ink);
            skippedHere += (long) (r1 - i) * depth * cols - (long) block * skippingBlock(last, list, count) * cols;
            i = r1;
        }
        skipped[part] = skippedHere;
        return i;
    }

    /**
     * The block of rows from {@code i} over the {@code count} listed steps, or over all when too
     * few are skipped; returns how many steps it ran.
     */
    private int skippingBlock(int i, int[] list, int count) {
        boolean dense = count > denseSteps();
        int aOff = i * aRow;
        int cOff = i * cols;
        if (FEW_REGISTERS) {
            for (int j = 0; j < cols; j += 2 * V) {
                if (dense) {
                    Kernels.k5x2(a, aOff, aRow, aStep, depth, b, j, bStep, bias, j, c, cOff + j, cols, false);
                } else {
                    Kernels.k5x2Steps(a, aOff, aRow, aStep, list, count, b, j, bStep, bias, j, c, cOff + j, cols);
                }
            }
        } else {
            for (int j = 0; j < cols; j += 4 * V) {
                if (dense) {
                    Kernels.k4x4(a, aOff, aRow, aStep, depth, b, j, bStep, bias, j, c, cOff + j, cols, false);
                } else {
                    Kernels.k4x4Steps(a, aOff, aRow, aStep, list, count, b, j, bStep, bias, j, c, cOff + j, cols);
                }
            }
        }
        return dense ? depth : count;
    }

    /**
     * Lists in {@code list} the steps p where any of the {@code SKIP_ROWS} rows of A' from
     * {@code a[aOff]} is nonzero, ascending; returns how many. Where a row's steps are adjacent
     * (A, not A^T), the rows' bits are first ORed V steps at a time into {@code ink}. The list is
     * written without a branch: which pixels are ink is a coin toss a branch would mispredict.
     */
    private int nonzeroSteps(int aOff, int[] list, int[] ink) {
        int count = 0;
        if (aStep == 1) {
            int p = 0;
            for (; p + V <= depth; p += V) {
                IntVector bits = FloatVector.fromArray(Kernels.SPECIES, a, aOff + p).reinterpretAsInts();
                for (int r = 1; r < SKIP_ROWS; r++) {
                    bits = bits.or(FloatVector.fromArray(Kernels.SPECIES, a, aOff + r * aRow + p).reinterpretAsInts());
                }
                bits.intoArray(ink, p);
            }
            for (; p < depth; p++) {
                ink[p] = stepBits(aOff + p);
            }
            for (p = 0; p < depth; p++) {
                list[count] = p;
                count += (ink[p] | -ink[p]) >>> 31; // 1 if ink[p] != 0
            }
        } else {
            for (int p = 0, ap = aOff; p < depth; p++, ap += aStep) {
                int bits = stepBits(ap);
                list[count] = p;
                count += (bits | -bits) >>> 31;
            }
        }
        return count;
    }

    /** The OR of the bits of the block's {@code SKIP_ROWS} values at {@code a[ap]}, {@code a[ap + aRow]}, ...: 0 when all are +0. */
    private int stepBits(int ap) {
        int bits = 0;
        for (int r = 0; r < SKIP_ROWS; r++) { // a constant count: the JIT unrolls it
            bits |= Float.floatToRawIntBits(a[ap + r * aRow]); // -0 counts as nonzero: its step just runs
        }
        return bits;
    }

    /**
     * Rows {@code [r0, r1)} of C over steps {@code [p0, p0 + steps)} of the shared dimension,
     * starting from the bias (or zero), or from C's values when {@code accumulate}: blocks of the
     * main kernel's rows first, then the rows left over. Each block size is its own method so the
     * JIT compiles each small enough to turn every vector operation into instructions (one large
     * method ran out of inlining budget and boxed the vectors of its leftover rows).
     */
    private void runRows(int r0, int r1, int p0, int steps, boolean accumulate, int part) {
        float[] bias = accumulate ? null : this.bias;
        int i = r0;
        if (FEW_REGISTERS) {
            i = fiveRowBlocks(i, r1, p0, steps, accumulate, bias, scratch[part]);
        } else if (cols < 4 * V) {
            i = eightRowBlocks(i, r1, p0, steps, accumulate, bias, scratch[part]);
        }
        i = fourRowBlocks(i, r1, p0, steps, accumulate, bias, scratch[part]);
        singleRows(i, r1, p0, steps, accumulate, bias, scratch[part]);
    }

    /** 5x2 blocks, where the CPU has 16 vector registers; returns the first row not done. */
    private int fiveRowBlocks(int i, int r1, int p0, int steps, boolean accumulate, float[] bias, float[] s) {
        int bOff = p0 * bStep;
        for (; i + FEW_REGISTERS_ROWS <= r1; i += FEW_REGISTERS_ROWS) {
            int aOff = i * aRow + p0 * aStep;
            int cOff = i * cols;
            int j = 0;
            for (; j + 2 * V <= tailCol; j += 2 * V) {
                Kernels.k5x2(a, aOff, aRow, aStep, steps, b, bOff + j, bStep, bias, j, c, cOff + j, cols, accumulate);
            }
            for (; j < tailCol; j += V) {
                Kernels.k5x1(a, aOff, aRow, aStep, steps, b, bOff + j, bStep, bias, j, c, cOff + j, cols, accumulate);
            }
            if (tailWidth > 0) {
                Kernels.k5x1(a, aOff, aRow, aStep, steps, tailB, 0, V, bias == null ? null : tailBias, 0, s, 0, V, false);
                for (int r = 0; r < FEW_REGISTERS_ROWS; r++) {
                    System.arraycopy(s, r * V, c, cOff + r * cols + tailCol, tailWidth);
                }
            }
        }
        return i;
    }

    /** 8x2 blocks for products of fewer than four vectors of columns; returns the first row not done. */
    private int eightRowBlocks(int i, int r1, int p0, int steps, boolean accumulate, float[] bias, float[] s) {
        int bOff = p0 * bStep;
        // two vectors (or one, or only the tail) per row; eight rows keep enough sums in flight
        for (; i + NARROW_ROWS <= r1; i += NARROW_ROWS) {
            int aOff = i * aRow + p0 * aStep;
            int cOff = i * cols;
            int j = 0;
            for (; j + 2 * V <= tailCol; j += 2 * V) {
                Kernels.k8x2(a, aOff, aRow, aStep, steps, b, bOff + j, bStep, bias, j, c, cOff + j, cols, accumulate);
            }
            for (; j < tailCol; j += V) {
                Kernels.k8x1(a, aOff, aRow, aStep, steps, b, bOff + j, bStep, bias, j, c, cOff + j, cols, accumulate);
            }
            if (tailWidth > 0) {
                Kernels.k8x1(a, aOff, aRow, aStep, steps, tailB, 0, V, bias == null ? null : tailBias, 0, s, 0, V, false);
                for (int r = 0; r < NARROW_ROWS; r++) {
                    System.arraycopy(s, r * V, c, cOff + r * cols + tailCol, tailWidth);
                }
            }
        }
        return i;
    }

    /** 4x4 blocks (with 16 registers 4x2), 4x1 for the last vectors; returns the first row not done. */
    private int fourRowBlocks(int i, int r1, int p0, int steps, boolean accumulate, float[] bias, float[] s) {
        int bOff = p0 * bStep;
        int quadEnd = FEW_REGISTERS ? 0 : cols - cols % (4 * V);
        int pairEnd = FEW_REGISTERS ? tailCol - tailCol % (2 * V) : 0;
        for (; i + ROWS <= r1; i += ROWS) {
            int aOff = i * aRow + p0 * aStep;
            int cOff = i * cols;
            int j = 0;
            for (; j < quadEnd; j += 4 * V) {
                Kernels.k4x4(a, aOff, aRow, aStep, steps, b, bOff + j, bStep, bias, j, c, cOff + j, cols, accumulate);
            }
            for (; j < pairEnd; j += 2 * V) {
                Kernels.k4x2(a, aOff, aRow, aStep, steps, b, bOff + j, bStep, bias, j, c, cOff + j, cols, accumulate);
            }
            for (; j < tailCol; j += V) {
                Kernels.k4x1(a, aOff, aRow, aStep, steps, b, bOff + j, bStep, bias, j, c, cOff + j, cols, accumulate);
            }
            if (tailWidth > 0) {
                Kernels.k4x1(a, aOff, aRow, aStep, steps, tailB, 0, V, bias == null ? null : tailBias, 0, s, 0, V, false);
                for (int r = 0; r < ROWS; r++) {
                    System.arraycopy(s, r * V, c, cOff + r * cols + tailCol, tailWidth);
                }
            }
        }
        return i;
    }

    /** One row at a time, the rows no block covers. */
    private void singleRows(int i, int r1, int p0, int steps, boolean accumulate, float[] bias, float[] s) {
        int bOff = p0 * bStep;
        int quadEnd = cols - cols % (4 * V); // 4 sums and 4 loads fit any register file
        for (; i < r1; i++) {
            int aOff = i * aRow + p0 * aStep;
            int cOff = i * cols;
            int j = 0;
            for (; j < quadEnd; j += 4 * V) {
                Kernels.k1x4(a, aOff, aStep, steps, b, bOff + j, bStep, bias, j, c, cOff + j, accumulate);
            }
            for (; j < tailCol; j += V) {
                Kernels.k1x1(a, aOff, aStep, steps, b, bOff + j, bStep, bias, j, c, cOff + j, accumulate);
            }
            if (tailWidth > 0) {
                Kernels.k1x1(a, aOff, aStep, steps, tailB, 0, V, bias == null ? null : tailBias, 0, s, 0, false);
                System.arraycopy(s, 0, c, cOff + tailCol, tailWidth);
            }
        }
    }
}
