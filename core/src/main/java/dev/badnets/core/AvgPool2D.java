package dev.badnets.core;

import java.util.Arrays;
import org.ejml.data.FMatrixRMaj;

/**
 * Average pooling: each channel of the input, zero-padded by p on every side, is covered by a
 * {@code w x w} window moved with stride s, and each output value is the mean of the
 * {@code w·w} values under its window, padding zeros included (PyTorch's {@code AvgPool2d} with
 * its default {@code count_include_pad=True}, ONNX's {@code AveragePool} with
 * {@code count_include_pad=1}). For an input of {@code C x H x W} the output is
 * {@code C x H' x W'} with
 * <pre>
 *   H' = 1 + (H + 2p - w) / s        W' = 1 + (W + 2p - w) / s        (integer division)
 *   a[oy, ox, c] = (Σ_{ky, kx &lt; w} x[oy·s - p + ky, ox·s - p + kx, c]) / (w·w)   (x = 0 outside)
 * </pre>
 * The sum runs in reading order of the window and is then divided, as PyTorch's CPU kernel does.
 * No parameters. Every input value under a window receives an equal share of that window's output
 * gradient, added where windows overlap ({@code s < w}):
 * <pre>
 *   dX[iy, ix, c] = Σ over windows (oy, ox) covering (iy, ix) of dA[oy, ox, c] / (w·w)
 * </pre>
 */
public final class AvgPool2D extends ShapedLayer {

    private final int window;
    private final int stride;
    private final int padding;

    /**
     * @param in      input shape C x H x W
     * @param window  side w of the square window, {@code 1 <= w <= min(H, W) + 2p}
     * @param stride  step s of the window, >= 1
     * @param padding zeros p added on every side, {@code 0 <= p < w}
     */
    public AvgPool2D(Shape in, int window, int stride, int padding) {
        super(in, outputShape(in, window, stride, padding));
        this.window = window;
        this.stride = stride;
        this.padding = padding;
    }

    /** {@code C x H' x W'} with {@code H' = 1 + (H + 2p - w) / s}; refuses a window that does not fit. */
    private static Shape outputShape(Shape in, int window, int stride, int padding) {
        if (window < 1 || stride < 1 || padding < 0 || padding >= window) {
            throw new IllegalArgumentException("average pooling needs window >= 1, stride >= 1 and 0 <= padding < window, got"
                    + " window " + window + ", stride " + stride + ", padding " + padding);
        }
        if (window > in.height() + 2 * padding || window > in.width() + 2 * padding) {
            throw new IllegalArgumentException("a " + window + "x" + window + " pooling window does not fit an input of "
                    + in + " padded by " + padding);
        }
        return new Shape(in.channels(), Conv2D.outputSide(in.height(), window, stride, padding),
                Conv2D.outputSide(in.width(), window, stride, padding));
    }

    /** Forward: each output value is the sum of its window (zeros outside the image) over {@code w·w}. */
    @Override
    public void forward(FMatrixRMaj x, Workspace ws) {
        ws.begin(x);
        float[] xs = x.data, a = ws.output().data;
        int channels = in.channels(), height = in.height(), width = in.width();
        float count = window * window;
        int o = 0;
        for (int i = 0; i < x.numRows; i++) {
            int xBase = i * in.size();
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    for (int c = 0; c < channels; c++) {
                        float sum = 0f;
                        for (int ky = 0; ky < window; ky++) {
                            int iy = oy * stride - padding + ky;
                            for (int kx = 0; kx < window; kx++) {
                                int ix = ox * stride - padding + kx;
                                if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                                    sum += xs[xBase + (iy * width + ix) * channels + c];
                                }
                            }
                        }
                        a[o++] = sum / count;
                    }
                }
            }
        }
    }

    /** Backward: each window's {@code dA / (w·w)} added to every input value under it (the padding's share is dropped). */
    @Override
    public void backward(Workspace ws) {
        FMatrixRMaj dX = ws.inputGradient();
        if (dX == null) {
            return; // no parameters, so nothing else to compute
        }
        float[] dA = ws.outputGradient().data, dx = dX.data;
        int channels = in.channels(), height = in.height(), width = in.width();
        float count = window * window;
        Arrays.fill(dx, 0, dX.getNumElements(), 0f);
        int o = 0;
        for (int i = 0; i < dX.numRows; i++) {
            int xBase = i * in.size();
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    for (int c = 0; c < channels; c++) {
                        float share = dA[o++] / count;
                        for (int ky = 0; ky < window; ky++) {
                            int iy = oy * stride - padding + ky;
                            for (int kx = 0; kx < window; kx++) {
                                int ix = ox * stride - padding + kx;
                                if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                                    dx[xBase + (iy * width + ix) * channels + c] += share;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public long multiplyAdds() {
        return (long) out.size() * window * window;
    }

    /** {@code avgpool<w>}, with {@code s<stride>} when the stride is not w and {@code p<padding>} when there is padding. */
    @Override
    public String spec() {
        return "avgpool" + window + (stride != window ? "s" + stride : "") + (padding != 0 ? "p" + padding : "");
    }

    public int window() {
        return window;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }
}
