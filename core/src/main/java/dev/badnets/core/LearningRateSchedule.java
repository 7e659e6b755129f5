package dev.badnets.core;

import java.util.Locale;

/**
 * How the learning rate changes over training: the rate of step t (counted from 0) of T steps
 * in all, from the configured rate lr.
 *
 * <pre>
 *   constant   lr_t = lr
 *   cosine     lr_t = lr · ½ (1 + cos(π t / T))        from lr at t = 0 down towards 0 at t = T
 * </pre>
 *
 * <p>Why decay: with a constant rate the last epochs keep stepping as far as the first ones and
 * bounce around a minimum; shrinking the steps lets training settle into it (Loshchilov and
 * Hutter, SGDR, 2017, without the restarts).
 */
public enum LearningRateSchedule {
    /** The same rate at every step. */
    CONSTANT,
    /** Half a cosine wave from the full rate down to 0 over all the steps of training. */
    COSINE;

    /**
     * The learning rate of step {@code step} (0-based) of {@code totalSteps}. Steps past the end
     * keep the final rate (0 for cosine). Allocates nothing.
     *
     * @throws IllegalArgumentException if {@code step < 0} or {@code totalSteps < 1}
     */
    public float rate(float learningRate, long step, long totalSteps) {
        if (step < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("expected step >= 0 and total steps >= 1, got step " + step + " of "
                    + totalSteps);
        }
        switch (this) {
            case CONSTANT:
                return learningRate;
            case COSINE:
                double progress = (double) Math.min(step, totalSteps) / totalSteps;
                return (float) (learningRate * 0.5 * (1 + Math.cos(Math.PI * progress)));
            default:
                throw new IllegalStateException("unknown schedule " + this);
        }
    }

    /** The lower-case name used on the command line: constant or cosine. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a command-line name (case-insensitive). */
    public static LearningRateSchedule parse(String name) {
        for (LearningRateSchedule schedule : values()) {
            if (schedule.cliName().equalsIgnoreCase(name.trim())) {
                return schedule;
            }
        }
        throw new IllegalArgumentException("unknown learning-rate schedule '" + name + "': use constant or cosine");
    }
}
