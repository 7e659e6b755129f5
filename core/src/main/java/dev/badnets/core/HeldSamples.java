package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import java.util.function.IntUnaryOperator;

/**
 * What core's own samples share: the arrays are held in memory, read as they are (not copied), by
 * any number of threads at once, so a batch can be gathered split across a backend's threads
 * ({@link BatchBuffers}). {@link ArraySamples} holds floats, {@link ByteSamples} pixels as bytes;
 * this class holds the shape and the class count and checks the labels, once, for both.
 */
abstract sealed class HeldSamples implements Samples permits ArraySamples, ByteSamples {

    private final int size;
    private final Shape shape;
    private final int inputWidth;
    private final int classes;

    /**
     * @param inputs  how many input values the caller holds, {@code size * shape.size()}
     * @param size    number of samples
     * @param label   the label of sample i, each checked to be in {@code [0, classes)}
     * @param what    the name of one input value in messages ("inputs", "input bytes")
     */
    HeldSamples(long inputs, int size, IntUnaryOperator label, Shape shape, int classes, int maxClasses,
                String what) {
        int inputWidth = shape.size();
        if (classes < 1 || classes > maxClasses) {
            throw new IllegalArgumentException("classes must be from 1 to " + maxClasses + ", got " + classes);
        }
        if ((long) size * inputWidth != inputs) {
            throw new IllegalArgumentException("expected " + ((long) size * inputWidth) + " " + what + " for "
                    + size + " labels of width " + inputWidth + ", got " + inputs);
        }
        for (int i = 0; i < size; i++) {
            int l = label.applyAsInt(i);
            if (l < 0 || l >= classes) {
                throw new IllegalArgumentException("label " + l + " of sample " + i
                        + " is out of range: expected 0 to " + (classes - 1));
            }
        }
        this.size = size;
        this.shape = shape;
        this.inputWidth = inputWidth;
        this.classes = classes;
    }

    @Override
    public final int size() {
        return size;
    }

    @Override
    public final int inputWidth() {
        return inputWidth;
    }

    @Override
    public final Shape inputShape() {
        return shape;
    }

    @Override
    public final int classes() {
        return classes;
    }

    /**
     * {@link #copyInput}, with whatever conversion it needs done by {@code backend} (vectorised on
     * the SIMD backend): the same floats.
     */
    abstract void copyInput(int index, float[] dst, int offset, MatrixBackend backend);

    /**
     * Reads sample {@code index} ahead of copying it, so that the cache misses of a batch's rows
     * overlap; returns something computed from what it read, for the caller to keep. Nothing by
     * default.
     */
    int touch(int index) {
        return 0;
    }
}
