package dev.badnets.core;

/**
 * A labelled data set, read one sample at a time so that a trainer can gather a mini-batch into a
 * matrix it owns. Implementations keep their data as compactly as they like (bytes, say) and
 * convert only the samples a batch needs.
 */
public interface Samples {

    /** Number of samples. */
    int size();

    /** Number of input features of one sample (784 for MNIST). */
    int inputWidth();

    /**
     * The shape of one sample, {@code channels x height x width} (see {@link Shape} for the
     * layout); by default a flat vector of {@link #inputWidth()} values.
     */
    default Shape inputShape() {
        return Shape.flat(inputWidth());
    }

    /** Number of classes; every label is in {@code [0, classes())}. */
    int classes();

    /** The class label of sample {@code index}. */
    int label(int index);

    /**
     * Writes the inputs of sample {@code index}, already scaled for the network, into
     * {@code dst[offset .. offset + inputWidth())}.
     */
    void copyInput(int index, float[] dst, int offset);
}
