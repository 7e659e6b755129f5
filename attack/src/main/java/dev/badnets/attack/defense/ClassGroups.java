package dev.badnets.attack.defense;

import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;

/**
 * The input every detector shares, checked once: representations split by label, in double
 * precision (the statistics below sum thousands of squares, which float would blur).
 */
final class ClassGroups {

    final int samples;
    final int width;
    final int classes;
    /** {@code members[c]}: indices of the samples labelled c, ascending. */
    final int[][] members;

    private final FMatrixRMaj representations;

    private ClassGroups(FMatrixRMaj representations, int[][] members, int classes) {
        this.representations = representations;
        this.samples = representations.numRows;
        this.width = representations.numCols;
        this.classes = classes;
        this.members = members;
    }

    /**
     * Validates the arguments of {@link Detector#detect(FMatrixRMaj, int[], int, double)} and
     * groups the samples by label.
     *
     * @param method       the detector's name, for messages
     * @param minimumCount the fewest samples a non-empty class may have for this method
     */
    static ClassGroups of(String method, FMatrixRMaj representations, int[] labels, int classes,
                          double expectedRate, int minimumCount) {
        checkRate(expectedRate);
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        if (labels.length != representations.numRows) {
            throw new IllegalArgumentException("got " + labels.length + " labels for "
                    + representations.numRows + " representation rows; pass one label per row");
        }
        if (representations.numCols < 1) {
            throw new IllegalArgumentException("the representations have no columns; pass the"
                    + " activations of a hidden layer (one row per sample)");
        }
        for (float v : representations.data) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("the representations contain " + v
                        + "; the model is broken (retrain it) or was given the wrong data");
            }
        }
        int[] counts = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " of sample " + i
                        + " is out of range: expected 0 to " + (classes - 1)); // core's wording
            }
            counts[labels[i]]++;
        }
        int[][] members = new int[classes][];
        for (int c = 0; c < classes; c++) {
            // An empty class has nothing to flag; a tiny one has too little data for the statistics.
            if (counts[c] > 0 && counts[c] < minimumCount) {
                throw new IllegalArgumentException("class " + c + " has only " + counts[c]
                        + " samples; " + method + " needs at least " + minimumCount
                        + " per class (use more data or another method)");
            }
            members[c] = new int[counts[c]];
            counts[c] = 0;
        }
        for (int i = 0; i < labels.length; i++) {
            members[labels[i]][counts[labels[i]]++] = i;
        }
        return new ClassGroups(representations, members, classes);
    }

    static void checkRate(double expectedRate) {
        if (!(expectedRate > 0 && expectedRate < 0.5)) {
            throw new IllegalArgumentException("expected poison rate must be in (0, 0.5), got "
                    + expectedRate + "; pass the share of the training set you suspect, e.g. 0.01");
        }
    }

    /** The rows of class {@code c}, one per member, as a new n_c x width matrix. */
    DMatrixRMaj rows(int c) {
        int[] idx = members[c];
        DMatrixRMaj x = new DMatrixRMaj(idx.length, width);
        for (int r = 0; r < idx.length; r++) {
            int from = idx[r] * width;
            for (int j = 0; j < width; j++) {
                x.data[r * width + j] = representations.data[from + j];
            }
        }
        return x;
    }

    /**
     * What a detector concludes about one class.
     *
     * @param scores  one suspicion score per member, in the order of {@code members[c]}
     * @param flagged the members it flags, as positions in {@code members[c]} (not sample indices)
     */
    record ClassVerdict(double[] scores, int[] flagged) {
    }

    /** A detector's examination of one class from its rows ({@link #rows}). */
    @FunctionalInterface
    interface ClassExamination {
        ClassVerdict examine(int c, DMatrixRMaj rows);
    }

    /**
     * The per-class loop every detector runs: {@code examination} sees each non-empty class in turn;
     * its scores go to their samples (divided by the class's median score when
     * {@code normaliseByMedian}, so that classes share one scale: {@link Stats#normaliseByClassMedian}),
     * and its flags are gathered as sample indices.
     *
     * @return the detection, its flags ascending
     */
    Detection examineEach(String method, int[] labels, boolean normaliseByMedian, ClassExamination examination) {
        double[] scores = new double[samples];
        int[] flags = new int[samples];
        int flaggedCount = 0;
        for (int c = 0; c < classes; c++) {
            int[] own = members[c];
            if (own.length == 0) {
                continue;
            }
            ClassVerdict verdict = examination.examine(c, rows(c));
            for (int r = 0; r < own.length; r++) {
                scores[own[r]] = verdict.scores()[r];
            }
            if (normaliseByMedian) {
                Stats.normaliseByClassMedian(scores, own);
            }
            for (int r : verdict.flagged()) {
                flags[flaggedCount++] = own[r];
            }
        }
        return Detection.of(method, scores, java.util.Arrays.copyOf(flags, flaggedCount), labels, classes);
    }

    /** The removal budget shared by all classes: 1.5 x rate x samples, as in the papers. */
    int budget(double expectedRate) {
        return (int) Math.min(samples, Math.round(1.5 * expectedRate * samples));
    }
}
