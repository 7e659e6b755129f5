package dev.badnets.attack;

import dev.badnets.mnist.LabeledImages;

/**
 * A poisoned training set and what was done to it. The arrays are the caller's to read; do not
 * change them.
 *
 * @param images         the training set with the chosen images stamped and relabelled (new arrays)
 * @param indices        the poisoned samples, ascending
 * @param originalLabels the label each poisoned sample had before, in the order of {@code indices}
 * @param classes        number of classes K the relabelling used
 * @param plan           the plan that chose them
 * @param trigger        the trigger stamped on them
 */
public record PoisonedSet(LabeledImages images, int[] indices, int[] originalLabels, int classes,
                          PoisonPlan plan, Trigger trigger) {

    /** Number of poisoned samples. */
    public int poisonedCount() {
        return indices.length;
    }
}
