package dev.badnets.cli;

import dev.badnets.mnist.LabeledImages;
import java.util.SplittableRandom;

/** Labelled images of random pixels, for the data folders of tests that need no real digits. */
public final class RandomImages {

    private RandomImages() {
    }

    /**
     * {@code count} images of {@code side} x {@code side} random grey levels drawn from {@code seed};
     * image i has the label i mod {@code classes}.
     */
    public static LabeledImages of(int count, int side, int classes, long seed) {
        byte[] pixels = new byte[count * side * side];
        new SplittableRandom(seed).nextBytes(pixels);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % classes);
        }
        return new LabeledImages(count, side, side, pixels, labels);
    }

    /** {@link #of} for MNIST's shape: 28 x 28 images of 10 classes. */
    public static LabeledImages mnistShaped(int count, long seed) {
        return of(count, 28, 10, seed);
    }
}
