package dev.badnets.attack.defense;

import dev.badnets.core.Layer;
import dev.badnets.core.Network;
import dev.badnets.core.Optimizer;
import dev.badnets.core.OptimizerKind;
import dev.badnets.core.Samples;
import dev.badnets.core.Workspace;
import dev.badnets.core.backend.MatrixBackend;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.FMatrixRMaj;

/**
 * Backpropagation through a network's layers one at a time: the loop core's {@code Trainer} runs,
 * opened up for repairs whose loss is more than the classifier's cross-entropy. NAD adds a loss on
 * the outputs of hidden layers (attention maps); ANP multiplies the channels of hidden layers by a
 * mask it learns.
 *
 * <pre>
 *   forward:   a_0 = x,  a_l = f_l(a'_{l-1}),  a'_l = s_l ⊙ a_l   (s_l: a factor per channel, 1 if none)
 *   backward:  dL/da'_l from the layer above (the loss for the last), then
 *              dL/ds_l[c] += Σ_{positions} dL/da'_l · a_l         (channel c's entries)
 *              dL/da_l     = s_l ⊙ dL/da'_l  + what the hook adds   (an extra loss on a_l)
 *              layer l's backward: its parameter gradients and dL/da'_{l-1}
 * </pre>
 * Outputs are stored channels-last ({@code Shape}), so entry {@code i} of a layer's output row
 * belongs to channel {@code i mod channels}; a dense layer's units are its channels.
 *
 * <p>Allocation: the constructor allocates a training workspace per layer for {@code capacity}
 * samples; a pass allocates nothing. Not thread-safe; the backend may split a batch across threads.
 * The network's parameters are read and trained live.
 */
final class LayerPass {

    /** Adds the gradient of an extra loss on a hidden layer's output. */
    @FunctionalInterface
    interface Hook {
        /**
         * @param layer   the layer index
         * @param output  its output a_l, n x outputShape().size() (read only)
         * @param dOutput dL/da_l so far; add to it
         */
        void add(int layer, FMatrixRMaj output, FMatrixRMaj dOutput);
    }

    private final Network net;
    private final Layer[] layers;
    private final Workspace[] work;
    private final MatrixBackend backend;
    private final FMatrixRMaj x;
    private final int[] labels;
    private final float[][] scale;
    private final float[][] scaleGradient;
    private final FMatrixRMaj[] scaled;

    LayerPass(Network net, int capacity, MatrixBackend backend) {
        this.net = net;
        this.backend = backend;
        int count = net.layerCount();
        layers = new Layer[count];
        work = new Workspace[count];
        scale = new float[count][];
        scaleGradient = new float[count][];
        scaled = new FMatrixRMaj[count];
        for (int l = 0; l < count; l++) {
            layers[l] = net.layer(l);
            work[l] = layers[l].workspace(capacity, true);
        }
        x = new FMatrixRMaj(capacity, net.inputWidth());
        labels = new int[capacity];
    }

    /**
     * Multiplies the channels of layer {@code l}'s output by {@code factors} (one per channel, read live
     * on every pass: the caller may change them between passes), and collects their gradient.
     */
    void scaleChannels(int l, float[] factors) {
        int channels = layers[l].outputShape().channels();
        if (factors.length != channels) {
            throw new IllegalArgumentException("layer " + l + " has " + channels + " channels, got " + factors.length
                    + " factors");
        }
        scale[l] = factors;
        scaleGradient[l] = new float[channels];
        scaled[l] = new FMatrixRMaj(work[l].capacity(), layers[l].outputShape().size());
    }

    /** dL/ds_l summed over the backward passes since the last {@link #clearScaleGradients} (live). */
    float[] scaleGradient(int l) {
        return scaleGradient[l];
    }

    void clearScaleGradients() {
        for (float[] g : scaleGradient) {
            if (g != null) {
                java.util.Arrays.fill(g, 0f);
            }
        }
    }

    /** Copies samples {@code order[from .. from+count)} of {@code data} into the input batch and their labels. */
    void load(Samples data, int[] order, int from, int count) {
        int width = net.inputWidth();
        x.reshape(count, width);
        for (int i = 0; i < count; i++) {
            int index = order[from + i];
            data.copyInput(index, x.data, i * width);
            labels[i] = data.label(index);
        }
    }

