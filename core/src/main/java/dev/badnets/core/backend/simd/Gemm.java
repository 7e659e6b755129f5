package dev.badnets.core.backend.simd;

import java.util.Arrays;

/**
 * One matrix product {@code C = A' B' (+ 1 bias)} set up for the {@link Kernels}, reusable from
 * call to call: {@code A'} is A or A^T (read through strides), {@code B'} is B, or B^T packed into
 * a buffer this object keeps. Columns of C that do not fill a whole vector are computed from a
 * zero-padded copy of those columns of B, so no kernel reads or writes past a row.
 *
 * <p>{@link #run} computes the rows of one part; parts cover disjoint row ranges, so any number of
 * threads may run different parts of the same product at once. Buffers grow on first use and are
 * kept, so the steady state allocates nothing. Not safe for two products at once.
 */
public final class Gemm implements WorkerPool.Task {

    private static final int V = Kernels.V;
    private static final int ROWS = 4; // rows per kernel block; parts split on multiples of it
    private static final int NARROW_ROWS = 8; // rows per block when C has fewer than four vectors of columns
    private static final boolean FEW_REGISTERS = Kernels.REGISTERS < 32; // then 6x2 blocks for every product
    private static final int FEW_REGISTERS_ROWS = 6;
    private static final int DEPTH_SLICE = 256; // steps of the shared dimension per pass over a part's rows

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

    private float[] source; // B of A B^T while it still has to be transposed, else null
    private float[] transposed = new float[0];
    private float[] tailB = new float[0];
    private final float[] tailBias = new float[V];
    private float[] zeros = new float[4 * V]; // where sums without a bias start: at least cols long
    private int tailCol;
    private int tailWidth;
    private final float[][] scratch;
    private int rowsPerPart;
    private int transposeParts = 1;

    /** A product that can be split into at most {@code maxParts} parts. */
    public Gemm(int maxParts) {
        scratch = new float[maxParts][NARROW_ROWS * V];
    }

    /** {@code C = A B + 1 bias}; A is rows x depth, B depth x cols, bias null or 1 x cols. */
    public void setMult(float[] a, float[] b, float[] bias, float[] c, int rows, int depth, int cols) {
        set(a, depth, 1, depth, b, cols, bias, c, rows, cols);
        packTail();
    }

    /** {@code C = A^T B}; A is depth x rows, B depth x cols. */
    public void setMultTransA(float[] a, float[] b, float[] c, int rows, int depth, int cols) {
        set(a, 1, rows, depth, b, cols, null, c, rows, cols);
        packTail();
    }

    /**
     * {@code C = A B^T}; A is rows x depth, B cols x depth. B is transposed into a kept buffer
     * first: {@link #run} does that while {@link #transposing()}, then call {@link #finishTranspose}.
     */
    public void setMultTransB(float[] a, float[] b, float[] c, int rows, int depth, int cols) {
        if (transposed.length < depth * cols) {
            transposed = new float[depth * cols];
        }
        set(a, depth, 1, depth, transposed, cols, null, c, rows, cols);
        source = b;
    }

    /** Whether {@link #run} still has to transpose B before the product can run. */
    public boolean transposing() {
        return source != null;
    }

    /** Splits the transposition of B into {@code parts} ranges of its rows; returns how many are non-empty. */
    public int splitTranspose(int parts) {
        transposeParts = Math.max(1, Math.min(parts, cols));
        return transposeParts;
    }

    /** Ends the transposition phase: the product can run. */
    public void finishTranspose() {
        source = null;
        packTail();
    }

