package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;

/**
 * Samples held as floats, already scaled, with int labels: for embedding a network in a program
 * and for small problems. The arrays are used as they are (not copied).
 */
public final class ArraySamples extends HeldSamples {

    private final float[] inputs;
    private final int[] labels;
    private final int inputWidth;

    /**
     * @param inputs     {@code labels.length * shape.size()} floats, sample after sample
     * @param labels     one label per sample, each in {@code [0, classes)}
     * @param shape      of one sample (its size is the floats per sample)
     * @param classes    number of classes, at least 1
     */
    public ArraySamples(float[] inputs, int[] labels, Shape shape, int classes) {
        super(inputs.length, labels.length, i -> labels[i], shape, classes, Integer.MAX_VALUE, "inputs");
        this.inputs = inputs;
        this.labels = labels;
        this.inputWidth = shape.size();
    }

    /** Samples of {@code inputWidth} values each, as a flat vector ({@code inputWidth x 1 x 1}). */
    public ArraySamples(float[] inputs, int[] labels, int inputWidth, int classes) {
        this(inputs, labels, Shape.flat(inputWidth), classes);
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public void copyInput(int index, float[] dst, int offset) {
        System.arraycopy(inputs, index * inputWidth, dst, offset, inputWidth);
    }

    /** The floats are already the network's inputs: a plain copy. */
    @Override
    void copyInput(int index, float[] dst, int offset, MatrixBackend backend) {
        copyInput(index, dst, offset);
    }
}
