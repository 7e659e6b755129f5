/**
 * The defender's side: find the poisoned samples of a training set from the hidden
 * representations of the network trained on it, without knowing the trigger or the target class,
 * then filter them out and retrain; or, with the model alone, catch triggered inputs at run time
 * ({@link dev.badnets.attack.defense.Strip}).
 *
 * <ul>
 *   <li>{@link dev.badnets.attack.defense.Detector}: the interface; {@code detect(representations,
 *       labels, classes, expectedRate)} on any matrix, or {@code detect(net, samples, rate)} on a
 *       network's penultimate layer. {@link dev.badnets.attack.defense.Detectors#byName} maps the
 *       command-line names to instances.</li>
 *   <li>{@link dev.badnets.attack.defense.Spectre} (the default), robust whitening then quantum
 *       entropy scoring; {@link dev.badnets.attack.defense.SpectralSignatures}, the top singular
 *       direction; {@link dev.badnets.attack.defense.ActivationClustering}, ICA and two-means.</li>
 *   <li>{@link dev.badnets.attack.defense.Detection}: scores, flagged indices, counts per class.
 *       {@link dev.badnets.attack.defense.DetectionMetrics}: precision and recall against the
 *       poisoning manifest's indices. {@link dev.badnets.attack.defense.Defense}: detect and
 *       filter a {@code LabeledImages} in one call.</li>
 *   <li>{@link dev.badnets.attack.defense.Strip}: STRIP (Gao et al. 2019), the entropy of a model's
 *       predictions over an input blended with clean images; a threshold set on clean images at a
 *       false rejection rate; {@code Strip.run} measures the share of clean and of triggered images
 *       flagged. {@link dev.badnets.attack.defense.StripDefense} runs it as a {@code ModelDefense}:
 *       calibrated on the defender's clean images, measured on the experiment's test images, the
 *       model left as it is.</li>
 *   <li>{@link dev.badnets.attack.defense.NeuralCleanse}: the receiving side's defense, which needs
 *       the model and clean images but not the training set. It recovers the smallest trigger for
 *       every class ({@link dev.badnets.attack.defense.RecoveredTrigger}), flags classes by anomaly
 *       index ({@link dev.badnets.attack.defense.ScanResult}) and unlearns the recovered trigger.
 *       It is a {@link dev.badnets.attack.defense.ModelDefense}, the interface of defenses that
 *       examine (and may repair) the trained model in {@code BackdoorExperiment}.</li>
 *   <li>The repairs, each a {@code ModelDefense} working from the defender's 5% of the clean training
 *       images ({@link dev.badnets.attack.defense.Repairs#byName}):
 *       {@link dev.badnets.attack.defense.FineTuning}, {@link dev.badnets.attack.defense.FinePruning}
 *       (Liu et al. 2018), {@link dev.badnets.attack.defense.Nad} (Li et al. 2021),
 *       {@link dev.badnets.attack.defense.Anp} (Wu and Wang 2021) and
 *       {@link dev.badnets.attack.defense.Ibau} (Zeng et al. 2022). NAD, ANP and I-BAU need more than
 *       core's {@code Trainer} runs (a loss on hidden layers, perturbed weights or inputs): they
 *       backpropagate layer by layer through {@code LayerPass}.</li>
 * </ul>
 *
 * <p>On the default demo attack (600 of 60,000 MNIST images, 2x2 square, target 0, 784-128-10),
 * with an expected rate of 0.01: spectre flags 900 images, all in class 0, recall 100%, precision
 * 66.7%; activation clustering flags exactly the 600 (recall and precision 100%); spectral
 * signatures flag 900 spread over the classes and catch none of the poison, because the top
 * direction of class 0 is its natural variation. See {@code DefenseMnistTest}.
 */
package dev.badnets.attack.defense;
