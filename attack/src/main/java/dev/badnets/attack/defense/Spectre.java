package dev.badnets.attack.defense;

import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * SPECTRE (Hayase, Kong, Somani and Oh, ICML 2021): spectral signatures after robust whitening.
 * Within each class:
 * <ol>
 *   <li>project the centred representations on their top {@code dims} principal directions;</li>
 *   <li>estimate the clean mean and covariance robustly, ignoring the samples most likely to be
 *       poison: concentration steps of the minimum covariance determinant estimator (keep the
 *       samples with the smallest Mahalanobis distances, re-estimate, repeat until the kept set is
 *       stable), then a consistency correction so that clean samples whiten to unit variance;</li>
 *   <li>whiten every sample with that estimate, so that the natural variation of the class no
 *       longer hides the poison, which now stands out as the direction of excess variance;</li>
 *   <li>score with quantum entropy scoring (QUE): with {@code S} the covariance of the whitened
 *       samples, {@code M = exp(alpha (S - I) / (||S|| - 1)) / tr(...)} and a sample's score is
 *       {@code y' M y}; alpha = 4 as in the paper.</li>
 * </ol>
 * The paper replaces the DKK17 filter of step 2 by these concentration steps (Rousseeuw and Van
 * Driessen 1999), which serve the same purpose with a few lines of EJML.
 *
 * <p>Budget: the detector is not told the target class. Each class's scores are divided by the
 * class's median score and the budget of 1.5 x rate x (training-set size) goes to the highest
 * scores across all classes, so an all-to-one attack, which concentrates its poison in one
 * class, is removed in full; a class with no poison loses only samples that stand out more than
 * the poison does.
 */
public final class Spectre implements Detector {

    static final String NAME = "spectre";

    private final int dims;
    private final double alpha;

    /** Defaults of the paper's experiments: 32 dimensions, alpha 4. */
    public Spectre() {
        this(32, 4.0);
    }

    /**
     * @param dims  principal directions kept per class, at least 1
     * @param alpha QUE's exponent: 0 scores by whitened norm, large values by the single top
     *              direction; must be >= 0
     */
    public Spectre(int dims, double alpha) {
        if (dims < 1) {
            throw new IllegalArgumentException("dims must be >= 1, got " + dims);
        }
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be a finite number >= 0, got " + alpha);
        }
        this.dims = dims;
        this.alpha = alpha;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Detection detect(FMatrixRMaj representations, int[] labels, int classes,
                            double expectedRate) {
        // Concentration steps need twice the kept dimensions, or the covariance is singular.
        int minimum = 2 * (Math.min(dims, representations.numCols) + 1);
        ClassGroups groups = ClassGroups.of(NAME, representations, labels, classes, expectedRate,
                minimum);
        // Every class may hold the whole suspected poison; trim twice that, at most half a class.
        long suspected = (long) Math.ceil(2 * expectedRate * groups.samples);
        double[] scores = new double[groups.samples];
        for (int c = 0; c < classes; c++) {
            int[] members = groups.members[c];
            if (members.length == 0) {
                continue;
            }
            int trim = (int) Math.min(members.length / 2, suspected);
            double[] classScores = scoreClass(groups.rows(c), trim);
            for (int r = 0; r < members.length; r++) {
                scores[members[r]] = classScores[r];
            }
            Stats.normaliseByClassMedian(scores, members);
        }
        int[] flagged = Stats.topScores(scores, groups.budget(expectedRate));
        return Detection.of(NAME, scores, flagged, labels, classes);
    }

    /** QUE scores of one class's samples after robust whitening. */
    double[] scoreClass(DMatrixRMaj x, int trim) {
        int n = x.numRows;
        double[] mean = Stats.mean(x, null);
        Stats.Eigen pca = Stats.symmetricEigen(Stats.covariance(x, mean, null));
        int k = Stats.usefulDimensions(pca.values(), dims);
        if (k == 0) {
            return new double[n]; // every sample identical: nothing stands out
        }
        DMatrixRMaj projected = new DMatrixRMaj(n, k);
        CommonOps_DDRM.mult(Stats.centred(x, mean), pca.top(k), projected);

        boolean[] clean = robustSubset(projected, n - trim);
        double[] robustMean = Stats.mean(projected, clean);
        DMatrixRMaj robustCov = Stats.covariance(projected, robustMean, clean);
        // The kept samples are the central ones, so their covariance is too small; rescale so the
        // median squared distance matches the chi-square median (the MCD consistency factor).
        double[] d2 = mahalanobis(projected, robustMean, robustCov);
        CommonOps_DDRM.scale(Stats.median(d2) / chiSquareMedian(k), robustCov);

        DMatrixRMaj whitened = whiten(projected, robustMean, robustCov);
        DMatrixRMaj m = queMatrix(Stats.covariance(whitened, Stats.mean(whitened, null), null));
        double[] scores = new double[n];
        DMatrixRMaj y = new DMatrixRMaj(1, k);
        DMatrixRMaj my = new DMatrixRMaj(1, k);
        for (int r = 0; r < n; r++) {
            System.arraycopy(whitened.data, r * k, y.data, 0, k);
            CommonOps_DDRM.mult(y, m, my);
            scores[r] = CommonOps_DDRM.dot(y, my);
        }
        return scores;
    }

    /**
     * Concentration steps: from all samples, repeatedly keep the {@code keep} samples closest (in
     * Mahalanobis distance) to the current estimate; each step can only lower the determinant of
     * the covariance, so the subset settles within a few steps.
     */
    static boolean[] robustSubset(DMatrixRMaj x, int keep) {
        int n = x.numRows;
        boolean[] use = new boolean[n];
        java.util.Arrays.fill(use, true);
        for (int step = 0; step < 50; step++) {
            double[] mean = Stats.mean(x, use);
            double[] d2 = mahalanobis(x, mean, Stats.covariance(x, mean, use));
            int[] closest = Stats.topScores(negate(d2), keep);
            boolean[] next = new boolean[n];
            for (int i : closest) {
                next[i] = true;
            }
            if (java.util.Arrays.equals(next, use)) {
                break;
            }
            use = next;
        }
        return use;
    }

    /** Squared Mahalanobis distance of every row of {@code x} from {@code mean} under {@code cov}. */
    static double[] mahalanobis(DMatrixRMaj x, double[] mean, DMatrixRMaj cov) {
        DMatrixRMaj y = whiten(x, mean, cov);
        int k = y.numCols;
        double[] d2 = new double[x.numRows];
        for (int r = 0; r < d2.length; r++) {
            double s = 0;
            for (int j = 0; j < k; j++) {
                double v = y.data[r * k + j];
                s += v * v;
            }
            d2[r] = s;
        }
        return d2;
    }

    /** {@code (x - mean) cov^(-1/2)}, row by row; directions without variance are left at zero. */
    static DMatrixRMaj whiten(DMatrixRMaj x, double[] mean, DMatrixRMaj cov) {
        int k = cov.numRows;
        Stats.Eigen eigen = Stats.symmetricEigen(cov);
        double floor = Math.max(eigen.values()[0], 0) * 1e-12;
        DMatrixRMaj scaledVectors = eigen.vectors().copy();
        for (int j = 0; j < k; j++) {
            double lambda = eigen.values()[j];
            double s = lambda > floor ? 1 / Math.sqrt(lambda) : 0;
            for (int r = 0; r < k; r++) {
                scaledVectors.set(r, j, scaledVectors.get(r, j) * s);
            }
        }
        DMatrixRMaj inverseRoot = new DMatrixRMaj(k, k);
        CommonOps_DDRM.multTransB(scaledVectors, eigen.vectors(), inverseRoot);
        DMatrixRMaj y = new DMatrixRMaj(x.numRows, k);
        CommonOps_DDRM.mult(Stats.centred(x, mean), inverseRoot, y);
        return y;
    }

    /** QUE's weighting {@code exp(alpha (S - I) / (||S|| - 1))}, normalised to unit trace. */
    DMatrixRMaj queMatrix(DMatrixRMaj s) {
        int k = s.numRows;
        Stats.Eigen eigen = Stats.symmetricEigen(s);
        double excess = eigen.values()[0] - 1;
        double[] weights = new double[k];
        double trace = 0;
        for (int j = 0; j < k; j++) {
            // No direction with excess variance: every direction weighs the same.
            weights[j] = excess > 1e-9 ? Math.exp(alpha * (eigen.values()[j] - 1) / excess) : 1;
            trace += weights[j];
        }
        DMatrixRMaj scaledVectors = eigen.vectors().copy();
        for (int j = 0; j < k; j++) {
            for (int r = 0; r < k; r++) {
                scaledVectors.set(r, j, scaledVectors.get(r, j) * weights[j] / trace);
            }
        }
        DMatrixRMaj m = new DMatrixRMaj(k, k);
        CommonOps_DDRM.multTransB(scaledVectors, eigen.vectors(), m);
        return m;
    }

    /** Median of the chi-square distribution with k degrees of freedom (Wilson-Hilferty). */
    static double chiSquareMedian(int k) {
        double t = 1 - 2.0 / (9 * k);
        return k * t * t * t;
    }

    private static double[] negate(double[] values) {
        double[] n = new double[values.length];
        for (int i = 0; i < n.length; i++) {
            n[i] = -values[i];
        }
        return n;
    }
}
