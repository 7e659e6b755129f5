package dev.badnets.attack.experiment;

import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.mnist.LabeledImages;

/**
 * The figures of one cell of the attack x defense matrix, as BackdoorBench (Wu et al., NeurIPS 2022
 * Datasets and Benchmarks) defines them, each a share in [0, 1]:
 * <ul>
 *   <li><b>C-Acc</b>, {@code cleanAccuracy}: clean test images classified correctly;</li>
 *   <li><b>ASR</b>, {@code attackSuccessRate}: triggered test images whose true class is not the
 *       target that go to the target (every image in all-to-all mode, sent to its relabelled class);</li>
 *   <li><b>R-Acc</b>, {@code robustAccuracy}: the same triggered images classified as their
 *       <em>true</em> class: the backdoor neither fires nor breaks the image.</li>
 * </ul>
 * and, against the undefended model of the same attack and seed, the defense effectiveness rating
 * {@link #der DER}.
 */
public record CellMetrics(double cleanAccuracy, double attackSuccessRate, double robustAccuracy) {

    /**
     * The figures of {@code report} (measured on {@code test}): C-Acc and ASR as it has them, R-Acc
     * from its triggered predictions.
     */
    public static CellMetrics of(BackdoorReport report, LabeledImages test) {
        int[] triggered = report.triggeredPredictions();
        if (triggered.length != test.count()) {
            throw new IllegalArgumentException("the report has " + triggered.length + " triggered predictions but the"
                    + " test set " + test.count() + " images; measure on the same test set");
        }
        int counted = 0, robust = 0;
        for (int i = 0; i < test.count(); i++) {
            int label = test.label(i);
            if (report.mode() == PoisonPlan.Mode.ALL_TO_ONE && label == report.target()) {
                continue;
            }
            counted++;
            robust += triggered[i] == label ? 1 : 0;
        }
        return new CellMetrics(report.cleanAccuracy(), report.attackSuccessRate(),
                counted == 0 ? 0 : (double) robust / counted);
    }

    /**
     * BackdoorBench's defense effectiveness rating of a defense that took the model from
     * {@code before} to {@code after}, in [0, 1] (0.5: no change; 1: the attack removed at no cost):
     * <pre>
     *   DER = (max(0, ΔASR) - max(0, ΔACC) + 1) / 2,   ΔASR = ASR_before - ASR_after,  ΔACC = C-Acc_before - C-Acc_after
     * </pre>
     */
    public static double der(CellMetrics before, CellMetrics after) {
        double dAsr = before.attackSuccessRate() - after.attackSuccessRate();
        double dAcc = before.cleanAccuracy() - after.cleanAccuracy();
        return (Math.max(0, dAsr) - Math.max(0, dAcc) + 1) / 2;
    }
}
