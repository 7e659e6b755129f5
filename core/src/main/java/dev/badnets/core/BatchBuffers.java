package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import org.ejml.data.FMatrixRMaj;

/**
 * The per-batch matrices of one pass through a network, allocated once for the largest batch and
 * reshaped (never reallocated) for a smaller one: for each layer l, {@code z[l]} and {@code a[l]}
 * (n x out), and for training their gradients {@code dZ[l]} and {@code dA[l]}. The input batch
 * {@code x} (n x in) and the labels come first.
 */
final class BatchBuffers {

    final int capacity;
    final FMatrixRMaj x;
    final int[] labels;
    final FMatrixRMaj[] z, a, dZ, dA;
    // what the batch being gathered is made of, for copyRows on any thread
    private Samples source;
    private int[] order;
    private int from;
    private final MatrixBackend.RangeTask copyRows = this::copyRows;

    BatchBuffers(Network net, int capacity, boolean withGradients) {
        this.capacity = capacity;
        int layers = net.layerCount();
        x = new FMatrixRMaj(capacity, net.inputWidth());
        labels = new int[capacity];
        z = new FMatrixRMaj[layers];
        a = new FMatrixRMaj[layers];
        dZ = withGradients ? new FMatrixRMaj[layers] : null;
        dA = withGradients ? new FMatrixRMaj[layers] : null;
        for (int l = 0; l < layers; l++) {
            int out = net.layer(l).outputs();
            z[l] = new FMatrixRMaj(capacity, out);
            a[l] = new FMatrixRMaj(capacity, out);
            if (withGradients) {
                dZ[l] = new FMatrixRMaj(capacity, out);
                dA[l] = new FMatrixRMaj(capacity, out);
            }
        }
    }

    /** Sets the number of rows of every matrix to {@code n <= capacity}; keeps the arrays. */
    void rows(int n) {
        if (n == x.numRows) {
            return;
        }
        x.reshape(n, x.numCols);
        for (int l = 0; l < z.length; l++) {
            z[l].reshape(n, z[l].numCols);
            a[l].reshape(n, a[l].numCols);
            if (dZ != null) {
                dZ[l].reshape(n, dZ[l].numCols);
                dA[l].reshape(n, dA[l].numCols);
            }
        }
    }

    /** Copies samples {@code order[from .. from+n)} of {@code data} into x and labels. */
    void gather(Samples data, int[] order, int from, int n) {
        gather(data, order, from, n, null);
    }

    /**
     * {@link #gather}, split by rows across the threads of {@code backend} (null: the caller's
     * only) when {@code data} is one of core's own {@link Samples}, whose reads are thread-safe.
     */
    void gather(Samples data, int[] order, int from, int n, MatrixBackend backend) {
        rows(n);
        this.source = data;
        this.order = order;
        this.from = from;
        boolean threadSafe = data instanceof ByteSamples || data instanceof ArraySamples;
        if (backend != null && threadSafe) {
            backend.forRanges(n, GATHER_GRAIN, copyRows);
        } else {
            copyRows(0, n);
        }
        this.source = null;
    }

    /** Fewest rows worth handing to another thread: each is a few hundred bytes from anywhere in memory. */
    private static final int GATHER_GRAIN = 8;

    /** Rows {@code [first, last)} of the batch being gathered. */
    private void copyRows(int first, int last) {
        int width = x.numCols;
        for (int i = first; i < last; i++) {
            int index = order == null ? from + i : order[from + i];
            source.copyInput(index, x.data, i * width);
            labels[i] = source.label(index);
        }
    }

    /** The network's output for the current batch. */
    FMatrixRMaj output() {
        return a[a.length - 1];
    }
}
