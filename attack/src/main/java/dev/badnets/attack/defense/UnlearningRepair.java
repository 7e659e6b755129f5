package dev.badnets.attack.defense;

import dev.badnets.attack.BackdoorMetrics;
import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.ImageSamples;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Trigger;
import dev.badnets.core.Evaluator;
import dev.badnets.core.Network;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.mnist.LabeledImages;

/**
 * A scan's repair, measured: Neural Cleanse's unlearning (Wang et al., "Neural Cleanse:
 * Identifying and Mitigating Backdoor Attacks in Neural Networks", IEEE S&amp;P 2019, section VI-C;
 * the parameters are {@link NeuralCleanse.Unlearning}'s) of the classes a {@link BackdoorScan}
 * flagged, and the model's figures on the test set before and after.
 */
public final class UnlearningRepair {

    /**
     * The repair and its figures.
     *
     * @param repair the repaired copy, its fine-tuning and how many images carried a recovered trigger
     * @param images how many training images it fine-tuned on
     * @param before the model's figures on the test set, against the real trigger (null without one)
     * @param after  the repaired model's, likewise
     * @param cleanAccuracyBefore the model's clean accuracy on the test set
     * @param cleanAccuracyAfter  the repaired model's
     */
    public record Outcome(NeuralCleanse.Repair repair, int images, BackdoorReport before, BackdoorReport after,
                          double cleanAccuracyBefore, double cleanAccuracyAfter) {}

    private UnlearningRepair() {
    }

    /**
     * Unlearns the recovered triggers of {@code scan}'s flagged classes on {@code train}, then
     * measures the model and its repaired copy on {@code test}. {@code net} is not changed.
     *
     * @param train      clean images to fine-tune on, none of them scanned with or measured on
     * @param test       clean test images
     * @param trigger    the real trigger, when known, to measure its attack success rate before and
     *                   after; null to measure clean accuracy only
     * @param mode       the real attack's mode (with {@code trigger})
     * @param target     the real attack's target (with {@code trigger})
     * @param unlearning the unlearning's share and fine-tuning
     * @param backend    the backend that measures
     * @throws IllegalArgumentException if no class is flagged, or the images do not fit the network
     */
    public static Outcome run(Network net, BackdoorScan.Result scan, LabeledImages train, LabeledImages test,
                              Trigger trigger, PoisonPlan.Mode mode, int target, NeuralCleanse.Unlearning unlearning,
                              MatrixBackend backend) {
        NeuralCleanse.Repair repaired = NeuralCleanse.unlearn(net, scan.neuralCleanse(), scan.flagged(), train,
                unlearning);
        if (trigger == null) {
            return new Outcome(repaired, train.count(), null, null, accuracy(net, test, backend),
                    accuracy(repaired.network(), test, backend));
        }
        BackdoorReport before = BackdoorMetrics.measure(net, test, trigger, mode, target, backend);
        BackdoorReport after = BackdoorMetrics.measure(repaired.network(), test, trigger, mode, target, backend);
        return new Outcome(repaired, train.count(), before, after, before.cleanAccuracy(), after.cleanAccuracy());
    }

    private static double accuracy(Network net, LabeledImages test, MatrixBackend backend) {
        return Evaluator.evaluate(net, ImageSamples.of(test, net.classes()), backend).accuracy();
    }
}
