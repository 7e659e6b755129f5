package dev.badnets.attack;

import dev.badnets.mnist.LabeledImages;
import java.util.Map;

/**
 * A poisoned training set and what was done to it. The arrays are the caller's to read; do not
 * change them.
 *
 * @param images         the training set with the chosen images changed and, unless the attack is
 *                       clean-label, relabelled (new arrays)
 * @param indices        the poisoned samples (those carrying the backdoor's signal), ascending
 * @param originalLabels the label each poisoned sample had before, in the order of {@code indices}
 * @param classes        number of classes K the relabelling used
 * @param plan           the plan that chose them
 * @param trigger        the test-time trigger: what sets the backdoor off (for a BadNets attack, the
 *                       trigger stamped on the poisoned images too)
 * @param attack         the {@link Attack#name()}, or null for the plain trigger poisoning of
 *                       {@link Poisoning#apply} (which records the trigger alone)
 * @param attackParameters the attack's {@link Attack#parameters()} (empty when {@code attack} is null)
 * @param coverIndices   samples changed but keeping their true label (WaNet's noise samples, the adaptive
 *                       attacks' cover samples), ascending, disjoint from {@code indices}; empty for most
 */
public record PoisonedSet(LabeledImages images, int[] indices, int[] originalLabels, int classes,
                          PoisonPlan plan, Trigger trigger, String attack, Map<String, Object> attackParameters,
                          int[] coverIndices) {

    /** A set poisoned by stamping a trigger and relabelling ({@link Poisoning#apply}), no attack name, no covers. */
    public PoisonedSet(LabeledImages images, int[] indices, int[] originalLabels, int classes, PoisonPlan plan,
                       Trigger trigger) {
        this(images, indices, originalLabels, classes, plan, trigger, null, Map.of(), new int[0]);
    }

    /** Number of poisoned samples. */
    public int poisonedCount() {
        return indices.length;
    }
}
