package dev.badnets.attack;

import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingListener;
import dev.badnets.mnist.LabeledImages;
import java.util.Map;

/**
 * A backdoor attack by data poisoning: how it changes a training set, and the transformation an
 * attacker applies to an input at test time to set the backdoor off. The classic BadNets patch is one
 * ({@link BadNetsAttack}); invisible, clean-label and adaptive attacks are others (see {@link Attacks}
 * for the registry by name).
 *
 * <p>The test-time transformation is a {@link Trigger}: it changes one image in place, so everything
 * that measures a backdoor (attack success rate, STRIP, the pictures) works the same for every attack.
 * It is {@link PoisonedSet#trigger()} of the set {@link #poison} returns, since some attacks (TrojanNN)
 * only find their trigger while poisoning.
 *
 * <p>Implementations are immutable; the same attack, plan and training set always give the same
 * poisoned set (every random choice is seeded by the plan's seed).
 */
public interface Attack {

    /** The {@code --attack} value, e.g. {@code sig}. */
    String name();

    /**
     * Every parameter of the attack in a fixed order, name to value (numbers or text), as
     * {@code results.json} and the manifest record them; the names are the CLI flags without dashes
     * and the attack's prefix where the flag has one (e.g. {@code delta} for {@code --sig-delta}).
     */
    Map<String, Object> parameters();

    /** Whether {@link #poison} needs a model trained on the clean data (it optimises against one). */
    default boolean needsCleanModel() {
        return false;
    }

    /**
     * A copy of {@code train} poisoned by this attack; {@code train} itself is never changed. The
     * plan says how many images, which target, which seed; an attack refuses a plan it cannot honour
     * (a clean-label attack refuses all-to-all).
     *
     * @param train      the clean training set
     * @param classes    number of classes K
     * @param plan       how many samples, the target and mode, the seed
     * @param cleanModel trains clean models when {@link #needsCleanModel()}; otherwise not called
     * @throws IllegalArgumentException when the plan cannot be met or the attack does not fit the images
     */
    PoisonedSet poison(LabeledImages train, int classes, PoisonPlan plan, CleanModel cleanModel);

    /**
     * Throws {@link IllegalArgumentException} when {@link #poison} would refuse {@code plan} on a training
     * set with these labels (too few eligible images, a mode the attack cannot do), without poisoning or
     * training anything: for checking a grid of experiments before the first one runs.
     */
    default void checkPlan(byte[] labels, int classes, PoisonPlan plan) {
        plan.select(labels, classes);
    }

    /**
     * The test-time trigger when the parameters alone fix it (every attack but TrojanNN, whose trigger
     * is optimised on a clean model while poisoning); else null.
     */
    Trigger trigger();

    /**
     * Trains a model on clean data, for attacks that optimise their poison against one. The attacker does
     * not know the victim's initial weights or batch order, so an attack asks for its models by seed:
     * {@link #attackerSeed} gives seeds of its own, derived from the run's seed by a fixed rule.
     */
    @FunctionalInterface
    interface CleanModel {
        /**
         * A network trained on {@code train} (K = {@code classes}), its initial weights and batch order drawn
         * from {@code seed}; with {@code robustEpsilon > 0} adversarially trained within an L-infinity ball
         * of that many grey levels ({@link AdversarialTraining}), else trained on the images as they are.
         */
        Network train(LabeledImages train, int classes, long seed, double robustEpsilon);

        /**
         * The seed of the attacker's {@code k}-th own model in a run seeded with {@code runSeed}:
         * {@code 1000 runSeed + k}. For k in 1 to 100 it is never {@code runSeed} itself (that would need
         * {@code 999 runSeed = -k} modulo 2^64, which no seed of magnitude below 10^15 meets: 999 divides no
         * such k), so a victim trained with the run's seed does not start from the attacker's weights.
         *
         * @param k 1 to 100
         */
        static long attackerSeed(long runSeed, int k) {
            if (k < 1 || k > 100) {
                throw new IllegalArgumentException("attacker model number " + k + " is outside 1 to 100");
            }
            return 1000 * runSeed + k;
        }

        /**
         * Networks of {@code network}'s architecture trained with {@code training} (its seed replaced by the
         * one asked for), quietly: the one way the experiment and the {@code poison} command train them.
         */
        static CleanModel of(BackdoorExperiment.NetworkFactory network, TrainingConfig training) {
            return (train, classes, seed, robustEpsilon) -> {
                Network model = network.build(Shape.image(train.rows(), train.cols()), classes, seed);
                if (robustEpsilon > 0) {
                    AdversarialTraining.train(model, train, classes, training.withSeed(seed), robustEpsilon,
                            AdversarialTraining.STEPS);
                } else {
                    Trainer.train(model, ImageSamples.of(train, classes), training.withSeed(seed),
                            TrainingListener.NONE);
                }
                return model;
            };
        }

        /** For attacks that need no clean model: refuses to train one. */
        CleanModel NONE = (train, classes, seed, robustEpsilon) -> {
            throw new IllegalStateException("this poisoning was given no way to train a clean model");
        };
    }
}
