package dev.badnets.core;

/**
 * Samples held as floats, already scaled, with int labels: for embedding a network in a program
 * and for small problems. The arrays are used as they are (not copied).
 */
public final class ArraySamples implements Samples {

    private final float[] inputs;
    private final int[] labels;
    private final Shape shape;
    private final int inputWidth;
    private final int classes;

    /**
     * @param inputs     {@code labels.length * shape.size()} floats, sample after sample
     * @param labels     one label per sample, each in {@code [0, classes)}
     * @param shape      of one sample (its size is the floats per sample)
     * @param classes    number of classes
     */
    public ArraySamples(float[] inputs, int[] labels, Shape shape, int classes) {
        int inputWidth = shape.size();
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        if ((long) labels.length * inputWidth != inputs.length) {
            throw new IllegalArgumentException("expected " + ((long) labels.length * inputWidth) + " inputs for "
                    + labels.length + " labels of width " + inputWidth + ", got " + inputs.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " of sample " + i
                        + " is out of range: expected 0 to " + (classes - 1));
            }
        }
        this.inputs = inputs;
        this.labels = labels;
        this.shape = shape;
        this.inputWidth = inputWidth;
        this.classes = classes;
    }

    /** Samples of {@code inputWidth} values each, as a flat vector ({@code inputWidth x 1 x 1}). */
    public ArraySamples(float[] inputs, int[] labels, int inputWidth, int classes) {
        this(inputs, labels, Shape.flat(inputWidth), classes);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int inputWidth() {
        return inputWidth;
    }

    @Override
    public Shape inputShape() {
        return shape;
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public void copyInput(int index, float[] dst, int offset) {
        System.arraycopy(inputs, index * inputWidth, dst, offset, inputWidth);
    }
}
