package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import java.util.Objects;
import org.ejml.data.FMatrixRMaj;

/**
 * The gradient of a network's loss with respect to its inputs, the weights held fixed: what
 * optimising an input needs (a trigger reverse-engineered by Neural Cleanse, an adversarial
 * example), where training needs the gradient with respect to the weights. Get one from
 * {@link Network#inputGradient}.
 *
 * <pre>
 *   L     = (1/n) Σ_i loss(f(x_i), y_i)          (the network's {@link Loss}, mean over the batch)
 *   dL/dx = the backward pass carried one layer further than training carries it: the first
 *           layer's input gradient, which {@link Trainer} skips
 * </pre>
 *
 * <p>Allocation: the constructor allocates a training-sized workspace per layer, without the weight
 * gradients (the backward pass skips them: the weights are held fixed); a call allocates nothing.
 * Not thread-safe (the buffers hold the batch); the backend may split each batch across threads.
 * It reads the network's parameters live.
 */
public final class InputGradient {

    private final Network net;
    private final BatchBuffers buf;

    InputGradient(Network net, int capacity, MatrixBackend backend) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1 input, got " + capacity);
        }
        this.net = net;
        this.buf = new BatchBuffers(net, Objects.requireNonNull(backend, "backend"), capacity, true, true, false);
    }

    /**
     * Forward and backward pass of the batch {@code x}: returns the mean loss against
     * {@code labels} and writes {@code dL/dx} into {@code dX}.
     *
     * @param x      n x {@link Network#inputWidth()} inputs, one per row, n from 1 to {@link #capacity()}
     *               (read, not changed)
     * @param labels the class each row is scored against; the first n entries are read
     * @param dX     output, n x {@link Network#inputWidth()}
     * @return the batch's mean loss
     * @throws IllegalArgumentException for shapes that do not match or a label outside the classes
     */
    public double lossAndGradient(FMatrixRMaj x, int[] labels, FMatrixRMaj dX) {
        int n = checkShapes(x, dX), width = net.inputWidth();
        int classes = net.classes();
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " of row " + i
                        + " is out of range: expected 0 to " + (classes - 1));
            }
        }
        buf.rows(n);
        System.arraycopy(x.data, 0, buf.x.data, 0, n * width);
        System.arraycopy(labels, 0, buf.labels, 0, n);
        FMatrixRMaj output = net.forward(buf);
        double loss = net.loss().lossAndGradient(output, buf.labels, buf.last().outputGradient());
        backward(dX);
        return loss;
    }

    /**
     * The same as {@link #lossAndGradient} for an objective of the caller's own over the outputs
     * (for example a margin between two logits instead of the cross-entropy): forward pass of
     * {@code x}, then {@code outputGradient} fills {@code dL/d(outputs)} from the outputs, then the
     * backward pass writes {@code dL/dx} into {@code dX}.
     *
     * @param x              n x {@link Network#inputWidth()} inputs, one per row (read, not changed)
     * @param outputGradient given the outputs (n x {@link Network#classes()}, read only), writes
     *                       {@code dL/d(outputs)} (n x classes, zeroed before the call)
     * @param dX             output, n x {@link Network#inputWidth()}
     */
    public void gradient(FMatrixRMaj x, OutputGradient outputGradient, FMatrixRMaj dX) {
        int n = checkShapes(x, dX), width = net.inputWidth();
        buf.rows(n);
        System.arraycopy(x.data, 0, buf.x.data, 0, n * width);
        FMatrixRMaj output = net.forward(buf);
        FMatrixRMaj dOutput = buf.last().outputGradient();
        dOutput.reshape(output.numRows, output.numCols);
        java.util.Arrays.fill(dOutput.data, 0, output.numRows * output.numCols, 0f);
        outputGradient.write(output, dOutput);
        backward(dX);
    }

    /** Refuses a batch {@code x} that does not fit the buffers or a {@code dX} not shaped as x; returns its rows. */
    private int checkShapes(FMatrixRMaj x, FMatrixRMaj dX) {
        int n = x.numRows, width = net.inputWidth();
        if (n < 1 || n > buf.capacity || x.numCols != width) {
            throw new IllegalArgumentException("expected a batch of 1 to " + buf.capacity + " rows of " + width
                    + " inputs, got " + n + " x " + x.numCols);
        }
        if (dX.numRows != n || dX.numCols != width) {
            throw new IllegalArgumentException("dX must be " + n + " x " + width + " (the shape of x), got "
                    + dX.numRows + " x " + dX.numCols);
        }
        return n;
    }

    /** The backward pass into the buffers' input gradient, then copied into the caller's {@code dX}. */
    private void backward(FMatrixRMaj dX) {
        net.backward(buf);
        System.arraycopy(buf.dX.data, 0, dX.data, 0, buf.dX.getNumElements());
    }

    /** Writes the gradient of an objective with respect to a batch's outputs. */
    @FunctionalInterface
    public interface OutputGradient {
        /**
         * @param outputs the network's outputs, n x classes (read only)
         * @param dOutputs where {@code dL/d(outputs)} goes, n x classes, all zero on entry
         */
        void write(FMatrixRMaj outputs, FMatrixRMaj dOutputs);
    }

    /** The network's outputs of the last call (logits for a classifier), n x {@link Network#classes()} (live). */
    public FMatrixRMaj outputs() {
        return buf.last().output();
    }

    /** The most inputs a batch may have. */
    public int capacity() {
        return buf.capacity;
    }
}
