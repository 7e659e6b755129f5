package dev.badnets.core;

import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import org.ejml.data.FMatrixRMaj;

/**
 * Runs a network forward over a whole data set, up to {@value #BATCH} samples at a time (fewer where
 * a batch's buffers would pass 20 MB) through buffers allocated once per call. Each method has a variant taking the backend; the others use
 * {@code Backends.create("auto", 1)}. Every method fails closed: an output that is NaN or infinite
 * (a model whose arithmetic overflows) throws {@link NonFiniteOutputException} rather than become a
 * prediction, a probability or an accuracy.
 */
public final class Evaluator {

    /** Most rows per forward pass: large enough for fast products. */
    static final int BATCH = 1000;
    /**
     * Most floats the buffers of one pass may hold (20 MB), so they stay in a large last-level cache
     * from layer to layer, where a pass runs faster than from memory: a convolutional network takes
     * fewer rows.
     */
    static final long BUFFER_FLOATS = 5L << 20;

    private Evaluator() {
    }

    /** Accuracy, confusion matrix and predictions of {@code net} on {@code data}. */
    public static Evaluation evaluate(Network net, Samples data) {
        return evaluate(net, data, defaultBackend());
    }

    /** As {@link #evaluate(Network, Samples)}, on the given backend. */
    public static Evaluation evaluate(Network net, Samples data, MatrixBackend backend) {
        Trainer.checkData(net, data);
        int[] predictions = predict(net, data, backend);
        int[][] confusion = new int[net.classes()][net.classes()];
        int correct = 0;
        for (int i = 0; i < predictions.length; i++) {
            int label = data.label(i);
            confusion[label][predictions[i]]++;
            if (label == predictions[i]) {
                correct++;
            }
        }
        return new Evaluation((double) correct / predictions.length, confusion, predictions);
    }

    /** The predicted class (the index of the largest output) of every sample. */
    public static int[] predict(Network net, Samples data) {
        return predict(net, data, defaultBackend());
    }

    /** As {@link #predict(Network, Samples)}, on the given backend. */
    public static int[] predict(Network net, Samples data, MatrixBackend backend) {
        int[] predictions = new int[data.size()];
        forEachBatch(net, data, backend, net.layerCount() - 1, (from, out) -> {
            for (int row = 0; row < out.numRows; row++) {
                predictions[from + row] = argmax(out.data, row * out.numCols, out.numCols);
            }
        });
        return predictions;
    }

    /**
     * Class probabilities, n x classes row-major: the softmax of the logits for a network trained
     * with {@link Loss#SOFTMAX_CROSS_ENTROPY}, else the output layer's activations as they are.
     */
    public static float[] probabilities(Network net, Samples data) {
        return probabilities(net, data, defaultBackend());
    }

    /** As {@link #probabilities(Network, Samples)}, on the given backend. */
    public static float[] probabilities(Network net, Samples data, MatrixBackend backend) {
        int k = net.classes();
        float[] probabilities = new float[data.size() * k];
        boolean softmax = net.loss() == Loss.SOFTMAX_CROSS_ENTROPY;
        forEachBatch(net, data, backend, net.layerCount() - 1, (from, out) -> {
            System.arraycopy(out.data, 0, probabilities, from * k, out.numRows * k);
            if (softmax) {
                for (int row = 0; row < out.numRows; row++) {
                    Loss.softmax(probabilities, probabilities, (from + row) * k, k);
                }
            }
        });
        return probabilities;
    }

    /**
     * Output (after activation) of layer {@code layer} (0-based), one row per sample:
     * n x {@code layer(layer).outputShape().size()}. The penultimate representation of a
     * 784-128-10 network is layer 0; of any classifier, layer {@code layerCount() - 2}.
     */
    public static FMatrixRMaj representations(Network net, Samples data, int layer) {
        return representations(net, data, layer, defaultBackend());
    }

    /** As {@link #representations(Network, Samples, int)}, on the given backend. */
    public static FMatrixRMaj representations(Network net, Samples data, int layer, MatrixBackend backend) {
        if (layer < 0 || layer >= net.layerCount()) {
            throw new IllegalArgumentException("layer must be in [0, " + (net.layerCount() - 1) + "], got " + layer);
        }
        int width = net.layer(layer).outputShape().size();
        FMatrixRMaj result = new FMatrixRMaj(data.size(), width);
        forEachBatch(net, data, backend, layer, (from, out) ->
                System.arraycopy(out.data, 0, result.data, from * width, out.numRows * width));
        return result;
    }

    /** Index of the largest of {@code data[base .. base+k)} (a row of outputs: the predicted class); the first one on ties. */
    public static int argmax(float[] data, int base, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (data[base + j] > data[base + best]) {
                best = j;
            }
        }
        return best;
    }

    private interface BatchConsumer {
        void accept(int from, FMatrixRMaj out);
    }

    /**
     * Runs {@code net} over {@code data} and refuses it if any output (or any value of the layers
     * read) is NaN or infinite: the check every method here makes as it goes, for callers that read
     * the network by other means (a defense's own passes) and must not compute a verdict from
     * overflowing arithmetic.
     *
     * @throws NonFiniteOutputException naming the first sample whose output is not finite
     */
    public static void requireFiniteOutputs(Network net, Samples data, MatrixBackend backend) {
        forEachBatch(net, data, backend, net.layerCount() - 1, (from, out) -> { });
    }

    /**
     * Feeds the data forward in batches, handing the output of layer {@code layer} to {@code consumer}.
     * Fails closed: a NaN or infinite value in that output or in the network's last one (both computed
     * anyway) throws {@link NonFiniteOutputException} before the consumer sees the batch.
     */
    private static void forEachBatch(Network net, Samples data, MatrixBackend backend, int layer,
                                     BatchConsumer consumer) {
        net.checkInput(data.inputShape());
        int n = data.size();
        int last = net.layerCount() - 1;
        long fit = Math.max(1, BUFFER_FLOATS / net.floatsPerSample(false));
        BatchBuffers buf = new BatchBuffers(net, backend, (int) Math.max(1, Math.min(Math.min(BATCH, fit), n)), false);
        for (int from = 0; from < n; from += buf.capacity) {
            int count = Math.min(buf.capacity, n - from);
            buf.gather(data, null, from, count);
            net.forward(buf);
            requireFinite(buf.work[layer].output(), from, n, layer, net.layerCount());
            if (layer != last) {
                requireFinite(buf.work[last].output(), from, n, last, net.layerCount());
            }
            consumer.accept(from, buf.work[layer].output());
        }
    }

    /** Throws for the first NaN or infinite value of {@code out}, whose row 0 is sample {@code from}. */
    static void requireFinite(FMatrixRMaj out, int from, int count, int layer, int layers) {
        float[] d = out.data;
        int size = out.numRows * out.numCols;
        for (int i = 0; i < size; i++) {
            if (!Float.isFinite(d[i])) {
                throw new NonFiniteOutputException(from + i / out.numCols, count, layer, layers, d[i]);
            }
        }
    }

    private static MatrixBackend defaultBackend() {
        return Backends.create("auto", 1);
    }
}
