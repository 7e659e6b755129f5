package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import java.util.Arrays;
import org.ejml.data.FMatrixRMaj;

/**
 * Max pooling: each channel of the input is covered by a {@code w x w} window moved with stride s,
 * and each output value is the largest input value under its window. For an input of
 * {@code C x H x W} the output is {@code C x H' x W'} with
 * <pre>
 *   H' = 1 + (H - w) / s        W' = 1 + (W - w) / s        (integer division; no padding)
 *   a[oy, ox, c] = max_{ky, kx &lt; w} x[oy·s + ky, ox·s + kx, c]
 * </pre>
 * No parameters. The derivative of a maximum is 1 for the input that won and 0 for the others, so
 * backward routes each output gradient to the input position that forward recorded as the arg-max
 * (the first one in reading order on ties), and adds where windows overlap ({@code s < w}):
 * <pre>
 *   dX[p] = Σ over outputs o whose arg-max is p of dA[o]
 * </pre>
 */
public final class MaxPool2D extends ShapedLayer {

    /**
     * The widest window (its side): the layer keeps one offset per window position, so a window is
     * bounded before that table is allocated (256 x 256 offsets: 256 KB), whatever the input allows.
     */
    public static final int MAX_WINDOW = 256;

    private final int window;
    private final int stride;
    private final int[] offsets; // of the window's positions from its corner, in reading order

    /**
     * @param in     input shape C x H x W
     * @param window side w of the square window, {@code 1 <= w <= min(H, W, MAX_WINDOW)}
     * @param stride step s of the window, >= 1 (s = w: windows that tile the input)
     */
    public MaxPool2D(Shape in, int window, int stride) {
        super(in, outputShape(in, window, stride));
        this.window = window;
        this.stride = stride;
        this.offsets = new int[window * window];
        for (int ky = 0; ky < window; ky++) {
            for (int kx = 0; kx < window; kx++) {
                offsets[ky * window + kx] = (ky * in.width() + kx) * in.channels();
            }
        }
    }

    /** {@code C x H' x W'} with {@code H' = 1 + (H - w) / s}; refuses a window that does not fit. */
    private static Shape outputShape(Shape in, int window, int stride) {
        if (window < 1 || stride < 1 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("pooling needs a window of 1 to " + MAX_WINDOW + " and a stride >= 1,"
                    + " got window " + window + ", stride " + stride);
        }
        if (window > in.height() || window > in.width()) {
            throw new IllegalArgumentException("a " + window + "x" + window + " pooling window does not fit an input of "
                    + in);
        }
        return new Shape(in.channels(), 1 + (in.height() - window) / stride, 1 + (in.width() - window) / stride);
    }

    /** A workspace with this layer's {@link Cache}. */
    @Override
    public Workspace workspace(MatrixBackend backend, int capacity, boolean training, FMatrixRMaj dX) {
        return new Cache(this, backend, capacity, training, dX);
    }

    /** The cache: for every output value, the index in its image of the input value that won (when training). */
    static final class Cache extends Workspace {
        final int[] argmax;
        final MatrixBackend.RangeTask forward;
        final MatrixBackend.RangeTask backward; // null without an input gradient to write

        Cache(MaxPool2D layer, MatrixBackend backend, int capacity, boolean training, FMatrixRMaj dX) {
            super(layer, backend, capacity, training, dX);
            argmax = training ? new int[capacity * layer.out.size()] : null;
            forward = (from, to) -> layer.pool(backend, input.data, output().data, argmax, from, to);
            backward = dX == null ? null
                    : (from, to) -> layer.route(backend, outputGradient().data, argmax, dX.data, from, to);
        }
    }

    /** Forward: {@code a[i, oy, ox, c] = max over the window of x[i, oy·s + ky, ox·s + kx, c]}, split by images. */
    @Override
    public void forward(FMatrixRMaj x, Workspace ws) {
        Cache c = (Cache) ws;
        c.begin(x);
        c.backend.forRanges(x.numRows, 1, c.forward);
    }

    /** Backward: {@code dX} is zero except at each window's arg-max, which gets that output's gradient. */
    @Override
    public void backward(Workspace ws) {
        Cache c = (Cache) ws;
        if (c.backward != null) { // no parameters: without dX there is nothing to compute
            c.backend.forRanges(c.rows(), 1, c.backward);
        }
    }

    /**
     * Forward for images {@code [first, last)}: each output value is the maximum of its window, and
     * with {@code argmax} (training) also where in the image it came from (the first position in
     * reading order on ties), one window of all channels at a time by
     * {@link MatrixBackend#maxPool}.
     */
    void pool(MatrixBackend backend, float[] x, float[] a, int[] argmax, int first, int last) {
        int channels = in.channels(), width = in.width();
        int outH = out.height(), outW = out.width();
        int inImage = in.size(), outImage = out.size();
        for (int i = first; i < last; i++) {
            int xBase = i * inImage;
            int o = i * outImage;
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++, o += channels) {
                    int corner = xBase + (oy * stride * width + ox * stride) * channels;
                    backend.maxPool(x, corner, offsets, channels, a, o, argmax, xBase);
                }
            }
        }
    }

    /**
     * Backward for images {@code [first, last)}: dX is zero except at each window's arg-max, which
     * gets that output's gradient. Windows that do not overlap (stride = window) are written whole,
     * one at a time by {@link MatrixBackend#unpool}, after zeroing the last rows and columns no
     * window covers; otherwise each image is zeroed and the gradients are added at their arg-max.
     */
    void route(MatrixBackend backend, float[] dA, int[] argmax, float[] dX, int first, int last) {
        int inImage = in.size(), outImage = out.size();
        int channels = in.channels(), width = in.width();
        int coveredRows = out.height() * window, coveredCols = out.width() * window;
        for (int i = first; i < last; i++) {
            int xBase = i * inImage;
            if (stride != window) {
                Arrays.fill(dX, xBase, xBase + inImage, 0f);
                for (int o = i * outImage, end = o + outImage; o < end; o++) {
                    dX[xBase + argmax[o]] += dA[o];
                }
                continue;
            }
            for (int y = 0; y < in.height(); y++) {
                int row = xBase + y * width * channels;
                int from = y < coveredRows ? coveredCols * channels : 0;
                Arrays.fill(dX, row + from, row + width * channels, 0f);
            }
            int o = i * outImage;
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++, o += channels) {
                    int corner = xBase + (oy * window * width + ox * window) * channels;
                    backend.unpool(dA, o, argmax, channels, dX, corner, offsets, xBase);
                }
            }
        }
    }

    @Override
    public long floatsPerSample(boolean training) {
        return (training ? 3L : 1L) * out.size(); // a, and dA and the arg-max indices
    }

    /** {@code pool<w>}, with {@code s<stride>} when the stride is not w. */
    @Override
    public String spec() {
        return "pool" + window + (stride != window ? "s" + stride : "");
    }

    public int window() {
        return window;
    }

    public int stride() {
        return stride;
    }
}
