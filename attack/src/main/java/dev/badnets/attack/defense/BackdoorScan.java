package dev.badnets.attack.defense;

import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.mnist.LabeledImages;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Is a model backdoored? Two detectors with different assumptions, and one verdict.
 * <ul>
 *   <li>{@link NeuralCleanse} assumes a trigger is a small patch: the target is the class whose
 *       smallest trigger mask is abnormally small (one-sided anomaly index on log mask sizes above
 *       {@link NeuralCleanse#ANOMALY_THRESHOLD}).</li>
 *   <li>{@link MaxMargin} (MM-BD) assumes nothing about the trigger: the target is the class whose
 *       largest reachable logit margin is abnormally large (Gamma p-value below 0.05).</li>
 * </ul>
 * {@link #combine The verdict}: Neural Cleanse's flags, and MM-BD's flagged class when Neural
 * Cleanse's figures lean the same way; each detector's own figures are kept in the result.
 */
public final class BackdoorScan {

    /** Above this anomaly index Neural Cleanse alone flags a class: its own threshold, the paper's 2. */
    public static final double NEURAL_CLEANSE_ALONE = NeuralCleanse.ANOMALY_THRESHOLD;

    /**
     * The Neural Cleanse index MM-BD's flagged class also needs: 1, a mask clearly below the
     * median, so that MM-BD's one look at the largest margin (p-value 0.05 over 10 classes) does
     * not raise an alarm on its own.
     */
    public static final double SUPPORTING_INDEX = 1.0;

    /**
     * Both detectors' findings and the verdict.
     *
     * @param neuralCleanse Neural Cleanse's recovered triggers, indices and own flags
     * @param maxMargin     MM-BD's margins, p-value and own flag
     * @param flagged       the verdict: the classes judged a backdoor's target, ascending
     * @param seconds       wall-clock seconds of both searches
     */
    public record Result(ScanResult neuralCleanse, MaxMargin.Result maxMargin, int[] flagged, double seconds) {

        public Result {
            Objects.requireNonNull(neuralCleanse, "neuralCleanse");
            Objects.requireNonNull(maxMargin, "maxMargin");
            flagged = flagged.clone();
        }

        /** Whether the verdict names {@code label}. */
        public boolean isFlagged(int label) {
            for (int f : flagged) {
                if (f == label) {
                    return true;
                }
            }
            return false;
        }
    }

    private BackdoorScan() {}

    /**
     * Runs Neural Cleanse on {@code clean} and MM-BD (which needs no images) on {@code net}, then
     * combines them.
     *
     * @param listener told of Neural Cleanse's progress; may be null
     */
    public static Result scan(Network net, LabeledImages clean, NeuralCleanse.Settings neuralCleanse,
                              MaxMargin.Settings maxMargin, NeuralCleanse.Listener listener) {
        long start = System.nanoTime();
        ScanResult nc = NeuralCleanse.scan(net, clean, neuralCleanse, listener);
        MaxMargin.Result mm = MaxMargin.scan(net, Shape.image(clean.rows(), clean.cols()), maxMargin);
        return new Result(nc, mm, combine(nc.anomalyIndices(), mm), (System.nanoTime() - start) / 1e9);
    }

    /**
     * The verdict from both detectors' figures: class c is flagged when
     * <ul>
     *   <li>Neural Cleanse's index of c is above {@link #NEURAL_CLEANSE_ALONE}, or</li>
     *   <li>MM-BD flags c (its largest margin, p-value below its threshold) and Neural Cleanse's
     *       index of c is above {@link #SUPPORTING_INDEX}: a class with an overriding feature that
     *       also needs an unusually small patch.</li>
     * </ul>
     *
     * @param indices   Neural Cleanse's anomaly index per class
     * @param maxMargin MM-BD's result over the same classes
     */
    static int[] combine(double[] indices, MaxMargin.Result maxMargin) {
        TreeSet<Integer> flagged = new TreeSet<>();
        for (int c = 0; c < indices.length; c++) {
            if (indices[c] > NEURAL_CLEANSE_ALONE) {
                flagged.add(c);
            }
        }
        int suspect = maxMargin.suspect();
        if (maxMargin.flagged() && indices[suspect] > SUPPORTING_INDEX) {
            flagged.add(suspect);
        }
        return flagged.stream().mapToInt(Integer::intValue).toArray();
    }
}
