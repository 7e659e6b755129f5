package dev.badnets.attack;

import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Random;

/**
 * Which training samples to poison and what to relabel them as. Immutable; build one with
 * {@link #ofCount} or {@link #ofRate} and the {@code with...} methods. The choice depends only on
 * the plan and the labels, so the same plan and seed always pick the same samples.
 *
 * <pre>{@code
 * PoisonPlan plan = PoisonPlan.ofCount(600).withTarget(0).withSeed(1);
 * int[] chosen = plan.select(train.labels(), 10);
 * }</pre>
 */
public final class PoisonPlan {

    /** How poisoned samples are relabelled. */
    public enum Mode {
        /** Every poisoned sample becomes the target class. */
        ALL_TO_ONE,
        /** Class c becomes (c + 1) mod K (the BadNets all-to-all attack). */
        ALL_TO_ALL;

        /** Reads the CLI spelling {@code all-to-one} or {@code all-to-all}. */
        public static Mode parse(String text) {
            String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            for (Mode m : values()) {
                if (m.cliName().equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown poisoning mode '" + text
                    + "'; use all-to-one or all-to-all");
        }

        /**
         * The label this mode gives a poisoned sample of class {@code label}, among {@code classes}
         * classes, which is also the class the backdoor sends a triggered image of that class to:
         * {@code target} (all-to-one), or the next class {@code (label + 1) mod classes}
         * (all-to-all, which ignores {@code target}). The one place this rule is written down.
         */
        public int relabel(int label, int target, int classes) {
            return this == ALL_TO_ONE ? target : (label + 1) % classes;
        }

        /** The CLI spelling: {@code all-to-one} or {@code all-to-all}. */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Default target class of all-to-one poisoning. */
    public static final int DEFAULT_TARGET = 0;
    /** Default seed. */
    public static final long DEFAULT_SEED = 1L;

    private final Mode mode;
    private final int target;
    private final double rate;   // NaN when the plan is by count
    private final int count;     // -1 when the plan is by rate
    private final int[] sourceClasses; // sorted, distinct; empty = every class
    private final long seed;

    private PoisonPlan(Mode mode, int target, double rate, int count, int[] sourceClasses, long seed) {
        this.mode = mode;
        this.target = target;
        this.rate = rate;
        this.count = count;
        this.sourceClasses = sourceClasses;
        this.seed = seed;
    }

    /** Poison exactly {@code count} samples (0 allowed: a clean baseline). */
    public static PoisonPlan ofCount(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("poison count " + count + " is negative: expected 0 or more");
        }
        return new PoisonPlan(Mode.ALL_TO_ONE, DEFAULT_TARGET, Double.NaN, count, new int[0], DEFAULT_SEED);
    }

    /** Poison {@code round(rate * training-set size)} samples. */
    public static PoisonPlan ofRate(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("poison rate " + rate + " is outside [0, 1]: expected a share of the training set, such as 0.01");
        }
        return new PoisonPlan(Mode.ALL_TO_ONE, DEFAULT_TARGET, rate, -1, new int[0], DEFAULT_SEED);
    }

