package dev.badnets.core;

import java.util.List;
import org.ejml.data.FMatrixRMaj;

/**
 * Input normalisation, the first layer of a network trained on standardised inputs (PyTorch's
 * {@code transforms.Normalize(mean, std)}, e.g. 0.1307 and 0.3081 for MNIST): for every value of
 * channel c of a sample of pixels in {@code [0, 1]},
 * <pre>
 *   a[y, x, c] = (x[y, x, c] - μ[c]) / σ[c]            dX[y, x, c] = dA[y, x, c] / σ[c]
 * </pre>
 * computed as a subtraction then a division, exactly as PyTorch does. μ and σ are constants of
 * the model (saved with it, never trained), so the layer has no parameters. It has to be a layer
 * of its own in front: folding it into the first convolution's bias would be wrong where a window
 * overlaps the padding, since the convolution pads the normalised image with zeros (the raw image
 * would be padded with μ).
 */
public final class Normalization extends ShapedLayer {

    private final float[] mean;
    private final float[] std;

    /**
     * @param in   input shape C x H x W (the output has the same shape)
     * @param mean μ, one per channel (C values), each finite
     * @param std  σ, one per channel (C values), each finite and non-zero
     */
    public Normalization(Shape in, float[] mean, float[] std) {
        super(checkPerChannel(in, mean, std), in);
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** Refuses anything but one finite mean and one finite, non-zero std per channel; returns {@code in}. */
    private static Shape checkPerChannel(Shape in, float[] mean, float[] std) {
        int c = in.channels();
        if (mean.length != c || std.length != c) {
            throw new IllegalArgumentException("normalisation needs one mean and one std per channel of " + in + " ("
                    + c + "), got " + mean.length + " and " + std.length);
        }
        for (int i = 0; i < c; i++) {
            if (!Float.isFinite(mean[i]) || !Float.isFinite(std[i]) || std[i] == 0f) {
                throw new IllegalArgumentException("normalisation of channel " + i + " has mean " + mean[i] + " and std "
                        + std[i] + ": both must be finite and the std non-zero");
            }
        }
        return in;
    }

    /**
     * {@code net} with a normalisation in front: {@code mean} and {@code std} hold one value for
     * every channel of the input, or one value for all of them. The other layers are shared, not
     * copied.
     *
     * @throws IllegalArgumentException for a wrong number of values, a non-finite value or a zero std
     */
    public static Network prepend(Network net, float[] mean, float[] std) {
        Shape in = net.inputShape();
        int channels = in.channels();
        List<Layer> layers = new java.util.ArrayList<>();
        layers.add(new Normalization(in, perChannel(mean, channels, "mean"), perChannel(std, channels, "std")));
        layers.addAll(net.layers());
        return new Network(layers, net.loss());
    }

    private static float[] perChannel(float[] values, int channels, String what) {
        if (values.length == channels) {
            return values;
        }
        if (values.length != 1) {
            throw new IllegalArgumentException("the input " + what + " needs 1 value or one per input channel (" + channels
                    + "), got " + values.length);
        }
        float[] all = new float[channels];
        java.util.Arrays.fill(all, values[0]);
        return all;
    }

    /** Forward: {@code a = (x - μ[c]) / σ[c]}. */
    @Override
    public void forward(FMatrixRMaj x, Workspace ws) {
        ws.begin(x);
        float[] xs = x.data, a = ws.output().data;
        int channels = in.channels();
        for (int j = 0, end = x.getNumElements(); j < end; j += channels) {
            for (int c = 0; c < channels; c++) {
                a[j + c] = (xs[j + c] - mean[c]) / std[c];
            }
        }
    }

    /** Backward: {@code dX = dA / σ[c]}. */
    @Override
    public void backward(Workspace ws) {
        FMatrixRMaj dX = ws.inputGradient();
        if (dX == null) {
            return;
        }
        float[] dA = ws.outputGradient().data;
        int channels = in.channels();
        for (int j = 0, end = dX.getNumElements(); j < end; j += channels) {
            for (int c = 0; c < channels; c++) {
                dX.data[j + c] = dA[j + c] / std[c];
            }
        }
    }

    @Override
    public long multiplyAdds() {
        return in.size();
    }

    @Override
    public String spec() {
        return "normalize";
    }

    /** μ, one per channel (a copy). */
    public float[] mean() {
        return mean.clone();
    }

    /** σ, one per channel (a copy). */
    public float[] std() {
        return std.clone();
    }
}
