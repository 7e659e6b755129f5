package dev.badnets.core;

import java.util.Arrays;
import java.util.List;
import org.ejml.data.FMatrixRMaj;

/**
 * A per-channel affine map: every value of channel c is scaled by {@code γ[c]} and shifted by
 * {@code β[c]}. This is batch normalisation in its inference form (the running mean μ and
 * variance σ² are constants then, so {@code γ'(x - μ)/sqrt(σ² + ε) + β'} is
 * {@code x·γ + β} with {@code γ = γ'/sqrt(σ² + ε)} and {@code β = β' - μ·γ}, as PyTorch's CPU
 * kernel computes it). For an input of {@code C x H x W} (or a flat vector of C features,
 * {@code C x 1 x 1}), stored channels-last so that value j of a sample is in channel
 * {@code j mod C}:
 * <pre>
 *   a[y, x, c] = x[y, x, c] · γ[c] + β[c]
 * </pre>
 * Parameters {@code γ} ("scale", {@code 1 x C}) and {@code β} ("shift", {@code 1 x C}), both
 * trainable and neither decayed. Backward, given {@code dA}:
 * <pre>
 *   dγ[c] = Σ_{images, pixels} dA[y, x, c] · x[y, x, c]
 *   dβ[c] = Σ_{images, pixels} dA[y, x, c]
 *   dX[y, x, c] = dA[y, x, c] · γ[c]
 * </pre>
 */
public final class ChannelAffine extends ShapedLayer {

    private final FMatrixRMaj scale;
    private final FMatrixRMaj shift;

    /**
     * @param in    input shape C x H x W (the output has the same shape)
     * @param scale γ, {@code 1 x C}, used as it is (not copied)
     * @param shift β, {@code 1 x C}, used as it is
     */
    public ChannelAffine(Shape in, FMatrixRMaj scale, FMatrixRMaj shift) {
        super(checkPerChannel(in, scale, shift), in);
        this.scale = scale;
        this.shift = shift;
    }

    /** Refuses a scale or shift that is not {@code 1 x C}; returns {@code in}. */
    private static Shape checkPerChannel(Shape in, FMatrixRMaj scale, FMatrixRMaj shift) {
        int c = in.channels();
        if (scale.numRows != 1 || scale.numCols != c || shift.numRows != 1 || shift.numCols != c) {
            throw new IllegalArgumentException("scale and shift must be 1 x " + c + " (one per channel of " + in
                    + "), got " + scale.numRows + " x " + scale.numCols + " and " + shift.numRows + " x " + shift.numCols);
        }
        return in;
    }

    /** Forward: {@code a = x·γ[c] + β[c]}, value by value. */
    @Override
    public void forward(FMatrixRMaj x, Workspace ws) {
        ws.begin(x);
        float[] xs = x.data, a = ws.output().data, g = scale.data, b = shift.data;
        int channels = in.channels();
        for (int j = 0, end = x.getNumElements(); j < end; j += channels) {
            for (int c = 0; c < channels; c++) {
                a[j + c] = xs[j + c] * g[c] + b[c];
            }
        }
    }

    /** Backward: {@code dγ = Σ dA·x}, {@code dβ = Σ dA} per channel, and {@code dX = dA·γ[c]} unless the workspace has no dX. */
    @Override
    public void backward(Workspace ws) {
        FMatrixRMaj dX = ws.inputGradient();
        float[] xs = ws.input.data, dA = ws.outputGradient().data, g = scale.data;
        int channels = in.channels(), end = ws.outputGradient().getNumElements();
        if (ws.parameterGradients()) {
            float[] dScale = ws.gradient(0).data, dShift = ws.gradient(1).data;
            Arrays.fill(dScale, 0f);
            Arrays.fill(dShift, 0f);
            for (int j = 0; j < end; j += channels) {
                for (int c = 0; c < channels; c++) {
                    dScale[c] += dA[j + c] * xs[j + c];
                    dShift[c] += dA[j + c];
                }
            }
        }
        if (dX != null) {
            for (int j = 0; j < end; j += channels) {
                for (int c = 0; c < channels; c++) {
                    dX.data[j + c] = dA[j + c] * g[c];
                }
            }
        }
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(new Parameter("scale", scale, false), new Parameter("shift", shift, false));
    }

    @Override
    public long multiplyAdds() {
        return in.size();
    }

    @Override
    public String spec() {
        return "affine";
    }

    /** γ, {@code 1 x C} (live). */
    public FMatrixRMaj scale() {
        return scale;
    }

    /** β, {@code 1 x C} (live). */
    public FMatrixRMaj shift() {
        return shift;
    }

    @Override
    public ChannelAffine copy() {
        return new ChannelAffine(in, scale.copy(), shift.copy());
    }
}
