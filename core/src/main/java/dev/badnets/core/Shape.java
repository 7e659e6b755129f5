package dev.badnets.core;

/**
 * The shape of one sample as a layer sees it: {@code channels x height x width}. A flat vector of
 * n features is {@code n x 1 x 1}.
 *
 * <p>Memory layout: a batch is a matrix with one row per sample, and each row holds the sample
 * channels-last (height, then width, then channel): element {@code (c, y, x)} of a sample is at
 * {@code (y * width + x) * channels + c} of its row. In that layout an image of C channels is a
 * stack of {@code height * width} pixel rows of C values, which is what lets a convolution be one
 * matrix product (see {@link Conv2D}), and flattening it costs nothing.
 */
public record Shape(int channels, int height, int width) {

    /** The largest number of floats a sample may have: its row must be a Java array. */
    public static final int MAX_SIZE = 1 << 28;

    public Shape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("a shape needs channels, height and width >= 1, got "
                    + channels + "x" + height + "x" + width);
        }
        if ((long) channels * height * width > MAX_SIZE) {
            throw new IllegalArgumentException("shape " + channels + "x" + height + "x" + width + " has more than "
                    + MAX_SIZE + " elements");
        }
    }

    /** A flat vector of {@code size} features: {@code size x 1 x 1}. */
    public static Shape flat(int size) {
        return new Shape(size, 1, 1);
    }

    /** An image of one channel (grey levels): {@code 1 x height x width}. */
    public static Shape image(int height, int width) {
        return new Shape(1, height, width);
    }

    /** Number of floats of one sample: {@code channels * height * width}. */
    public int size() {
        return channels * height * width;
    }

    /** Whether this is a flat vector ({@code height == width == 1}). */
    public boolean isFlat() {
        return height == 1 && width == 1;
    }

    /** What a layer taking this shape takes: {@code "784 inputs"}, or {@code "inputs of 1x28x28"}. */
    public String describe() {
        return isFlat() ? channels + " inputs" : "inputs of " + this;
    }

    /** {@code "32x14x14"}, or {@code "128"} for a flat vector. */
    @Override
    public String toString() {
        return isFlat() ? Integer.toString(channels) : channels + "x" + height + "x" + width;
    }
}