    /** The input batch (live): the caller may change it after {@link #load}, e.g. to add a perturbation. */
    FMatrixRMaj input() {
        return x;
    }

    /** The labels of the batch loaded last; the first {@code input().numRows} entries count. */
    int[] labels() {
        return labels;
    }

    /** The forward pass of the input batch; returns the network's outputs (logits for a classifier), live. */
    FMatrixRMaj forward() {
        FMatrixRMaj input = x;
        for (int l = 0; l < layers.length; l++) {
            layers[l].forward(backend, input, work[l]);
            input = work[l].output();
            if (scale[l] != null) {
                input = scaleOutput(l, input);
            }
        }
        return input;
    }

    private FMatrixRMaj scaleOutput(int l, FMatrixRMaj a) {
        float[] s = scale[l];
        int channels = s.length;
        FMatrixRMaj out = scaled[l];
        out.reshape(a.numRows, a.numCols);
        for (int i = 0, size = a.numRows * a.numCols; i < size; i++) {
            out.data[i] = a.data[i] * s[i % channels];
        }
        return out;
    }

    /** Layer {@code l}'s output a_l of the last forward pass, before any channel scaling (live). */
    FMatrixRMaj output(int l) {
        return work[l].output();
    }

    /**
     * The network's loss against the labels of the batch, after {@link #forward}, and its gradient
     * with respect to the outputs, which {@link #backward} starts from; {@code weight} multiplies both
     * (-1 for gradient ascent).
     */
    double loss(float weight) {
        FMatrixRMaj output = work[layers.length - 1].output();
        FMatrixRMaj dOutput = work[layers.length - 1].outputGradient();
        dOutput.reshape(output.numRows, output.numCols);
        double loss = net.loss().lossAndGradient(output, labels, dOutput);
        if (weight != 1f) {
            for (int i = 0, size = output.numRows * output.numCols; i < size; i++) {
                dOutput.data[i] *= weight;
            }
        }
        return weight * loss;
    }

    /** dL/d(outputs), live: a caller with a loss of its own writes it here instead of calling {@link #loss}. */
    FMatrixRMaj outputGradient() {
        FMatrixRMaj output = work[layers.length - 1].output();
        FMatrixRMaj dOutput = work[layers.length - 1].outputGradient();
        dOutput.reshape(output.numRows, output.numCols);
        return dOutput;
    }

    /**
     * The backward pass, from the output gradient down: every parameter's gradient (overwritten),
     * the channel factors' gradients (added to), and the input gradient into {@code dX} unless null.
     *
     * @param hook adds extra losses' gradients on hidden outputs; may be null
     */
    void backward(Hook hook, FMatrixRMaj dX) {
        for (int l = layers.length - 1; l >= 0; l--) {
            FMatrixRMaj dA = work[l].outputGradient();
            if (scale[l] != null) {
                FMatrixRMaj a = work[l].output();
                float[] s = scale[l], ds = scaleGradient[l];
                int channels = s.length;
                for (int i = 0, size = a.numRows * a.numCols; i < size; i++) {
                    ds[i % channels] += dA.data[i] * a.data[i];
                    dA.data[i] *= s[i % channels];
                }
            }
            if (hook != null) {
                hook.add(l, work[l].output(), dA);
            }
            layers[l].backward(backend, work[l], l == 0 ? dX : work[l - 1].outputGradient());
        }
    }

    /** An optimiser of every parameter of the network, reading the gradients this pass writes. */
    Optimizer optimizer(OptimizerKind kind, float learningRate, float weightDecay) {
        List<FMatrixRMaj> values = new ArrayList<>();
        List<FMatrixRMaj> gradients = new ArrayList<>();
        List<Boolean> decays = new ArrayList<>();
        for (int l = 0; l < layers.length; l++) {
            List<Layer.Parameter> parameters = layers[l].parameters();
            for (int p = 0; p < parameters.size(); p++) {
                values.add(parameters.get(p).value());
                gradients.add(work[l].gradients().get(p));
                decays.add(parameters.get(p).decays());
            }
        }
        boolean[] decayFlags = new boolean[decays.size()];
        for (int p = 0; p < decayFlags.length; p++) {
            decayFlags[p] = decays.get(p);
        }
        return Optimizer.create(kind, learningRate, weightDecay, values.toArray(new FMatrixRMaj[0]),
                gradients.toArray(new FMatrixRMaj[0]), decayFlags);
    }
}
