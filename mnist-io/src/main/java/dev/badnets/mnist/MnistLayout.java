package dev.badnets.mnist;

import java.nio.file.Path;

/**
 * A data folder's four files and what their headers declare, known before any payload is read, so a
 * caller can refuse sizes it cannot afford.
 *
 * @param trainImages the training images file (raw or gzip)
 * @param trainLabels the training labels file
 * @param testImages  the test images file
 * @param testLabels  the test labels file
 * @param trainCount  training images (and labels), at least 1
 * @param testCount   test images (and labels), at least 1
 * @param rows        rows per image
 * @param cols        columns per image
 */
public record MnistLayout(Path trainImages, Path trainLabels, Path testImages, Path testLabels,
                          int trainCount, int testCount, int rows, int cols) {

    /** Bytes the loaded data will occupy: one per pixel and one per label, both sets. */
    public long payloadBytes() {
        return ((long) trainCount + testCount) * ((long) rows * cols + 1);
    }
}
