package dev.badnets.attack;

import dev.badnets.attack.defense.Defense;
import dev.badnets.mnist.LabeledImages;
import java.util.stream.IntStream;

/** Stamps triggers on images and relabels the samples a {@link PoisonPlan} chooses. */
public final class Poisoning {

    private Poisoning() {
    }

    /**
     * Poisons a training set with K = 1 + its largest label classes (as {@code Mnist.load} counts them).
     *
     * @see #apply(LabeledImages, int, PoisonPlan, Trigger)
     */
    public static PoisonedSet apply(LabeledImages train, PoisonPlan plan, Trigger trigger) {
        int classes = 0;
        for (byte label : train.labels()) {
            classes = Math.max(classes, (label & 0xFF) + 1);
        }
        return apply(train, classes, plan, trigger);
    }

    /**
     * Returns a copy of {@code train} in which the samples {@code plan} selects carry the trigger
     * and their poisoned label. {@code train} itself is never changed.
     *
     * @throws IllegalArgumentException if the trigger does not fit the images or the plan cannot be met
     */
    public static PoisonedSet apply(LabeledImages train, int classes, PoisonPlan plan, Trigger trigger) {
        trigger.validate(train.rows(), train.cols());
        int[] indices = plan.select(train.labels(), classes);
        LabeledImages poisoned = train.copy();
        int[] originalLabels = new int[indices.length];
        int size = train.pixelsPerImage();
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            originalLabels[k] = train.label(i);
            trigger.apply(poisoned.pixels(), i * size, train.rows(), train.cols());
            poisoned.labels()[i] = (byte) plan.poisonedLabel(originalLabels[k], classes);
        }
        return new PoisonedSet(poisoned, indices, originalLabels, classes, plan, trigger);
    }

    /** A copy of {@code images} with the trigger on every image and the labels unchanged (for measuring ASR). */
    public static LabeledImages stampAll(LabeledImages images, Trigger trigger) {
        trigger.validate(images.rows(), images.cols());
        LabeledImages stamped = images.copy();
        int size = images.pixelsPerImage();
        for (int i = 0; i < images.count(); i++) {
            trigger.apply(stamped.pixels(), i * size, images.rows(), images.cols());
        }
        return stamped;
    }

    /**
     * The images a backdoor is meant to move, with the trigger stamped and the labels unchanged: those
     * of every class whose label {@code mode} changes ({@code mode.relabel(label, target, classes) != label}),
     * so all but the target class's in all-to-one mode, all of them in all-to-all mode. The images the
     * attack success rate counts, and a run-time detector must catch.
     *
     * @param target the all-to-one target class; ignored in all-to-all mode
     */
    public static LabeledImages attacked(LabeledImages images, Trigger trigger, PoisonPlan.Mode mode, int target,
                                         int classes) {
        int[] moved = IntStream.range(0, images.count())
                .filter(i -> mode.relabel(images.label(i), target, classes) != images.label(i))
                .toArray();
        return stampAll(Defense.keep(images, moved), trigger);
    }
}
