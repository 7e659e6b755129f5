package dev.badnets.mnist;

import java.util.Objects;

/**
 * A training and a test set of the same image size, and the number of classes (1 + the largest
 * training label). Every test label is below {@code classes}.
 */
public record MnistData(LabeledImages train, LabeledImages test, int classes) {

    public MnistData {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (classes < 1 || classes > 256) {
            throw new IllegalArgumentException("classes must be 1 to 256, got " + classes);
        }
    }
}
