package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;

/**
 * Samples whose inputs are unsigned bytes (pixels 0-255), scaled to {@code [0, 1]} only when a
 * batch copies them. Holding MNIST's 60,000 training images this way costs 47 MB instead of the
 * 188 MB of one float per pixel.
 */
public final class ByteSamples extends HeldSamples {

    private static final float SCALE = 1f / 255f;

    private final byte[] inputs;
    private final byte[] labels;
    private final int inputWidth;

    /**
     * @param inputs     {@code labels.length * shape.size()} unsigned bytes, sample after sample
     * @param labels     one unsigned byte per sample, each below {@code classes}
     * @param shape      of one sample (its size is the bytes per sample)
     * @param classes    number of classes, 1 to 256
     */
    public ByteSamples(byte[] inputs, byte[] labels, Shape shape, int classes) {
        super(inputs.length, labels.length, i -> labels[i] & 0xFF, shape, classes, 256, "input bytes");
        this.inputs = inputs;
        this.labels = labels;
        this.inputWidth = shape.size();
    }

    /** Samples of {@code inputWidth} values each, as a flat vector ({@code inputWidth x 1 x 1}). */
    public ByteSamples(byte[] inputs, byte[] labels, int inputWidth, int classes) {
        this(inputs, labels, Shape.flat(inputWidth), classes);
    }

    @Override
    public int label(int index) {
        return labels[index] & 0xFF;
    }

    @Override
    public void copyInput(int index, float[] dst, int offset) {
        scale(inputs, index * inputWidth, dst, offset, inputWidth);
    }

    /** Reads one byte in every 64 of sample {@code index}'s pixels (one per cache line) and returns their sum. */
    @Override
    int touch(int index) {
        int start = index * inputWidth;
        int end = start + inputWidth;
        int sum = inputs[end - 1];
        for (int j = start; j < end; j += 64) {
            sum += inputs[j];
        }
        return sum;
    }

    /** {@link #copyInput} through {@code backend}'s conversion (vectorised on the SIMD backend): the same floats. */
    @Override
    void copyInput(int index, float[] dst, int offset, MatrixBackend backend) {
        backend.unsignedBytesToFloats(inputs, index * inputWidth, dst, offset, inputWidth, SCALE);
    }

    /**
     * The one scaling of pixels to floats, for training and for {@link Predictor} alike: byte
     * {@code b} (unsigned) becomes {@code b * (1f / 255f)}, so 0 gives 0 and 255 gives 1.
     */
    static void scale(byte[] src, int from, float[] dst, int offset, int n) {
        for (int j = 0; j < n; j++) {
            dst[offset + j] = (src[from + j] & 0xFF) * SCALE;
        }
    }
}