    /** This plan with another relabelling mode. */
    public PoisonPlan withMode(Mode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("poisoning mode is missing; use all-to-one or all-to-all");
        }
        return new PoisonPlan(mode, target, rate, count, sourceClasses, seed);
    }

    /** This plan with another target class (all-to-one only; checked against the classes at {@link #select}). */
    public PoisonPlan withTarget(int target) {
        if (target < 0) {
            throw new IllegalArgumentException("target class " + target + " is negative: expected 0 or more");
        }
        return new PoisonPlan(mode, target, rate, count, sourceClasses, seed);
    }

    /** This plan poisoning only samples of these classes; none = every class. */
    public PoisonPlan withSourceClasses(int... classes) {
        int[] sorted = classes == null ? new int[0] : Arrays.stream(classes).distinct().sorted().toArray();
        if (sorted.length > 0 && sorted[0] < 0) {
            throw new IllegalArgumentException("source class " + sorted[0] + " is negative; use class numbers 0 or more");
        }
        return new PoisonPlan(mode, target, rate, count, sorted, seed);
    }

    /** This plan with another seed. */
    public PoisonPlan withSeed(long seed) {
        return new PoisonPlan(mode, target, rate, count, sourceClasses, seed);
    }

    public Mode mode() {
        return mode;
    }

    /** The all-to-one target (recorded but unused in all-to-all). */
    public int target() {
        return target;
    }

    /** The requested rate, if the plan is by rate. */
    public OptionalDouble rate() {
        return Double.isNaN(rate) ? OptionalDouble.empty() : OptionalDouble.of(rate);
    }

    /** The requested count, if the plan is by count. */
    public OptionalInt count() {
        return count < 0 ? OptionalInt.empty() : OptionalInt.of(count);
    }

    /** Source classes, sorted; empty means every class. */
    public int[] sourceClasses() {
        return sourceClasses.clone();
    }

    public long seed() {
        return seed;
    }

    /** How many samples this plan poisons in a training set of {@code trainingSize}. */
    public int countFor(int trainingSize) {
        return count >= 0 ? count : (int) Math.round(rate * trainingSize);
    }

    /** The label a poisoned sample of class {@code label} gets, among {@code classes} classes. */
    public int poisonedLabel(int label, int classes) {
        return mode.relabel(label, target, classes);
    }

    /**
     * Whether a sample of this class may be poisoned: it is a source class (or there are none), and
     * in all-to-one mode it is not already the target, since relabelling it would carry no signal.
     */
    public boolean isEligible(int label) {
        if (mode == Mode.ALL_TO_ONE && label == target) {
            return false;
        }
        return sourceClasses.length == 0 || Arrays.binarySearch(sourceClasses, label) >= 0;
    }

    /**
     * Chooses the samples to poison: {@link #countFor} distinct indices drawn without replacement,
     * uniformly from the eligible samples, with a generator seeded by {@link #seed()}.
     *
     * @param labels  one unsigned byte per training sample
     * @param classes number of classes K
     * @return the chosen indices, ascending
     * @throws IllegalArgumentException if the target or a source class is not below K, or fewer
     *         samples are eligible than requested (the message says how many are)
     */
    public int[] select(byte[] labels, int classes) {
        if (mode == Mode.ALL_TO_ONE && target >= classes) {
            throw new IllegalArgumentException("target class " + target + " does not exist in data with "
                    + classes + " classes: expected 0 to " + (classes - 1));
        }
        if (sourceClasses.length > 0 && sourceClasses[sourceClasses.length - 1] >= classes) {
            throw new IllegalArgumentException("source class " + sourceClasses[sourceClasses.length - 1]
                    + " does not exist in data with " + classes + " classes; use classes 0 to " + (classes - 1));
        }
        int wanted = countFor(labels.length);
        int[] eligible = new int[labels.length];
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            if (isEligible(labels[i] & 0xFF)) {
                eligible[n++] = i;
            }
        }
        if (wanted > n) {
            throw new IllegalArgumentException("cannot poison " + wanted + " samples: only " + n
                    + " are eligible (" + eligibility() + "); ask for at most " + n);
        }
        // Partial Fisher-Yates: the first `wanted` slots end up a uniform sample without replacement.
        // java.util.Random's algorithm is specified, so the choice is the same on every JVM.
        Random random = new Random(seed);
        for (int i = 0; i < wanted; i++) {
            int j = i + random.nextInt(n - i);
            int t = eligible[i];
            eligible[i] = eligible[j];
            eligible[j] = t;
        }
        int[] chosen = Arrays.copyOf(eligible, wanted);
        Arrays.sort(chosen);
        return chosen;
    }

    private String eligibility() {
        String from = sourceClasses.length == 0 ? "every class" : "classes " + Arrays.toString(sourceClasses);
        return mode == Mode.ALL_TO_ONE ? from + " except the target " + target : from;
    }

    /** One line for logs, e.g. {@code all-to-one target=0 count=600 sources=all seed=1}. */
    @Override
    public String toString() {
        return mode.cliName() + (mode == Mode.ALL_TO_ONE ? " target=" + target : "")
                + (count >= 0 ? " count=" + count : " rate=" + rate)
                + " sources=" + (sourceClasses.length == 0 ? "all" : Arrays.toString(sourceClasses))
                + " seed=" + seed;
    }
}