    private void set(float[] a, int aRow, int aStep, int depth, float[] b, int bStep, float[] bias,
                     float[] c, int rows, int cols) {
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
        this.source = null;
        if (zeros.length < cols) {
            zeros = new float[cols];
        }
        tailCol = cols - cols % V;
        tailWidth = cols - tailCol;
        rowsPerPart = rows;
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

    /** Rows {@code [i0, i1)} of {@code src} (rows x cols) into columns of {@code dst} (cols x rows), cache-blocked. */
    private static void transpose(float[] src, int rows, int cols, float[] dst, int i0, int i1) {
        final int block = 32;
        for (int ib = i0; ib < i1; ib += block) {
            int ie = Math.min(i1, ib + block);
            for (int jb = 0; jb < cols; jb += block) {
                int je = Math.min(cols, jb + block);
                for (int i = ib; i < ie; i++) {
                    for (int j = jb; j < je; j++) {
                        dst[j * rows + i] = src[i * cols + j];
                    }
                }
            }
        }
    }

    /** Multiply-adds of the product: rows * depth * cols. */
    public long multiplyAdds() {
        return (long) rows * depth * cols;
    }

    /**
     * Splits the rows of C into {@code parts} ranges that start on kernel-block boundaries; returns
     * how many ranges are non-empty (parts with a higher index have nothing to do).
     */
    public int split(int parts) {
        int per = (rows + parts - 1) / parts;
        int block = FEW_REGISTERS ? FEW_REGISTERS_ROWS : cols < 4 * V ? NARROW_ROWS : ROWS;
        rowsPerPart = (per + block - 1) / block * block;
        return rowsPerPart == 0 ? 1 : (rows + rowsPerPart - 1) / rowsPerPart;
    }

    @Override
    public void run(int part) {
        if (source != null) {
            // B (cols x depth) is split by its rows, as C is split by its rows below.
            int per = (cols + transposeParts - 1) / transposeParts;
            transpose(source, cols, depth, transposed, Math.min(cols, part * per), Math.min(cols, (part + 1) * per));
            return;
        }
        int r0 = part * rowsPerPart;
        int r1 = Math.min(rows, r0 + rowsPerPart);
        // A long shared dimension (a convolution's weight gradient sums over every pixel of the
        // batch) runs in slices, so the slice of B that every row block of this part reads stays
        // in cache; each slice goes on from the sums the last one stored, so nothing changes.
        // Column tails keep their sums in scratch, so a product with one runs in one pass.
        int slice = tailWidth == 0 ? DEPTH_SLICE : depth;
        int p0 = 0;
        do { // at least once: with an empty shared dimension C is just the bias
            runRows(r0, r1, p0, Math.min(slice, depth - p0), p0 > 0, part);
            p0 += slice;
        } while (p0 < depth);
    }

    /**
     * Rows {@code [r0, r1)} of C over steps {@code [p0, p0 + steps)} of the shared dimension,
     * starting from the bias (or zero), or from C's values when {@code accumulate}: blocks of the
     * main kernel's rows first, then the rows left over. Each block size is its own method so the
     * JIT compiles each small enough to turn every vector operation into instructions (one large
     * method ran out of inlining budget and boxed the vectors of its leftover rows).
     */
    private void runRows(int r0, int r1, int p0, int steps, boolean accumulate, int part) {
        // where the sums start: C itself (row i of C at i * cols), or the bias or zeros on every row
        float[] start = accumulate ? c : bias != null ? bias : zeros;
        int sRow = accumulate ? cols : 0;
        float[] tailStart = bias != null ? tailBias : zeros; // column tails always run in one pass
        int i = r0;
        if (FEW_REGISTERS) {
            i = sixRowBlocks(i, r1, p0, steps, start, sRow, tailStart, scratch[part]);
        } else if (cols < 4 * V) {
            i = eightRowBlocks(i, r1, p0, steps, start, sRow, tailStart, scratch[part]);
        }
        i = fourRowBlocks(i, r1, p0, steps, start, sRow, tailStart, scratch[part]);
        singleRows(i, r1, p0, steps, start, sRow, tailStart, scratch[part]);
    }

    /** 6x2 blocks, where the CPU has 16 vector registers; returns the first row not done. */
    private int sixRowBlocks(int i, int r1, int p0, int steps, float[] start, int sRow, float[] tailStart, float[] s) {
        int bOff = p0 * bStep;
        for (; i + FEW_REGISTERS_ROWS <= r1; i += FEW_REGISTERS_ROWS) {
            int aOff = i * aRow + p0 * aStep;
            int cOff = i * cols;
            int j = 0;
            for (; j + 2 * V <= tailCol; j += 2 * V) {
                Kernels.k6x2(a, aOff, aRow, aStep, steps, b, bOff + j, bStep, start, i * sRow + j, sRow, c, cOff + j, cols);
            }
            for (; j < tailCol; j += V) {
                Kernels.k6x1(a, aOff, aRow, aStep, steps, b, bOff + j, bStep, start, i * sRow + j, sRow, c, cOff + j, cols);
            }
            if (tailWidth > 0) {
                Kernels.k6x1(a, aOff, aRow, aStep, steps, tailB, 0, V, tailStart, 0, 0, s, 0, V);
                for (int r = 0; r < FEW_REGISTERS_ROWS; r++) {
                    System.arraycopy(s, r * V, c, cOff + r * cols + tailCol, tailWidth);
                }
            }
        }
        return i;
    }

    /** 8x2 blocks for products of fewer than four vectors of columns; returns the first row not done. */
    private int eightRowBlocks(int i, int r1, int p0, int steps, float[] start, int sRow, float[] tailStart, float[] s) {
        int bOff = p0 * bStep;
        // two vectors (or one, or only the tail) per row; eight rows keep enough sums in flight
        for (; i + NARROW_ROWS <= r1; i += NARROW_ROWS) {
            int aOff = i * aRow + p0 * aStep;
            int cOff = i * cols;
            int j = 0;
            for (; j + 2 * V <= tailCol; j += 2 * V) {
                Kernels.k8x2(a, aOff, aRow, aStep, steps, b, bOff + j, bStep, start, i * sRow + j, sRow, c, cOff + j, cols);
            }
            for (; j < tailCol; j += V) {
                Kernels.k8x1(a, aOff, aRow, aStep, steps, b, bOff + j, bStep, start, i * sRow + j, sRow, c, cOff + j, cols);
            }
            if (tailWidth > 0) {
                Kernels.k8x1(a, aOff, aRow, aStep, steps, tailB, 0, V, tailStart, 0, 0, s, 0, V);
                for (int r = 0; r < NARROW_ROWS; r++) {
                    System.arraycopy(s, r * V, c, cOff + r * cols + tailCol, tailWidth);
                }
            }
        }
        return i;
    }

    /** 4x4 blocks (4x1 for the last vectors; with 16 registers 4x1 only); returns the first row not done. */
    private int fourRowBlocks(int i, int r1, int p0, int steps, float[] start, int sRow, float[] tailStart, float[] s) {
        int bOff = p0 * bStep;
        int quadEnd = FEW_REGISTERS ? 0 : cols - cols % (4 * V);
        for (; i + ROWS <= r1; i += ROWS) {
            int aOff = i * aRow + p0 * aStep;
            int cOff = i * cols;
            int j = 0;
            for (; j < quadEnd; j += 4 * V) {
                Kernels.k4x4(a, aOff, aRow, aStep, steps, b, bOff + j, bStep, start, i * sRow + j, sRow, c, cOff + j, cols);
            }
            for (; j < tailCol; j += V) {
                Kernels.k4x1(a, aOff, aRow, aStep, steps, b, bOff + j, bStep, start, i * sRow + j, sRow, c, cOff + j, cols);
            }
            if (tailWidth > 0) {
                Kernels.k4x1(a, aOff, aRow, aStep, steps, tailB, 0, V, tailStart, 0, 0, s, 0, V);
                for (int r = 0; r < ROWS; r++) {
                    System.arraycopy(s, r * V, c, cOff + r * cols + tailCol, tailWidth);
                }
            }
        }
        return i;
    }

    /** One row at a time, the rows no block covers. */
    private void singleRows(int i, int r1, int p0, int steps, float[] start, int sRow, float[] tailStart, float[] s) {
        int bOff = p0 * bStep;
        int quadEnd = FEW_REGISTERS ? 0 : cols - cols % (4 * V);
        for (; i < r1; i++) {
            int aOff = i * aRow + p0 * aStep;
            int cOff = i * cols;
            int j = 0;
            for (; j < quadEnd; j += 4 * V) {
                Kernels.k1x4(a, aOff, aStep, steps, b, bOff + j, bStep, start, i * sRow + j, c, cOff + j);
            }
            for (; j < tailCol; j += V) {
                Kernels.k1x1(a, aOff, aStep, steps, b, bOff + j, bStep, start, i * sRow + j, c, cOff + j);
            }
            if (tailWidth > 0) {
                Kernels.k1x1(a, aOff, aStep, steps, tailB, 0, V, tailStart, 0, s, 0);
                System.arraycopy(s, 0, c, cOff + tailCol, tailWidth);
            }
        }
    }
}
