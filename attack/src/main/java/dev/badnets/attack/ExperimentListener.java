package dev.badnets.attack;

import dev.badnets.core.EpochReport;
import dev.badnets.core.Network;

/**
 * Observes a {@link BackdoorExperiment} while it runs, for progress bars and logs. Every method runs
 * on the thread that called {@link BackdoorExperiment#run}; all do nothing unless overridden.
 */
public interface ExperimentListener {

    /** A listener that ignores everything. */
    ExperimentListener NONE = new ExperimentListener() { };

    /** The steps of an experiment, in the order they run. */
    enum Phase {
        /** Building the network and stamping the trigger on part of the training set. */
        POISONING,
        /** Training the network on the poisoned set. */
        TRAINING,
        /** Clean accuracy and attack success rate on the test set; comes after each training. */
        MEASURING,
        /** With a defense only: finding the poisoned images and removing them, or examining (and repairing) the model. */
        DEFENDING,
        /** With a defense only: training a fresh network, same seed, on what is left (then MEASURING again). */
        RETRAINING
    }

    /** A phase begins. */
    default void onPhase(Phase phase) {
    }

    /**
     * The training set is poisoned and the network built, just before {@link Phase#TRAINING}: the
     * moment to describe the run.
     *
     * @param network the untrained network that is about to be trained
     */
    default void onPoisoned(PoisonedSet poisoned, Network network) {
    }

    /**
     * After each mini-batch of {@code phase} ({@link Phase#TRAINING} or {@link Phase#RETRAINING}).
     * Epochs and batches count from 1; {@code loss} is the batch's mean loss and
     * {@code runningAccuracy} the training accuracy of the epoch so far.
     */
    default void onBatch(Phase phase, int epoch, int batch, int batchesPerEpoch, double loss,
                         double runningAccuracy) {
    }

    /** After each epoch of {@code phase} ({@link Phase#TRAINING} or {@link Phase#RETRAINING}). */
    default void onEpoch(Phase phase, EpochReport report) {
    }
}
