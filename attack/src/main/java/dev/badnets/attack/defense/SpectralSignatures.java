package dev.badnets.attack.defense;

import org.ejml.data.FMatrixRMaj;

/**
 * Spectral signatures (Tran, Li and Madry, NeurIPS 2018). Within each class, poisoned samples
 * that the network maps to the class through the trigger tend to lie along the top principal
 * direction of the class's centred representations; a sample's score is its squared projection
 * on that direction.
 *
 * <p>The paper removes 1.5 x eps x (class size) from the attacked class, knowing which class that
 * is. Without the target, the same total budget, 1.5 x rate x (training-set size), goes to the
 * highest scores across all classes, each class's scores first divided by its median so that
 * they share one scale. An all-to-one attack puts all its poison into one class, so a per-class
 * budget of 1.5 x rate would miss most of it.
 *
 * <p>Known weakness: when the top direction is the class's natural variation rather than the
 * poison, the poison is missed; {@link Spectre} whitens first for that reason.
 */
public final class SpectralSignatures implements Detector {

    static final String NAME = "spectral";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Detection detect(FMatrixRMaj representations, int[] labels, int classes,
                            double expectedRate) {
        ClassGroups groups = ClassGroups.of(NAME, representations, labels, classes, expectedRate, 2);
        Detection scored = groups.examineEach(NAME, labels, true, (c, x) -> {
            double[] mean = Stats.mean(x, null);
            Stats.Eigen eigen = Stats.symmetricEigen(Stats.covariance(x, mean, null));
            // The top eigenvector of the covariance is the top right-singular vector of the
            // centred matrix, at d x d cost instead of n x d.
            int d = x.numCols;
            double[] scores = new double[x.numRows];
            for (int r = 0; r < x.numRows; r++) {
                double projection = 0;
                for (int j = 0; j < d; j++) {
                    projection += (x.data[r * d + j] - mean[j]) * eigen.vectors().get(j, 0);
                }
                scores[r] = projection * projection;
            }
            return new ClassGroups.ClassVerdict(scores, new int[0]);
        });
        // one budget over all classes, on the scores normalised per class
        int[] flagged = Stats.topScores(scored.scores(), groups.budget(expectedRate));
        return Detection.of(NAME, scored.scores(), flagged, labels, classes);
    }
}
