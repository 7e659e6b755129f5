package dev.badnets.cli;

import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.Mnist;
import java.io.IOException;
import java.nio.file.Path;
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

    /**
     * Writes the data folder {@code folder} of {@code train} training and {@code test} test images
     * ({@link #of}), the training images drawn from {@code seed}, the test images from {@code seed + 1};
     * returns {@code folder}.
     */
    public static Path folder(Path folder, int train, int test, int side, int classes, long seed) throws IOException {
        Mnist.write(folder, of(train, side, classes, seed), of(test, side, classes, seed + 1));
        return folder;
    }

    /** {@link #folder(Path, int, int, int, int, long)} in MNIST's shape: 28 x 28 images of 10 classes, seed 1. */
    public static Path folder(Path folder, int train, int test) throws IOException {
        return folder(folder, train, test, 28, 10, 1);
    }
}
