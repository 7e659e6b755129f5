package dev.badnets.core;

/**
 * How a network does on a labelled data set: accuracy in [0, 1], the confusion matrix
 * ({@code confusion[true][predicted]} counts samples) and the predicted class of every sample.
 */
public record Evaluation(double accuracy, int[][] confusion, int[] predictions) {
}
