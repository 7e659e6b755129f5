package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import java.util.List;
import org.ejml.data.FMatrixRMaj;

/**
 * One stage of a {@link Network}: a function of a batch of inputs with (maybe) trainable
 * parameters, and its derivative. Every layer follows the same contract, so that a network is a
 * list of layers and backpropagation is a loop over it.
 *
 * <p>A batch of n samples is a matrix of n rows, one sample per row, laid out as {@link Shape}
 * says. The per-batch values (the output, its gradient and whatever the backward pass needs to
 * remember: CS231n's "cache") live in a {@link Workspace} that the caller gets once from
 * {@link #workspace}, for one backend and one input gradient, and passes to every call, so a layer
 * holds only its parameters, a network can serve several workspaces (a trainer and an evaluator,
 * say), and a training step allocates nothing.
 *
 * <pre>
 *   forward:   a = f(x; θ)                         reads x, writes ws.output() (and the cache)
 *   backward:  given dA = dL/da in ws.outputGradient():
 *              dL/dθ into ws.gradients(), and dL/dx into ws.inputGradient() unless it is null
 * </pre>
 *
 * Every layer's backward pass is checked against finite differences of an independent
 * double-precision forward pass in {@code GradientCheckTest}.
 */
public sealed interface Layer permits ShapedLayer {

    /** A trainable tensor of a layer, live (training updates it in place). */
    record Parameter(String name, FMatrixRMaj value, boolean decays) {
    }

    /** The shape of one input sample. */
    Shape inputShape();

    /** The shape of one output sample. */
    Shape outputShape();

    /**
     * The trainable tensors, in a fixed order (weights before bias); empty (the default) for a layer
     * without parameters. {@link Parameter#decays()} says whether L2 weight decay applies (weights
     * yes, biases no).
     */
    default List<Parameter> parameters() {
        return List.of();
    }

    /**
     * A workspace for batches of up to {@code capacity} samples, whose passes run on
     * {@code backend}; with {@code training} it also holds the output gradient, the parameter
     * gradients and what backward reads.
     *
     * @param dX where backward writes {@code dL/dx}: a matrix of {@code inputShape().size()}
     *           columns with room for {@code capacity} rows (the output gradient of the layer below,
     *           which reshapes it to each batch), or null when no input gradient is wanted (inference,
     *           or the first layer of a network in training); only with {@code training}
     */
    default Workspace workspace(MatrixBackend backend, int capacity, boolean training, FMatrixRMaj dX) {
        return new Workspace(this, backend, capacity, training, dX); // what a layer without a cache of its own needs
    }

    /**
     * Forward pass of the batch {@code x} (n x {@code inputShape().size()}, n at most the
     * workspace's capacity, which this call sets to n rows), on the workspace's backend: writes
     * {@code ws.output()} and keeps what backward needs.
     */
    void forward(FMatrixRMaj x, Workspace ws);

    /**
     * Backward pass, after {@link #forward} on the same workspace and once {@code ws.outputGradient()}
     * holds {@code dL/da}: writes {@code dL/dθ} into {@code ws.gradients()} and, unless the
     * workspace holds none, {@code dL/dx} into {@code ws.inputGradient()} (n x {@code inputShape().size()}).
     */
    void backward(Workspace ws);

    /**
     * Floats a workspace from {@link #workspace} holds per sample of its capacity (the output,
     * the cache and, when training, their gradients), so a caller can size batches to a memory
     * budget before allocating anything. By default what the plain {@link Workspace} holds: the
     * output a and, when training, dA.
     */
    default long floatsPerSample(boolean training) {
        return (training ? 2L : 1L) * outputShape().size();
    }

    /** Multiply-adds of one sample's forward pass (for FLOP counts in benchmarks); none by default. */
    default long multiplyAdds() {
        return 0;
    }

    /** The layer in the grammar of {@link Architecture}, e.g. {@code "conv32x3"} or {@code "dense128"}. */
    String spec();

    /**
     * A deep copy: training one does not change the other. A layer without parameters holds
     * nothing that changes, so it is its own copy (the default).
     */
    default Layer copy() {
        return this;
    }
}
