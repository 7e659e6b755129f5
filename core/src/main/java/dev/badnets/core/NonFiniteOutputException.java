package dev.badnets.core;

/**
 * A network computed a NaN or infinite value where a figure, a prediction or a verdict needs a
 * number. Its parameters may all be finite (a model file refuses NaN and infinite ones) and still
 * overflow float arithmetic: weights near 3e38 make every product infinite and the next sum NaN.
 * Whatever follows from such values (an accuracy, a class, an entropy, a clean verdict) would be
 * made up, so the computation stops instead: the model, not the caller's code, is at fault.
 */
public final class NonFiniteOutputException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int sample;

    /**
     * @param sample the index of the first sample whose values are not finite, in the data evaluated
     * @param count  how many samples were evaluated
     * @param layer  the layer whose output is not finite (0-based), and the network's layer count
     * @param value  the offending value
     */
    NonFiniteOutputException(int sample, int count, int layer, int layers, float value) {
        super("the model computes " + (Float.isNaN(value) ? "NaN" : "infinite") + " values"
                + (layer == layers - 1 ? " as its output" : " in layer " + layer + " of " + layers)
                + " for sample " + sample + " of " + count + " (its arithmetic overflows), so no figure or verdict"
                + " can be computed from it; pass a model that computes finite outputs, e.g. one retrained with a"
                + " smaller learning rate");
        this.sample = sample;
    }

    /** The index of the first sample whose values are not finite. */
    public int sample() {
        return sample;
    }
}
