package dev.badnets.attack;

import dev.badnets.attack.defense.Detection;
import dev.badnets.attack.defense.DetectionMetrics;
import dev.badnets.attack.defense.ModelDefense;
import dev.badnets.core.Network;
import dev.badnets.core.TrainingResult;

/**
 * What the defender achieved in a {@link BackdoorExperiment}. A training-set detector reports what
 * it flagged, how much of it was poison, and how a network retrained without the flagged images
 * does; a {@link ModelDefense} (which looks at the model, not the training set) reports its own
 * {@code figures} and how the model it hands back (repaired, or the same) does.
 *
 * @param method       the defense's name ({@code spectre}, {@code spectral}, {@code activation-clustering},
 *                     {@code neural-cleanse})
 * @param expectedRate the share of the training set the detector was told to suspect; NaN for a model defense
 * @param detection    the detector's scores and flagged indices; null for a model defense
 * @param metrics      flagged count, true positives, precision and recall against the images really
 *                     poisoned; null for a model defense
 * @param retrainedOn  how many training images were left to retrain on (a model defense: how many
 *                     clean images it fine-tuned on, 0 when it changed nothing)
 * @param network      the network retrained on them, built and trained like the first (same seed);
 *                     a model defense's repaired model, or the model itself
 * @param training     how the retraining (or fine-tuning) went; null when a model defense changed nothing
 * @param backdoor     the resulting network's clean accuracy and attack success rate
 * @param figures      a model defense's own figures; null for a training-set detector
 */
public record DefenseOutcome(String method, double expectedRate, Detection detection, DetectionMetrics metrics,
                             int retrainedOn, Network network, TrainingResult training, BackdoorReport backdoor,
                             ModelDefense.Figures figures) {

    /** The outcome of a training-set detector. */
    public DefenseOutcome(String method, double expectedRate, Detection detection, DetectionMetrics metrics,
                          int retrainedOn, Network network, TrainingResult training, BackdoorReport backdoor) {
        this(method, expectedRate, detection, metrics, retrainedOn, network, training, backdoor, null);
    }

    /** Whether a {@link ModelDefense} produced this (then {@link #figures()} is set, detection and metrics null). */
    public boolean modelLevel() {
        return figures != null;
    }
}
