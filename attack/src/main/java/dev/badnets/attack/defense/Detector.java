package dev.badnets.attack.defense;

import dev.badnets.core.Evaluator;
import dev.badnets.core.Network;
import dev.badnets.core.Samples;
import org.ejml.data.FMatrixRMaj;

/**
 * Finds poisoned samples in a training set from a trained network's hidden representations,
 * without being told the trigger or the target class: every class is examined.
 */
public interface Detector {

    /** The method's name, as the command line spells it. */
    String name();

    /**
     * Scores and flags samples from their representations.
     *
     * @param representations one row per sample (for example a hidden layer's activations)
     * @param labels          the training label of each row, in {@code [0, classes)}
     * @param classes         number of classes
     * @param expectedRate    the share of the whole training set suspected to be poisoned, in
     *                        {@code (0, 0.5)}, without any safety margin (the methods add their
     *                        own): spectral signatures remove 1.5 x this share, SPECTRE looks for
     *                        poisoned populations of up to twice it in any one class, activation
     *                        clustering only checks it
     * @throws IllegalArgumentException for a rate outside {@code (0, 0.5)}, mismatched sizes, or a
     *                                  class with fewer samples than the method needs
     */
    Detection detect(FMatrixRMaj representations, int[] labels, int classes, double expectedRate);

    /**
     * Runs the detector on the penultimate layer of {@code net} (the last hidden layer) over
     * {@code data}, the training set the network was trained on.
     */
    default Detection detect(Network net, Samples data, double expectedRate) {
        ClassGroups.checkRate(expectedRate);
        net.checkInput(data.inputShape());
        if (net.classes() < data.classes()) {
            throw new IllegalArgumentException("the model has " + net.classes()
                    + " classes but the data has " + data.classes()
                    + "; use the model trained on this data");
        }
        if (net.layerCount() < 2) {
            throw new IllegalArgumentException("the model has no hidden layer; detectors read a"
                    + " hidden layer's activations, so give a network with at least one hidden layer");
        }
        FMatrixRMaj representations = Evaluator.representations(net, data, net.layerCount() - 2);
        int[] labels = new int[data.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.label(i);
        }
        return detect(representations, labels, data.classes(), expectedRate);
    }
}
