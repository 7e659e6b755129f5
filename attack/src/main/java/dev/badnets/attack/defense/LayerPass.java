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
 * opened up for repairs whose loss is more than the classifier's cross-entropy or whose inputs
 * are more than the images: NAD adds a loss on the outputs of hidden layers (attention maps), I-BAU
 * perturbs the inputs, ANP reads the gradients of weights it perturbs.
 *
 * <pre>
 *   forward:   a_0 = x,  a_l = f_l(a_{l-1})
 *   backward:  dL/da_l from the layer above (the loss for the last), plus what the hook adds
 *              (an extra loss on a_l); then layer l's backward: its parameter gradients and dL/da_{l-1}
 * </pre>
 * Outputs are stored channels-last ({@code Shape}), so entry {@code i} of a layer's output row
 * belongs to channel {@code i mod channels}.
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
    private final FMatrixRMaj x;
    private final int[] labels;

    LayerPass(Network net, int capacity, MatrixBackend backend) {
        this.net = net;
        int count = net.layerCount();
        layers = new Layer[count];
        work = new Workspace[count];
        for (int l = 0; l < count; l++) {
            layers[l] = net.layer(l);
            // layer l writes its input gradient into layer l-1's output gradient; the first layer computes none
            work[l] = layers[l].workspace(backend, capacity, true, l == 0 ? null : work[l - 1].outputGradient());
        }
        x = new FMatrixRMaj(capacity, net.inputWidth());
        labels = new int[capacity];
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

    /** The forward pass of the input batch; returns the network's outputs (logits for a classifier), live. */
    FMatrixRMaj forward() {
        FMatrixRMaj input = x;
        for (int l = 0; l < layers.length; l++) {
            layers[l].forward(input, work[l]);
            input = work[l].output();
        }
        return input;
    }

    /** Layer {@code l}'s output a_l of the last forward pass (live). */
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

    /**
     * The backward pass, from the output gradient down: every parameter's gradient (overwritten).
     * The first layer's input gradient is not computed: its workspace holds no dX.
     *
     * @param hook adds extra losses' gradients on hidden outputs; may be null
     * @param dX   must be null (no caller needs dL/dx)
     */
    void backward(Hook hook, FMatrixRMaj dX) {
        if (dX != null) {
            throw new IllegalArgumentException("this pass computes no input gradient; pass null for dX");
        }
        for (int l = layers.length - 1; l >= 0; l--) {
            if (hook != null) {
                hook.add(l, work[l].output(), work[l].outputGradient());
            }
            layers[l].backward(work[l]);
        }
    }

    /** The gradient of parameter {@code p} of layer {@code l} from the last backward pass (live). */
    FMatrixRMaj parameterGradient(int l, int p) {
        return work[l].gradients().get(p);
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
