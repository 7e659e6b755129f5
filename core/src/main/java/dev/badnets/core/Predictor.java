package dev.badnets.core;

import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ejml.data.FMatrixRMaj;

/**
 * Classifies one image at a time with a {@link Network}, reusing one backend and one set of
 * buffers from call to call: the fast path for one-image inference. Get one from
 * {@link Network#predictor()}:
 *
 * <pre>
 *   try (Predictor predictor = net.predictor()) {
 *       for (byte[] image : images) {
 *           int digit = predictor.predict(image);
 *       }
 *   }
 * </pre>
 *
 * <p>An image is the network's {@link Network#inputShape() input shape} laid out channels-last
 * (see {@link Shape}): for MNIST, 784 pixels row after row. Bytes are unsigned grey levels 0-255,
 * scaled to {@code [0, 1]} exactly as training scales them ({@link ByteSamples}); floats must
 * already be in {@code [0, 1]}.
 *
 * <p>Allocation: the constructor allocates the backend ({@code Backends.create("auto", 1)}) and
 * the buffers of a batch of one (the input row and every layer's output). After that,
 * {@link #predict(byte[])}, {@link #predict(float[])} and the {@code probabilities(..., float[] out)}
 * variants allocate nothing; {@code probabilities(pixels)} allocates only the array it returns.
 *
 * <p>Not thread-safe: the buffers hold the image being classified, so give each thread its own
 * predictor. A call made while another thread is inside one throws {@link IllegalStateException}
 * (one atomic flag per call detects it) instead of answering from mixed buffers. It reads the
 * network's parameters live, so it sees later training of the network.
 *
 * <p>Fails closed: an output that is NaN or infinite throws {@link NonFiniteOutputException}
 * instead of becoming class 0 or NaN probabilities.
 */
public final class Predictor implements AutoCloseable {

    private final Network net;
    private final MatrixBackend backend;
    private final BatchBuffers buf;
    private final int width;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean closed;

    /** A predictor of {@code net} on the single-threaded "auto" backend (SIMD where available, else EJML). */
    Predictor(Network net) {
        this.net = net;
        this.backend = Backends.create("auto", 1);
        this.buf = new BatchBuffers(net, backend, 1, false);
        this.width = net.inputWidth();
    }

    /** The class of one image of bytes 0-255: the index of the largest output (the first on ties). */
    public int predict(byte[] pixels) {
        enter();
        try {
            return argmax(forward(pixels));
        } finally {
            leave();
        }
    }

    /** The class of one image of floats in {@code [0, 1]}. */
    public int predict(float[] pixels01) {
        enter();
        try {
            return argmax(forward(pixels01));
        } finally {
            leave();
        }
    }

    /**
     * The class probabilities of one image of bytes 0-255, one per class (a new array): the softmax
     * of the outputs for a network trained with {@link Loss#SOFTMAX_CROSS_ENTROPY}, else the
     * outputs as they are (as {@link Evaluator#probabilities} gives them).
     */
    public float[] probabilities(byte[] pixels) {
        float[] out = new float[net.classes()];
        probabilities(pixels, out);
        return out;
    }

    /** As {@link #probabilities(byte[])}, for floats in {@code [0, 1]}. */
    public float[] probabilities(float[] pixels01) {
        float[] out = new float[net.classes()];
        probabilities(pixels01, out);
        return out;
    }

    /** As {@link #probabilities(byte[])}, into {@code out} (length {@link Network#classes()}); allocates nothing. */
    public void probabilities(byte[] pixels, float[] out) {
        checkOut(out);
        enter();
        try {
            toProbabilities(forward(pixels), out);
        } finally {
            leave();
        }
    }

    /** As {@link #probabilities(float[])}, into {@code out} (length {@link Network#classes()}); allocates nothing. */
    public void probabilities(float[] pixels01, float[] out) {
        checkOut(out);
        enter();
        try {
            toProbabilities(forward(pixels01), out);
        } finally {
            leave();
        }
    }

    /**
     * Claims the buffers for one call, or throws when another thread is in a call: two threads
     * sharing the buffers would overwrite each other's image and give wrong classes (or index
     * errors), so the misuse is refused rather than computed. One atomic step per call.
     */
    private void enter() {
        if (!busy.compareAndSet(false, true)) {
            throw new IllegalStateException("this Predictor is in use by another thread: a Predictor is not"
                    + " thread-safe, so give each thread its own (Network.predictor())");
        }
    }

    private void leave() {
        busy.set(false);
    }

    /** Ends this predictor: later calls throw {@link IllegalStateException}. Holds no threads or files. */
    @Override
    public void close() {
        closed = true;
    }

    /** The output row of {@code pixels}, scaled as {@link ByteSamples} scales training images. */
    private float[] forward(byte[] pixels) {
        checkLength(Objects.requireNonNull(pixels, "pixels").length);
        ByteSamples.scale(pixels, 0, buf.x.data, 0, width);
        return finite(net.forward(buf));
    }

    private float[] forward(float[] pixels01) {
        checkLength(Objects.requireNonNull(pixels01, "pixels01").length);
        for (int i = 0; i < width; i++) {
            float v = pixels01[i];
            if (!(v >= 0f && v <= 1f)) { // NaN fails both comparisons
                throw new IllegalArgumentException("pixel " + i + " is " + v + ": expected values in [0, 1] "
                        + "(grey levels 0-255 divided by 255; predict(byte[]) takes the raw bytes)");
            }
        }
        System.arraycopy(pixels01, 0, buf.x.data, 0, width);
        return finite(net.forward(buf));
    }

    /** The output row, refused when a value is NaN or infinite: a class or probability from it would be made up. */
    private float[] finite(FMatrixRMaj output) {
        Evaluator.requireFinite(output, 0, 1, net.layerCount() - 1, net.layerCount());
        return output.data;
    }

    private void checkLength(int length) {
        if (closed) {
            throw new IllegalStateException("this Predictor is closed");
        }
        if (length != width) {
            throw new IllegalArgumentException("expected one image of " + width + " values (" + net.inputShape()
                    + ", channels-last), got " + length);
        }
    }

    private void checkOut(float[] out) {
        if (Objects.requireNonNull(out, "out").length != net.classes()) {
            throw new IllegalArgumentException("expected an output array of " + net.classes()
                    + " floats (one per class), got " + out.length);
        }
    }

    private int argmax(float[] outputs) {
        return Evaluator.argmax(outputs, 0, net.classes());
    }

    private void toProbabilities(float[] outputs, float[] out) {
        if (net.loss() == Loss.SOFTMAX_CROSS_ENTROPY) {
            Loss.softmax(outputs, out, 0, out.length);
        } else {
            System.arraycopy(outputs, 0, out, 0, out.length);
        }
    }
}
