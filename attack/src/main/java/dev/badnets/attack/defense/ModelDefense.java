package dev.badnets.attack.defense;

import dev.badnets.core.Network;
import dev.badnets.core.TrainingResult;
import dev.badnets.mnist.LabeledImages;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A defense that examines the trained model rather than its training set (Neural Cleanse reverse
 * engineers triggers from the model; a run-time detector such as STRIP screens inputs), and may
 * hand back a repaired model. The counterpart of {@link Detector} for
 * {@code BackdoorExperiment.withDefense}.
 */
public interface ModelDefense {

    /** The method's name, as the command line spells it ({@code neural-cleanse}). */
    String name();

    /**
     * The name and every setting that changes what the defense does (not threads or backend, which
     * change only its speed): experiments key their stored results by it.
     */
    default String describe() {
        return name();
    }

    /**
     * What the defender has besides the model.
     *
     * @param clean     the defender's own clean images, disjoint from {@code test}: to scan, calibrate
     *                  or repair with
     * @param test      the clean test set the experiment measures on
     * @param triggered the test images the backdoor is meant to move (all but the target class's in
     *                  all-to-one mode, every one in all-to-all mode), with the attack's trigger stamped,
     *                  labels kept: the inputs a run-time detector must catch, the same ones the attack
     *                  success rate counts (for measuring only; a model scan must not look at it)
     * @param classes   number of classes
     */
    record Setting(LabeledImages clean, LabeledImages test, LabeledImages triggered, int classes) {
    }

    /**
     * The method's own figures, each present when the method produces it.
     *
     * @param flaggedClass       the class found to be a backdoor's target (Neural Cleanse)
     * @param anomalyIndex       the most suspicious class's anomaly index, flagged or not (Neural Cleanse)
     * @param detectionRate      the share of triggered inputs caught (run-time detectors)
     * @param falseRejectionRate the share of clean inputs wrongly rejected (run-time detectors)
     * @param threshold          the score at which a run-time detector rejects an input (STRIP: the entropy
     *                           in bits below which it does)
     */
    record Figures(OptionalInt flaggedClass, OptionalDouble anomalyIndex, OptionalDouble detectionRate,
                   OptionalDouble falseRejectionRate, OptionalDouble threshold) {

        /** The figures of a model scan: the flagged class, if any, and the highest anomaly index. */
        public static Figures scan(OptionalInt flaggedClass, OptionalDouble anomalyIndex) {
            return new Figures(flaggedClass, anomalyIndex, OptionalDouble.empty(), OptionalDouble.empty(),
                    OptionalDouble.empty());
        }

        /** The figures of a run-time detector: its rates and the threshold it rejects at. */
        public static Figures detector(double detectionRate, double falseRejectionRate, double threshold) {
            return new Figures(OptionalInt.empty(), OptionalDouble.empty(), OptionalDouble.of(detectionRate),
                    OptionalDouble.of(falseRejectionRate), OptionalDouble.of(threshold));
        }
    }

    /**
     * @param network   the model to deploy after the defense: repaired, or the model itself when
     *                  nothing was repaired (always for a run-time detector, which screens inputs
     *                  instead of changing the model)
     * @param training  how the repair's fine-tuning went; null when nothing was repaired
     * @param trainedOn images the repair trained on (0 when nothing was repaired)
     * @param figures   the method's own figures
     */
    record Result(Network network, TrainingResult training, int trainedOn, Figures figures) {
    }

    /**
     * Examines {@code model} (not changed) with what {@code setting} gives the defender.
     *
     * @throws IllegalArgumentException if the images do not fit the model
     */
    Result defend(Network model, Setting setting);
}
