package dev.badnets.attack.defense;

import java.util.List;

/**
 * What a {@link NeuralCleanse} scan found: one recovered trigger per class, each class's anomaly
 * index, and the classes flagged as a backdoor's target.
 *
 * @param triggers       the trigger recovered for each class, in class order
 * @param anomalyIndices per class, {@code (median - log L1) / (1.4826 · MAD)} over the log mask L1 norms,
 *                       positive below the median (see {@link NeuralCleanse#anomalyIndices})
 * @param flagged        the classes whose anomaly index is above {@link NeuralCleanse#ANOMALY_THRESHOLD},
 *                       ascending
 * @param images         how many clean images the scan used
 * @param seconds        wall-clock seconds of the scan
 */
public record ScanResult(List<RecoveredTrigger> triggers, double[] anomalyIndices, int[] flagged, int images,
                         double seconds) {

    /** Whether {@code label} is flagged. */
    public boolean isFlagged(int label) {
        for (int f : flagged) {
            if (f == label) {
                return true;
            }
        }
        return false;
    }

    /** The most suspicious class: the highest anomaly index, if it is above 0 (a mask below the median); else -1. */
    public int mostAnomalous() {
        int best = -1;
        for (int c = 0; c < triggers.size(); c++) {
            if (anomalyIndices[c] > 0 && (best < 0 || anomalyIndices[c] > anomalyIndices[best])) {
                best = c;
            }
        }
        return best;
    }

    /** The mask L1 norm of each class. */
    public double[] l1Norms() {
        return triggers.stream().mapToDouble(RecoveredTrigger::maskL1).toArray();
    }
}
