package dev.badnets.attack.defense;

import java.util.Arrays;

/**
 * How well a detection matches the known poisoned samples (from the poisoning manifest).
 *
 * @param flagged       samples the detector flagged
 * @param poisoned      samples actually poisoned
 * @param truePositives flagged samples that are poisoned
 * @param precision     truePositives / flagged; 0 when nothing was flagged
 * @param recall        truePositives / poisoned; 1 when nothing was poisoned (nothing was missed)
 */
public record DetectionMetrics(int flagged, int poisoned, int truePositives, double precision,
                               double recall) {

    /** Compares a detection with the indices of the poisoned samples (any order, no repeats). */
    public static DetectionMetrics of(Detection detection, int[] poisonedIndices) {
        return of(detection.flagged(), poisonedIndices);
    }

    /** Compares flagged indices with poisoned indices (any order, no repeats). */
    public static DetectionMetrics of(int[] flaggedIndices, int[] poisonedIndices) {
        int[] flagged = distinctSorted(flaggedIndices, "flagged");
        int[] poisoned = distinctSorted(poisonedIndices, "poisoned");
        int hits = 0;
        for (int i : flagged) {
            if (Arrays.binarySearch(poisoned, i) >= 0) {
                hits++;
            }
        }
        double precision = flagged.length == 0 ? 0 : hits / (double) flagged.length;
        double recall = poisoned.length == 0 ? 1 : hits / (double) poisoned.length;
        return new DetectionMetrics(flagged.length, poisoned.length, hits, precision, recall);
    }

    /** Poisoned samples the detection missed. */
    public int missed() {
        return poisoned - truePositives;
    }

    private static int[] distinctSorted(int[] indices, String what) {
        int[] sorted = indices.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("the " + what + " indices contain " + sorted[i]
                        + " twice; pass each sample once");
            }
        }
        return sorted;
    }

    @Override
    public String toString() {
        return String.format("precision %.4f (%d of %d flagged), recall %.4f (%d of %d poisoned)",
                precision, truePositives, flagged, recall, truePositives, poisoned);
    }
}
