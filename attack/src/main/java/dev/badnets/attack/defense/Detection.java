package dev.badnets.attack.defense;

import java.util.Arrays;

/**
 * What a detector found in a training set.
 *
 * @param method          the detector's name ({@code spectral}, {@code spectre},
 *                        {@code activation-clustering})
 * @param scores          one suspicion score per sample, higher is more suspicious; comparable
 *                        across classes within one detection
 * @param flagged         indices of the samples judged poisoned, ascending
 * @param flaggedPerClass how many flagged samples carry each label
 */
public record Detection(String method, double[] scores, int[] flagged, int[] flaggedPerClass) {

    /** Number of flagged samples. */
    public int flaggedCount() {
        return flagged.length;
    }

    /** Indices of the samples that were not flagged, ascending: the training set to keep. */
    public int[] kept() {
        int[] kept = new int[scores.length - flagged.length];
        int k = 0;
        int f = 0;
        for (int i = 0; i < scores.length; i++) {
            if (f < flagged.length && flagged[f] == i) {
                f++;
            } else {
                kept[k++] = i;
            }
        }
        return kept;
    }

    static Detection of(String method, double[] scores, int[] flagged, int[] labels, int classes) {
        int[] sorted = flagged.clone();
        Arrays.sort(sorted);
        int[] perClass = new int[classes];
        for (int i : sorted) {
            perClass[labels[i]]++;
        }
        return new Detection(method, scores, sorted, perClass);
    }

    @Override
    public String toString() {
        return method + ": " + flagged.length + " of " + scores.length + " flagged, per class "
                + Arrays.toString(flaggedPerClass);
    }
}
