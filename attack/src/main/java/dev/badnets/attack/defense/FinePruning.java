package dev.badnets.attack.defense;

import dev.badnets.attack.ImageSamples;
import dev.badnets.core.Activation;
import dev.badnets.core.Conv2D;
import dev.badnets.core.DenseLayer;
import dev.badnets.core.Evaluator;
import dev.badnets.core.Layer;
import dev.badnets.core.Network;
import dev.badnets.core.TrainingResult;
import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.mnist.LabeledImages;
import java.util.Objects;
import java.util.stream.IntStream;
import org.ejml.data.FMatrixRMaj;

/**
 * Fine-Pruning (Liu, Dolan-Gavitt and Garg, "Fine-Pruning: Defending Against Backdooring Attacks on
 * Deep Neural Networks", RAID 2018). A backdoor tends to live in neurons that clean inputs leave
 * dormant: the trigger wakes them, nothing else does. So:
 * <ol>
 *   <li>run the defender's clean images through the model and take each channel of the <em>last
 *       convolution</em>'s mean activation, over images and positions;</li>
 *   <li>prune channels in increasing order of that mean (zero the channel's filter and bias: with
 *       ReLU its output is then 0 for every input), one at a time, as long as the clean accuracy on
 *       the defender's images has not dropped by more than a set number of points below the
 *       unpruned model's;</li>
 *   <li>fine-tune the pruned model on the same clean images ({@link FineTuning}'s settings). A
 *       pruned channel stays pruned: its pre-activation is 0 for every input, where ReLU's derivative
 *       is 0, so its weights get no gradient.</li>
 * </ol>
 *
 * <p>Parameters and sources: pruning stops before the accuracy on the defender's clean (validation)
 * images falls by more than 4 points, the paper's stopping rule (section 4: the pruning defense
 * "terminates when the accuracy on the validation dataset drops below a pre-determined threshold",
 * set 4% below the original accuracy in its evaluation); the defender holds 5% of the clean
 * training data (BackdoorBench's {@code config/defense/fp/config.yaml}, {@code ratio: 0.05}); the
 * fine-tuning is {@link FineTuning.Settings#defaults()}. BackdoorBench instead prunes until the
 * <em>test</em> accuracy falls by 10% ({@code acc_ratio: 0.1}); that used the test set, which the
 * experiment keeps for measuring, and on the default BadNets model (1% poison, cnn, seed 1) it cut
 * so deep that fine-tuning on 3,000 images left the clean accuracy 1.53 points down (98.67% to
 * 97.14%, ASR 0.34%), against the paper's 4 points.
 *
 * <p>Needs a model with at least one convolution whose activation is ReLU (refused otherwise: a
 * "dormant" channel of any other activation is not silent).
 */
public final class FinePruning implements ModelDefense {

    /**
     * @param maxDrop    the largest drop of clean accuracy (a share: 0.04 is 4 points) pruning may
     *                   cause on the defender's images, in (0, 1)
     * @param fineTuning the clean share and how to fine-tune after pruning
     */
    public record Settings(double maxDrop, FineTuning.Settings fineTuning) {
        public Settings {
            if (!(maxDrop > 0 && maxDrop < 1)) {
                throw new IllegalArgumentException("pruning's largest accuracy drop must be in (0, 1), got " + maxDrop);
            }
            Objects.requireNonNull(fineTuning, "fineTuning");
        }

        /** Largest drop 4 points (the paper's), fine-tuning {@link FineTuning.Settings#defaults()}. */
        public static Settings defaults() {
            return new Settings(0.04, FineTuning.Settings.defaults());
        }
    }

    /** What pruning did: the layer pruned, the channels pruned in pruning order, clean accuracy before and after. */
    public record Pruning(int layer, int[] pruned, double accuracyBefore, double accuracyAfter) {
    }

    private final Settings settings;

