package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;

/**
 * A 2-D convolution: K filters of {@code k x k} over C input channels, moved with stride s over the
 * input zero-padded by p on every side, then an activation. For an input of {@code C x H x W} the
 * output is {@code K x H' x W'} with
 * <pre>
 *   H' = 1 + (H + 2p - k) / s        W' = 1 + (W + 2p - k) / s        (integer division)
 * </pre>
 * and, for output pixel (oy, ox) and filter f,
 * <pre>
 *   z[oy, ox, f] = b[f] + Σ_{ky, kx, c} x[oy·s - p + ky, ox·s - p + kx, c] · W[(ky·k + kx)·C + c, f]
 * </pre>
 * (x read as 0 outside the image), {@code a = act(z)}. Parameters: {@code W} ({@code k·k·C x K})
 * and {@code b} ({@code 1 x K}).
 *
 * <p><b>As a matrix product (im2col).</b> Copy, for every output pixel of every image, the
 * {@code k·k·C} input values under its window into one row of a matrix {@code cols}
 * ({@code n·H'·W' x k·k·C}). Then the convolution of the whole batch is one product, the same one a
 * dense layer runs:
 * <pre>
 *   Z = cols W + b                     (n·H'·W' x K)
 * </pre>
 * and because a sample is stored channels-last (see {@link Shape}), the rows of Z for one image,
 * laid end to end, are exactly that image's output: no reordering. Backward, given
 * {@code dA = dL/da} and so {@code dZ = dA ⊙ act'(z)}, is a dense layer's backward on those rows:
 * <pre>
 *   dW    = colsᵀ dZ                  (k·k·C x K)
 *   db    = Σ_rows dZ                 (1 x K)
 *   dCols = dZ Wᵀ                     (n·H'·W' x k·k·C)
 *   dX    = col2im(dCols)             each input value gets the sum of dCols over every window
 *                                     position that read it (windows overlap when s &lt; k)
 * </pre>
 * im2col and col2im work image by image, so the backend splits them across its threads by images:
 * each image's sums are added in the same order whatever the split.
 */
public final class Conv2D extends WeightedLayer {

    private final int kernel;
    private final int stride;
    private final int padding;

