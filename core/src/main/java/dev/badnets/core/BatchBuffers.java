package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import org.ejml.data.FMatrixRMaj;

/**
 * The per-batch values of one pass through a network on one backend, allocated once for the
 * largest batch and reshaped (never reallocated) for a smaller one: the input batch {@code x}
 * (n x input width), its labels, one {@link Workspace} per layer (its output and, for training,
 * the gradients) and, when asked for, the input gradient {@code dX = dL/dx} (n x input width).
 * Layer l's workspace writes its input gradient into layer l-1's output gradient.
 */
final class BatchBuffers {

    final int capacity;
    final MatrixBackend backend;
    final FMatrixRMaj x;
    final int[] labels;
    final Workspace[] work;
    /** {@code dL/dx} of the batch, or null: the first layer's input gradient. */
    final FMatrixRMaj dX;
    /** The samples each row of the batch being gathered comes from. */
    private final int[] indices;
    /** The data of the batch being gathered, for {@link #copyRows} on the backend's threads; null between batches. */
    private HeldSamples source;
    private final MatrixBackend.RangeTask copyRows = this::copyRows;
    private int sink; // keeps copyRows' touches from being optimised away; threads race on it, nobody reads it

    /** Buffers without the input gradient: for inference, or for training the weights. */
    BatchBuffers(Network net, MatrixBackend backend, int capacity, boolean withGradients) {
        this(net, backend, capacity, withGradients, false);
    }

    /**
     * @param withGradients     whether the workspaces hold gradients (training)
     * @param withInputGradient whether backward also computes {@code dX} (only with gradients)
     */
    BatchBuffers(Network net, MatrixBackend backend, int capacity, boolean withGradients, boolean withInputGradient) {
        this(net, backend, capacity, withGradients, withInputGradient, withGradients);
    }

    /**
     * @param withParameterGradients whether backward also computes the parameters' gradients (only with
     *                               gradients): not for an input gradient alone, the weights held fixed
     */
    BatchBuffers(Network net, MatrixBackend backend, int capacity, boolean withGradients, boolean withInputGradient,
                 boolean withParameterGradients) {
        this.capacity = capacity;
        this.backend = backend;
        Workspace.checkFloats((long) capacity * net.inputWidth(), net.layer(0));
        x = new FMatrixRMaj(capacity, net.inputWidth());
        labels = new int[capacity];
        indices = new int[capacity];
        dX = withInputGradient ? new FMatrixRMaj(capacity, net.inputWidth()) : null;
        work = new Workspace[net.layerCount()];
        for (int l = 0; l < work.length; l++) {
            FMatrixRMaj dInput = l == 0 ? dX : withGradients ? work[l - 1].outputGradient() : null;
            work[l] = net.layer(l).workspace(backend, capacity, withGradients, dInput);
            if (withGradients && !withParameterGradients) {
                work[l].dropParameterGradients();
            }
        }
    }

    /** The last layer's workspace: the network's output and, when training, the loss gradient. */
    Workspace last() {
        return work[work.length - 1];
    }

    /** Sets the batch to {@code n <= capacity} rows: x, and dX when there is one. */
    void rows(int n) {
        x.reshape(n, x.numCols);
        if (dX != null) {
            dX.reshape(n, dX.numCols);
        }
    }

    /**
     * Copies samples {@code order[from .. from+n)} of {@code data} (samples {@code from .. from+n)}
     * when order is null) into x and labels, on the caller's thread.
     */
    void gather(Samples data, int[] order, int from, int n) {
        gather(data, order, from, n, false);
    }

    /**
     * {@link #gather}, split by rows across the backend's threads when {@code split} and
     * {@code data} is one of core's own {@link Samples}, whose reads are thread-safe.
     */
    void gather(Samples data, int[] order, int from, int n, boolean split) {
        rows(n);
        for (int i = 0; i < n; i++) {
            indices[i] = order == null ? from + i : order[from + i];
        }
        if (split && data instanceof HeldSamples held) {
            source = held;
            backend.forRanges(n, GATHER_GRAIN, copyRows);
            source = null;
        } else {
            for (int i = 0; i < n; i++) {
                data.copyInput(indices[i], x.data, i * x.numCols);
                labels[i] = data.label(indices[i]);
            }
        }
    }

    /** Fewest rows worth handing to another thread: each is a few hundred bytes from anywhere in memory. */
    private static final int GATHER_GRAIN = 8;

    /** Rows {@code [first, last)} of the batch being gathered from {@link #source}. */
    private void copyRows(int first, int last) {
        HeldSamples data = source;
        int width = x.numCols;
        // Shuffled rows lie anywhere in memory: touch every row first, so that their cache misses
        // overlap instead of each row's waiting for the one before it to be converted.
        int touched = 0;
        for (int i = first; i < last; i++) {
            touched += data.touch(indices[i]);
        }
        sink += touched;
        for (int i = first; i < last; i++) {
            data.copyInput(indices[i], x.data, i * width, backend);
            labels[i] = data.label(indices[i]);
        }
    }
}
