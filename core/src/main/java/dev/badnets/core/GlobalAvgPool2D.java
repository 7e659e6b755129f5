package dev.badnets.core;

import org.ejml.data.FMatrixRMaj;

/**
 * Global average pooling: the mean of each channel over the whole image, which turns a
 * {@code C x H x W} input into a flat vector of C values (PyTorch's {@code AdaptiveAvgPool2d(1)}
 * followed by a flatten, ONNX's {@code GlobalAveragePool}):
 * <pre>
 *   a[c] = (Σ_{y &lt; H, x &lt; W} x[y, x, c]) / (H·W)
 * </pre>
 * No parameters. Every pixel of a channel contributes equally, so
 * <pre>
 *   dX[y, x, c] = dA[c] / (H·W)
 * </pre>
 */
public final class GlobalAvgPool2D extends ShapedLayer {


    /** @param in input shape C x H x W; the output is C x 1 x 1 */
    public GlobalAvgPool2D(Shape in) {
        super(in, Shape.flat(in.channels()));
    }

    /** Forward: per image and channel, the sum of the channel's H·W values over H·W. */
    @Override
    public void forward(FMatrixRMaj x, Workspace ws) {
        ws.begin(x);
        float[] xs = x.data, a = ws.output().data;
        int channels = in.channels(), pixels = in.height() * in.width();
        float count = pixels;
        for (int i = 0; i < x.numRows; i++) {
            int xBase = i * in.size(), aBase = i * channels;
            for (int c = 0; c < channels; c++) {
                float sum = 0f;
                for (int p = 0; p < pixels; p++) {
                    sum += xs[xBase + p * channels + c];
                }
                a[aBase + c] = sum / count;
            }
        }
    }

    /** Backward: {@code dX[y, x, c] = dA[c] / (H·W)} at every pixel. */
    @Override
    public void backward(Workspace ws) {
        FMatrixRMaj dX = ws.inputGradient();
        if (dX != null) { // no parameters: without dX there is nothing to compute
            float[] dA = ws.outputGradient().data, dx = dX.data;
            int channels = in.channels(), pixels = in.height() * in.width();
            float count = pixels;
            for (int i = 0; i < dX.numRows; i++) {
                int xBase = i * in.size(), aBase = i * channels;
                for (int p = 0; p < pixels; p++) {
                    for (int c = 0; c < channels; c++) {
                        dx[xBase + p * channels + c] = dA[aBase + c] / count;
                    }
                }
            }
        }
    }

    @Override
    public long multiplyAdds() {
        return in.size();
    }

    @Override
    public String spec() {
        return "gap";
    }
}
