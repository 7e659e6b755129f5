package dev.badnets.attack;

import dev.badnets.mnist.LabeledImages;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * WaNet (Nguyen and Tran 2021, "WaNet - Imperceptible warping-based backdoor attack", ICLR): the
 * poisoned images are warped by a fixed smooth field ({@link WarpTrigger}; control grid {@code k = 4},
 * strength {@code s = 0.5}, {@code grid_rescale = 1}, the paper's values) and relabelled; in "noise
 * mode" {@code cross_ratio} times as many other images (2, the paper's value: rho_n = 2 rho_a) are
 * warped by the field plus random per-pixel noise and keep their true labels, so that the network
 * learns the exact warp and not warping in general. The paper poisons 10% of each batch on the fly;
 * here the choice is made once, over the training set, with the plan's count or rate (its MNIST setting:
 * {@code --poison-rate 0.1}).
 */
public final class WaNetAttack implements Attack {

    /** The paper's noise-mode ratio: noise samples per poisoned sample. */
    public static final double DEFAULT_CROSS_RATIO = 2;

    private final WarpTrigger trigger;
    private final double crossRatio;

    /**
     * @param crossRatio noise samples per poisoned sample, 0 to 10
     * @see WarpTrigger#WarpTrigger(int, double, double, long)
     */
    public WaNetAttack(int k, double s, double gridRescale, double crossRatio) {
        this.trigger = new WarpTrigger(k, s, gridRescale, WarpTrigger.DEFAULT_FIELD_SEED);
        if (!(crossRatio >= 0 && crossRatio <= 10)) {
            throw new IllegalArgumentException("WaNet cross ratio " + crossRatio + " is outside [0, 10]: expected"
                    + " noise samples per poisoned sample, such as 2");
        }
        this.crossRatio = crossRatio;
    }

    @Override
    public String name() {
        return Attacks.WANET;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("k", trigger.k());
        p.put("s", trigger.s());
        p.put("grid_rescale", trigger.gridRescale());
        p.put("cross_ratio", crossRatio);
        p.put("field_seed", trigger.fieldSeed());
        return p;
    }

    /**
     * Warps and relabels the samples the plan chooses, then warps {@code round(cross_ratio x count)}
     * other samples with noise, labels kept (the cover indices).
     */
    @Override
    public PoisonedSet poison(LabeledImages train, int classes, PoisonPlan plan, CleanModel cleanModel) {
        PoisonedSet poisoned = Poisoning.apply(train, classes, plan, trigger);
        // A generator of its own for the noise samples, so that the poisoned ones are the plan's as for any trigger.
        Random random = new Random(plan.seed() ^ 0x5741_4E65_74L);
        int wanted = (int) Math.round(crossRatio * poisoned.poisonedCount());
        int[] noise = CleanLabel.others(train.count(), poisoned.indices(), wanted, random, "WaNet noise samples");
        int size = train.pixelsPerImage();
        for (int i : noise) {
            trigger.applyWithNoise(poisoned.images().pixels(), i * size, train.rows(), train.cols(), random);
        }
        return new PoisonedSet(poisoned.images(), poisoned.indices(), poisoned.originalLabels(), classes, plan,
                trigger, name(), parameters(), noise);
    }

    @Override
    public WarpTrigger trigger() {
        return trigger;
    }
}