    public FinePruning(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public FinePruning() {
        this(Settings.defaults());
    }

    @Override
    public String name() {
        return "fine-pruning";
    }

    @Override
    public String describe() {
        return name() + " max_drop=" + settings.maxDrop() + " " + FineTuning.describe(settings.fineTuning());
    }

    @Override
    public Result defend(Network model, Setting setting) {
        FineTuning.Settings tuning = settings.fineTuning();
        LabeledImages own = FineTuning.cleanShare(setting.clean(), tuning.share(), tuning.training().seed());
        Requirements.classes(own, model.classes(), "Fine-pruning",
                "a class missing from the clean images is a class fine-tuning teaches the model to forget");
        Network pruned = model.copy();
        prune(pruned, own, settings.maxDrop(),
                Backends.create(tuning.training().backend(), tuning.training().threads()));
        TrainingResult training = FineTuning.fineTune(pruned, own, tuning.training());
        return new Result(pruned, training, own.count(), FineTuning.noFigures());
    }

    /**
     * Prunes {@code net} in place: the last convolution's channels, least active on {@code clean}
     * first, while the accuracy on {@code clean} stays at least the unpruned one minus
     * {@code maxDrop}. At least one channel is always kept.
     */
    public static Pruning prune(Network net, LabeledImages clean, double maxDrop, MatrixBackend backend) {
        int layer = lastConvolution(net);
        Conv2D conv = (Conv2D) net.layer(layer);
        int channels = conv.filters();
        var samples = ImageSamples.of(clean, net.classes());
        double[] mean = meanActivation(Evaluator.representations(net, samples, layer, backend), channels);
        int[] order = IntStream.range(0, channels).boxed()
                .sorted((a, b) -> mean[a] != mean[b] ? Double.compare(mean[a], mean[b]) : Integer.compare(a, b))
                .mapToInt(Integer::intValue).toArray();
        double before = Evaluator.evaluate(net, samples, backend).accuracy();
        double floor = before - maxDrop;
        double accuracy = before;
        int count = 0;
        for (; count < channels - 1; count++) {
            FMatrixRMaj weights = conv.weights().copy(), bias = conv.bias().copy();
            zeroChannel(conv, order[count]);
            double next = Evaluator.evaluate(net, samples, backend).accuracy();
            if (next < floor) { // undo this channel and stop
                conv.weights().setTo(weights);
                conv.bias().setTo(bias);
                break;
            }
            accuracy = next;
        }
        return new Pruning(layer, java.util.Arrays.copyOf(order, count), before, accuracy);
    }

    /** The index of the last {@link Conv2D} with ReLU; refused when there is none. */
    static int lastConvolution(Network net) {
        for (int l = net.layerCount() - 1; l >= 0; l--) {
            if (net.layer(l) instanceof Conv2D conv) {
                if (conv.activation() != Activation.RELU) {
                    throw new IllegalArgumentException("Fine-pruning prunes the last convolution's dormant ReLU"
                            + " channels, but its activation is " + conv.activation().name().toLowerCase(java.util.Locale.ROOT)
                            + "; use a model whose convolutions use ReLU");
                }
                return l;
            }
        }
        throw new IllegalArgumentException("Fine-pruning prunes the last convolution's channels, but this model ("
                + net.spec() + ") has no convolution; use a model with convolutions");
    }

    /** The mean of each channel over rows and positions of channels-last activations (n x positions·channels). */
    static double[] meanActivation(FMatrixRMaj activations, int channels) {
        double[] mean = new double[channels];
        int size = activations.numRows * activations.numCols;
        for (int i = 0; i < size; i++) {
            mean[i % channels] += activations.data[i];
        }
        for (int c = 0; c < channels; c++) {
            mean[c] /= (double) size / channels;
        }
        return mean;
    }

    /**
     * Silences output channel (filter, unit) {@code c} of a convolution or dense layer: its weights
     * and bias become 0, so with an activation f(0) = 0 it outputs 0 for every input.
     */
    static void zeroChannel(Layer layer, int c) {
        FMatrixRMaj weights, bias;
        if (layer instanceof Conv2D conv) {
            weights = conv.weights();
            bias = conv.bias();
        } else if (layer instanceof DenseLayer dense) {
            weights = dense.weights();
            bias = dense.bias();
        } else {
            throw new IllegalArgumentException("only convolutions and dense layers have channels to prune, got "
                    + layer.spec());
        }
        for (int r = 0; r < weights.numRows; r++) {
            weights.set(r, c, 0f);
        }
        bias.set(0, c, 0f);
    }
}
