package dev.badnets.attack;

import dev.badnets.attack.defense.Detection;
import dev.badnets.attack.defense.DetectionMetrics;
import dev.badnets.core.Network;
import dev.badnets.core.TrainingResult;

/**
 * What the defender achieved in a {@link BackdoorExperiment}: what the detector flagged, how much of
 * it was poison, and how a network retrained without the flagged images does.
 *
 * @param method       the detector's name ({@code spectre}, {@code spectral} or {@code activation-clustering})
 * @param expectedRate the share of the training set the detector was told to suspect
 * @param detection    the detector's scores and flagged indices
 * @param metrics      flagged count, true positives, precision and recall against the images really poisoned
 * @param retrainedOn  how many training images were left to retrain on
 * @param network      the network retrained on them, built and trained like the first (same seed)
 * @param training     how the retraining went (epoch reports, seconds, backend, threads)
 * @param backdoor     the retrained network's clean accuracy and attack success rate
 */
public record DefenseOutcome(String method, double expectedRate, Detection detection, DetectionMetrics metrics,
                             int retrainedOn, Network network, TrainingResult training, BackdoorReport backdoor) {
}
