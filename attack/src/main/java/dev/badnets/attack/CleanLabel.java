package dev.badnets.attack;

import java.util.Arrays;
import java.util.Random;

import dev.badnets.mnist.LabeledImages;

/** The choice of a clean-label attack: images of the target class only, labels left as they are. */
final class CleanLabel {

    private CleanLabel() {
    }

    /**
     * An attack that poisons images of the target class only and keeps every label (SIG,
     * label-consistent): it refuses exactly the plans {@link #select} refuses.
     */
    interface Attack extends dev.badnets.attack.Attack {
        @Override
        default void checkPlan(byte[] labels, int classes, PoisonPlan plan) {
            select(name(), labels, classes, plan);
        }
    }

    /** The label of each of {@code chosen} in {@code images}, in the same order. */
    static int[] labelsOf(LabeledImages images, int[] chosen) {
        int[] labels = new int[chosen.length];
        for (int k = 0; k < chosen.length; k++) {
            labels[k] = images.label(chosen[k]);
        }
        return labels;
    }

    /**
     * The target-class images to poison: {@code plan.countFor(labels.length)} of them (the rate is of
     * the whole training set, as BackdoorBench counts it), drawn uniformly without replacement with a
     * generator seeded by the plan's seed.
     *
     * @param attack the attack's name, for messages
     * @return the chosen indices, ascending
     * @throws IllegalArgumentException for an all-to-all plan, source classes, a target that is not a
     *         class, or more images than the target class has
     */
    static int[] select(String attack, byte[] labels, int classes, PoisonPlan plan) {
        if (plan.mode() != PoisonPlan.Mode.ALL_TO_ONE) {
            throw new IllegalArgumentException("the " + attack + " attack is clean-label: it poisons images of the"
                    + " target class and keeps their labels, so it is all-to-one only; poison all-to-one");
        }
        if (plan.sourceClasses().length > 0) {
            throw new IllegalArgumentException("the " + attack + " attack poisons images of the target class only;"
                    + " give no source classes");
        }
        int target = plan.target();
        if (target >= classes) {
            throw new IllegalArgumentException("target class " + target + " does not exist in data with "
                    + classes + " classes: expected 0 to " + (classes - 1));
        }
        int[] eligible = new int[labels.length];
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xFF) == target) {
                eligible[n++] = i;
            }
        }
        int wanted = plan.countFor(labels.length);
        if (wanted > n) {
            throw new IllegalArgumentException("cannot poison " + wanted + " images with the clean-label " + attack
                    + " attack: the target class " + target + " has " + n + "; ask for at most " + n);
        }
        return drawSorted(eligible, n, wanted, new Random(plan.seed()));
    }

    /** {@code wanted} of the first {@code n} entries of {@code pool}, uniformly without replacement, ascending. */
    static int[] drawSorted(int[] pool, int n, int wanted, Random random) {
        // Partial Fisher-Yates, as PoisonPlan.select draws: the first `wanted` slots are a uniform sample.
        for (int i = 0; i < wanted; i++) {
            int j = i + random.nextInt(n - i);
            int t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        int[] chosen = Arrays.copyOf(pool, wanted);
        Arrays.sort(chosen);
        return chosen;
    }

    /**
     * {@code wanted} training images outside {@code taken} (ascending), uniformly without replacement:
     * the cover or noise samples an attack adds beside its poisoned ones.
     */
    static int[] others(int count, int[] taken, int wanted, Random random, String what) {
        int[] pool = new int[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (Arrays.binarySearch(taken, i) < 0) {
                pool[n++] = i;
            }
        }
        if (wanted > n) {
            throw new IllegalArgumentException("cannot add " + wanted + " " + what + ": only " + n
                    + " training images are not poisoned; ask for fewer");
        }
        return drawSorted(pool, n, wanted, random);
    }
}
