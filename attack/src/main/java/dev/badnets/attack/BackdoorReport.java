package dev.badnets.attack;

import java.util.SortedMap;

/**
 * How well a model keeps its clean accuracy and obeys the trigger, as the backdoor literature
 * measures it. Arrays and the map are the caller's to read; do not change them.
 *
 * @param cleanAccuracy              accuracy on the untouched test set
 * @param attackSuccessRate          share of triggered test images whose true label is not the target
 *                                   that the model assigns to the target; in all-to-all mode every
 *                                   image counts, and image of class c succeeds when assigned (c+1) mod K
 * @param attackSuccessRateAllImages share of all triggered test images assigned to the target, those
 *                                   already of the target class included (the OWASP notebook's
 *                                   "trigger success rate"); equal to the ASR in all-to-all mode
 * @param perClassAttackSuccessRate  true class -> its ASR; the target class is left out in
 *                                   all-to-one mode, as are classes with no test image
 * @param attackedCount              number of test images the ASR counts (its denominator)
 * @param mode                       the relabelling mode the ASR is measured for
 * @param target                     the target class (all-to-one); unused in all-to-all
 * @param cleanPredictions           the model's class for each clean test image
 * @param triggeredPredictions       the model's class for each triggered test image
 */
public record BackdoorReport(double cleanAccuracy, double attackSuccessRate, double attackSuccessRateAllImages,
                             SortedMap<Integer, Double> perClassAttackSuccessRate, int attackedCount,
                             PoisonPlan.Mode mode, int target, int[] cleanPredictions, int[] triggeredPredictions) {
}
