package dev.badnets.attack;

import dev.badnets.core.Network;
import dev.badnets.core.TrainingResult;

/**
 * Every figure of one {@link BackdoorExperiment}.
 *
 * @param poisoned the poisoned training set: how many images and which ones, their original labels
 * @param network  the network trained on it, backdoor included
 * @param training how that training went: loss, accuracy and seconds of each epoch, total seconds,
 *                 images per second, backend and threads
 * @param backdoor the network on the test set: clean accuracy, attack success rate (on the images
 *                 not already of the target, and on all), per class, and the ASR's denominator
 * @param defense  what the defense found and how the retrained network does; null when no defense ran
 * @param seconds  wall-clock seconds of the whole experiment
 */
public record ExperimentResult(PoisonedSet poisoned, Network network, TrainingResult training,
                               BackdoorReport backdoor, DefenseOutcome defense, double seconds) {

    /** Number of poisoned training images. */
    public int poisonedCount() {
        return poisoned.poisonedCount();
    }

    /** Whether a defense ran, so that {@link #defense()} is not null. */
    public boolean defended() {
        return defense != null;
    }
}