    /**
     * A convolution with the given parameters, used as they are (not copied).
     *
     * @param in       input shape C x H x W
     * @param kernel   side k of the square window, {@code 1 <= k <= H + 2p} and {@code <= W + 2p}
     * @param stride   step s of the window, >= 1
     * @param padding  zeros p added on every side, {@code 0 <= p < k}
     * @param weights  {@code k·k·C x K}, row {@code (ky·k + kx)·C + c} for filter column f
     * @param bias     {@code 1 x K}
     */
    public Conv2D(Shape in, int kernel, int stride, int padding, FMatrixRMaj weights, FMatrixRMaj bias,
                  Activation activation) {
        super(in, outputShape(in, kernel, stride, padding, weights, bias), weights, bias, activation);
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /** {@code K x H' x W'}; refuses parameters that do not make a convolution of {@code in}. */
    private static Shape outputShape(Shape in, int kernel, int stride, int padding, FMatrixRMaj weights,
                                     FMatrixRMaj bias) {
        if (kernel < 1 || stride < 1 || padding < 0 || padding >= kernel) {
            throw new IllegalArgumentException("a convolution needs kernel >= 1, stride >= 1 and 0 <= padding < kernel, got "
                    + "kernel " + kernel + ", stride " + stride + ", padding " + padding);
        }
        if (kernel > in.height() + 2 * padding || kernel > in.width() + 2 * padding) {
            throw new IllegalArgumentException("a " + kernel + "x" + kernel + " kernel does not fit an input of "
                    + in + " padded by " + padding);
        }
        long rows = (long) kernel * kernel * in.channels();
        if (weights.numRows != rows || weights.numCols < 1) {
            throw new IllegalArgumentException("weights must be " + rows + " x K (kernel " + kernel + "x" + kernel
                    + " x " + in.channels() + " channels), got " + weights.numRows + " x " + weights.numCols);
        }
        if (bias.numRows != 1 || bias.numCols != weights.numCols) {
            throw new IllegalArgumentException("bias must be 1 x " + weights.numCols + ", got " + bias.numRows
                    + " x " + bias.numCols);
        }
        return new Shape(weights.numCols, outputSide(in.height(), kernel, stride, padding),
                outputSide(in.width(), kernel, stride, padding));
    }

    /** {@code 1 + (side + 2p - k) / s}: positions of the window along one side. */
    static int outputSide(int side, int kernel, int stride, int padding) {
        return 1 + (side + 2 * padding - kernel) / stride;
    }

    /**
     * A freshly initialised convolution of {@code filters} filters: zero biases, He-initialised
     * weights (normal, std {@code sqrt(2 / fan-in)} with fan-in {@code C·k·k}, the inputs one output
     * value sees) before a ReLU, Glorot otherwise.
     */
    public static Conv2D initialized(Shape in, int filters, int kernel, int stride, int padding, Activation activation,
                                     SplittableRandom random) {
        if (filters < 1) {
            throw new IllegalArgumentException("a convolution needs at least 1 filter, got " + filters);
        }
        int fanIn = kernel * kernel * in.channels();
        FMatrixRMaj w = new FMatrixRMaj(fanIn, filters);
        DenseLayer.initialize(w.data, fanIn, filters * kernel * kernel, activation, random);
        return new Conv2D(in, kernel, stride, padding, w, new FMatrixRMaj(1, filters), activation);
    }

    /** A workspace with this layer's {@link Cache}. */
    @Override
    public Workspace workspace(MatrixBackend backend, int capacity, boolean training, FMatrixRMaj dX) {
        return new Cache(this, backend, capacity, training, dX);
    }

    /**
     * The cache: {@code cols} (the unrolled windows, which dW reads), z, and when training dZ and
     * dCols. {@code zRows} and {@code dZRows} view z and dZ as {@code n·H'·W' x K}, the shape of the
     * products; {@code z} and {@code dZ} are the same arrays as {@code n x H'·W'·K}.
     */
    static final class Cache extends Workspace {
        final FMatrixRMaj cols;
        final FMatrixRMaj z;
        final FMatrixRMaj zRows;
        final FMatrixRMaj dZ;
        final FMatrixRMaj dZRows;
        final FMatrixRMaj dCols;
        final MatrixBackend.RangeTask im2col;
        final MatrixBackend.RangeTask col2im;
        final MatrixBackend.RangeTask activate;
        final float[] blockSums; // column sums of each block of BLOCK rows of dZ, when training
        final float[] padded; // the batch with p zeros around every image (borders written once, at allocation); null if p = 0
        final MatrixBackend.RangeTask backwardBlocks;

        Cache(Conv2D layer, MatrixBackend backend, int capacity, boolean training, FMatrixRMaj dX) {
            super(layer, backend, capacity, training, dX);
            int pixels = layer.out.height() * layer.out.width();
            int window = layer.weights.numRows;
            int filters = layer.out.channels();
            checkFloats((long) capacity * pixels * window, layer);
            cols = new FMatrixRMaj(capacity * pixels, window);
            z = new FMatrixRMaj(capacity, pixels * filters);
            zRows = view(capacity * pixels, filters, z.data);
            dZ = training ? new FMatrixRMaj(capacity, pixels * filters) : null;
            dZRows = training ? view(capacity * pixels, filters, dZ.data) : null;
            dCols = training ? new FMatrixRMaj(capacity * pixels, window) : null;
            Shape in = layer.in;
            long paddedFloats = (long) capacity * (in.height() + 2L * layer.padding) * (in.width() + 2L * layer.padding)
                    * in.channels();
            checkFloats(paddedFloats, layer);
            padded = layer.padding > 0 ? new float[(int) paddedFloats] : null;
            im2col = (from, to) -> layer.im2col(input.data, padded, cols.data, from, to);
            col2im = dX == null ? null : (from, to) -> layer.col2im(backend, dCols.data, dX.data, from, to);
            blockSums = training ? new float[(capacity * pixels + BLOCK - 1) / BLOCK * filters] : null;
            activate = (from, to) -> layer.activation.forward(z.data, output().data, from, to);
            backwardBlocks = (first, last) -> {
                for (int block = first; block < last; block++) { // dZ for a block of rows, then its sums while in cache
                    int from = block * BLOCK * filters, to = Math.min(dZRows.numRows, (block + 1) * BLOCK) * filters;
                    layer.activation.backward(z.data, output().data, outputGradient().data, dZ.data, from, to);
                    if (parameterGradients()) {
                        backend.columnSums(dZ.data, from, (to - from) / filters, filters, blockSums, block * filters);
                    }
                }
            };
        }

        @Override
        void resize(int n) {
            int pixels = zRows.numRows / z.numRows;
            cols.reshape(n * pixels, cols.numCols);
            z.reshape(n, z.numCols);
            zRows.reshape(n * pixels, zRows.numCols);
            if (dZ != null) {
                dZ.reshape(n, dZ.numCols);
                dZRows.reshape(n * pixels, dZRows.numCols);
                dCols.reshape(n * pixels, dCols.numCols);
            }
        }
    }

    /** Forward: {@code cols = im2col(x)}, {@code Z = cols W + b}, {@code a = act(z)}. */
    @Override
    public void forward(FMatrixRMaj x, Workspace ws) {
        Cache c = (Cache) ws;
        MatrixBackend backend = c.backend;
        c.begin(x);
        backend.forRanges(x.numRows, 1, c.im2col);
        backend.affine(c.cols, weights, bias, c.zRows);
        backend.forRanges(c.z.getNumElements(), Activation.GRAIN, c.activate);
    }

    /**
     * Backward: {@code dZ = dA ⊙ act'(z)}, {@code dW = colsᵀ dZ} and {@code db = Σ_rows dZ} (unless
     * the workspace wants the input gradient only) and, unless the workspace has no {@code dX},
     * {@code dCols = dZ Wᵀ} folded back into {@code dX} by col2im.
     */
    @Override
    public void backward(Workspace ws) {
        Cache c = (Cache) ws;
        MatrixBackend backend = c.backend;
        int blocks = (c.dZRows.numRows + BLOCK - 1) / BLOCK;
        backend.forRanges(blocks, 1, c.backwardBlocks); // dZ, and the column sums of each block of its rows
        if (c.parameterGradients()) {
            sumRows(c.blockSums, blocks, c.gradient(1).data);
            backend.multTransA(c.cols, c.dZRows, c.gradient(0));
        }
        if (c.col2im != null) {
            backend.multTransB(c.dZRows, weights, c.dCols);
            backend.forRanges(c.rows(), 1, c.col2im);
        }
    }

    /**
     * Rows of dZ per block of the bias gradient {@code db = Σ_rows dZ}: blocks are summed on any
     * thread, then added in block order, so the sum is the same for any thread count.
     */
    static final int BLOCK = 256;

    /** {@code db[j] = Σ_blocks sums[block, j]}, in block order. */
    static void sumRows(float[] sums, int blocks, float[] db) {
        int cols = db.length;
        Arrays.fill(db, 0f);
        for (int block = 0; block < blocks; block++) {
            for (int j = 0; j < cols; j++) {
                db[j] += sums[block * cols + j];
            }
        }
    }

    /**
     * im2col for images {@code [first, last)}: row {@code i·H'·W' + oy·W' + ox} of {@code cols}
     * holds, at column {@code (ky·k + kx)·C + c}, the input value {@code x[iy, ix, c]} with
     * {@code iy = oy·s - p + ky}, {@code ix = ox·s - p + kx}, or 0 where that falls in the padding.
     * With padding, each image is first copied into the middle of a zero-bordered buffer, so that
     * every window lies inside it; then for one (oy, ox, ky) the k·C values are contiguous
     * (channels-last), and each is one short copy with no bounds to check. Runs of at least
     * {@link #LONG_RUN} floats go through {@code System.arraycopy}, whose vectorised stubs copied a
     * second convolution's 48-float runs three times as fast as a loop; shorter runs (one channel:
     * k floats) are copied a column of the window at a time, across the output row.
     */
    void im2col(float[] x, float[] padded, float[] cols, int first, int last) {
        int channels = in.channels(), height = in.height(), width = in.width();
        int outH = out.height(), outW = out.width();
        int window = weights.numRows;
        int image = height * width * channels;
        int paddedWidth = width + 2 * padding;
        int paddedImage = (height + 2 * padding) * paddedWidth * channels;
        int run = kernel * channels; // one row of the window: k pixels of C values
        for (int i = first; i < last; i++) {
            float[] source = x;
            int base = i * image;
            int rowWidth = width;
            if (padding > 0) {
                int pBase = i * paddedImage;
                for (int y = 0; y < height; y++) {
                    System.arraycopy(x, base + y * width * channels, padded,
                            pBase + ((y + padding) * paddedWidth + padding) * channels, width * channels);
                }
                source = padded;
                base = pBase;
                rowWidth = paddedWidth;
            }
            int dst = i * outH * outW * window;
            if (run >= LONG_RUN) {
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        for (int ky = 0; ky < kernel; ky++, dst += run) {
                            int src = base + ((oy * stride + ky) * rowWidth + ox * stride) * channels;
                            System.arraycopy(source, src, cols, dst, run);
                        }
                    }
                }
            } else {
                for (int oy = 0; oy < outH; oy++, dst += outW * window) {
                    for (int ky = 0; ky < kernel; ky++) {
                        int src = base + (oy * stride + ky) * rowWidth * channels;
                        for (int j = 0; j < run; j++) { // column ky·k·C + j of the window, for every ox
                            int to = dst + ky * run + j;
                            int from = src + j;
                            for (int ox = 0; ox < outW; ox++) {
                                cols[to + ox * window] = source[from + ox * stride * channels];
                            }
                        }
                    }
                }
            }
        }
    }

    /** Runs of the window this long or longer are copied with {@code System.arraycopy} (see {@link #im2col}). */
    private static final int LONG_RUN = 16;

    /**
     * col2im for images {@code [first, last)}, the adjoint of {@link #im2col}: zeroes each image of
     * {@code dX}, then adds every entry of {@code dCols} to the input value it was copied from
     * (entries that came from the padding are dropped).
     */
    void col2im(MatrixBackend backend, float[] dCols, float[] dX, int first, int last) {
        int channels = in.channels(), height = in.height(), width = in.width();
        int outH = out.height(), outW = out.width();
        int window = weights.numRows;
        int image = height * width * channels;
        int run = kernel * channels;
        for (int i = first; i < last; i++) {
            int xBase = i * image;
            Arrays.fill(dX, xBase, xBase + image, 0f);
            int src = i * outH * outW * window;
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    int ix0 = ox * stride - padding;
                    int kx0 = Math.max(0, -ix0), kx1 = Math.min(kernel, width - ix0);
                    for (int ky = 0; ky < kernel; ky++, src += run) {
                        int iy = oy * stride - padding + ky;
                        if (iy < 0 || iy >= height || kx0 >= kx1) {
                            continue;
                        }
                        // the window's columns kx0..kx1: a run of (kx1 - kx0)·C values, too short for the
                        // JIT's vectorised loops, which the backend adds V at a time
                        int j = kx0 * channels;
                        backend.addTo(dCols, src + j, dX, xBase + (iy * width + ix0) * channels + j, (kx1 - kx0) * channels);
                    }
                }
            }
        }
    }

    @Override
    public long floatsPerSample(boolean training) {
        long cols = (long) out.height() * out.width() * weights.numRows;
        long padded = padding > 0 ? (long) (in.height() + 2 * padding) * (in.width() + 2 * padding) * in.channels() : 0;
        return (training ? 2 : 1) * (2L * out.size() + cols) + padded; // a, z, cols (dA, dZ, dCols), padded x
    }

    @Override
    public long multiplyAdds() {
        return (long) out.height() * out.width() * weights.numRows * weights.numCols;
    }

    /** {@code conv<K>x<k>}, with {@code s<stride>} and {@code p<padding>} where they differ from 1 and k/2. */
    @Override
    public String spec() {
        return "conv" + filters() + "x" + kernel + (stride != 1 ? "s" + stride : "")
                + (padding != kernel / 2 ? "p" + padding : "")
                + activationSuffix();
    }

    /** Number of filters K: the output channels. */
    public int filters() {
        return weights.numCols;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    @Override
    public Conv2D copy() {
        return new Conv2D(in, kernel, stride, padding, weights.copy(), bias.copy(), activation);
    }
}
