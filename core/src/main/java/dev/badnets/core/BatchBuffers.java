package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import org.ejml.data.FMatrixRMaj;

/**
 * The per-batch values of one pass through a network, allocated once for the largest batch and
 * reshaped (never reallocated) for a smaller one: the input batch {@code x} (n x input width), its
 * labels, and one {@link Workspace} per layer (its output and, for training, the gradients).
 */
final class BatchBuffers {

    final int capacity;
    final FMatrixRMaj x;
    final int[] labels;
    final Workspace[] work;
    // what the batch being gathered is made of, for copyRows on any thread
    private Samples source;
    private int[] order;
    private int from;
    private MatrixBackend converter; // converts ByteSamples' pixels (vectorised on the SIMD backend), or null
    private final MatrixBackend.RangeTask copyRows = this::copyRows;
    private int sink; // keeps copyRows' touches from being optimised away; threads race on it, nobody reads it

    BatchBuffers(Network net, int capacity, boolean withGradients) {
        this.capacity = capacity;
        Workspace.checkFloats((long) capacity * net.inputWidth(), net.layer(0));
        x = new FMatrixRMaj(capacity, net.inputWidth());
        labels = new int[capacity];
        work = new Workspace[net.layerCount()];
        for (int l = 0; l < work.length; l++) {
            work[l] = net.layer(l).workspace(capacity, withGradients);
        }
    }

    /** The last layer's workspace: the network's output and, when training, the loss gradient. */
    Workspace last() {
        return work[work.length - 1];
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
        x.reshape(n, x.numCols);
        this.source = data;
        this.order = order;
        this.from = from;
        this.converter = data instanceof ByteSamples ? backend : null;
        boolean threadSafe = data instanceof ByteSamples || data instanceof ArraySamples;
        if (backend != null && threadSafe) {
            backend.forRanges(n, GATHER_GRAIN, copyRows);
        } else {
            copyRows(0, n);
        }
        this.source = null;
        this.converter = null;
    }

    /** Fewest rows worth handing to another thread: each is a few hundred bytes from anywhere in memory. */
    private static final int GATHER_GRAIN = 8;

    /** Rows {@code [first, last)} of the batch being gathered. */
    private void copyRows(int first, int last) {
        int width = x.numCols;
        if (converter != null) {
            // Shuffled rows lie anywhere in memory: touch every row first, so that their cache misses
            // overlap instead of each row's waiting for the one before it to be converted.
            int touched = 0;
            for (int i = first; i < last; i++) {
                touched += ((ByteSamples) source).touch(order == null ? from + i : order[from + i]);
            }
            sink += touched;
        }
        for (int i = first; i < last; i++) {
            int index = order == null ? from + i : order[from + i];
            if (converter != null) {
                ((ByteSamples) source).copyInput(index, x.data, i * width, converter);
            } else {
                source.copyInput(index, x.data, i * width);
            }
            labels[i] = source.label(index);
        }
    }
}
