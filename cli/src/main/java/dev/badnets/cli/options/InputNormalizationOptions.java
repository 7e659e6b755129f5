package dev.badnets.cli.options;

import dev.badnets.cli.UserException;

import dev.badnets.core.Network;
import dev.badnets.core.Normalization;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --input-mean} and {@code --input-std}: what a model read from another framework expects
 * its input to be normalised with ({@code (x - mean) / std} per channel, on pixels in [0, 1]),
 * which becomes a {@link Normalization} layer in front of the network (and so is saved with any
 * model written from it).
 */
public final class InputNormalizationOptions {

    @Option(names = "--input-mean", paramLabel = "M[,M...]", split = ",",
            description = "The model takes (x - M) / S of pixels x in [0, 1]: one mean, or one per channel "
                    + "(e.g. 0.1307 for a PyTorch MNIST model). Default: no normalisation.")
    public List<Float> mean;

    @Option(names = "--input-std", paramLabel = "S[,S...]", split = ",",
            description = "The standard deviation of --input-mean: one, or one per channel (e.g. 0.3081).")
    public List<Float> std;

    /** Whether either flag was given. */
    public boolean given() {
        return mean != null || std != null;
    }

    /** {@code net} with the normalisation in front, or {@code net} itself when neither flag is given. */
    public Network apply(Network net) {
        if (!given()) {
            return net;
        }
        try {
            return Normalization.prepend(net, values(mean, 0f), values(std, 1f));
        } catch (IllegalArgumentException e) {
            throw new UserException("--input-mean/--input-std: " + e.getMessage(),
                    "give one value, or one per input channel (" + net.inputShape().channels() + "), each finite, "
                            + "and a non-zero std");
        }
    }

    private static float[] values(List<Float> list, float fallback) {
        if (list == null) {
            return new float[] {fallback};
        }
        float[] v = new float[list.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = list.get(i);
        }
        return v;
    }
}
