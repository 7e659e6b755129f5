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
 * The paper's robust estimator is the DKK17 filter; the concentration steps (Rousseeuw and Van
 * Driessen 1999) serve the same purpose in a few lines of EJML.
 *
 * <p>What is removed. The detector is not told the target class, and the paper's rule (remove
 * 1.5 x eps x n from the target class) needs it. Here every class is examined, and a class loses
 * samples only when its sorted scores show a separate population: a drop between consecutive
 * scores by a factor r, with m samples above it (from {@value #MINIMUM_POPULATION} to half the
 * class), such that (r - 1) sqrt(m) is at least {@value #GAP}; on real MNIST the 600 poisoned
 * samples of the demo stand above a drop of 3.6 (significance 63), while no clean class exceeds 1. From such a class the top 1.5 x (population) scores are removed, the
 * paper's margin. A clean class's scores tail off smoothly, so it keeps its samples. The robust
 * estimate only exposes the poison when it trims at least as many samples as are poisoned, while
 * trimming far more makes a clean class's own tails heavier; so each class is scored with trims
 * of twice the suspected count (expected rate x training-set size, which one class may hold in
 * full), halving down to {@value #MINIMUM_POPULATION}, and the trim with the widest gap is kept.
 * The expected rate therefore bounds the search rather than fixing the count removed.
 *
 * <p>Scores ({@link Detection#scores()}) are each class's QUE scores divided by the class median.
 */
public final class Spectre implements Detector {

    static final String NAME = "spectre";
    /** How significant the gap above a poisoned population must be (see {@link #widestGap}). */
    static final double GAP = 3.0;
    /** Fewer flagged-looking samples than this are not told apart from a class's natural outliers. */
    static final int MINIMUM_POPULATION = 10;

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
        int minimum = Math.max(2 * (Math.min(dims, representations.numCols) + 1),
                2 * MINIMUM_POPULATION);
        ClassGroups groups = ClassGroups.of(NAME, representations, labels, classes, expectedRate,
                minimum);
        // Any one class may hold all the suspected poison (an all-to-one attack puts it there).
        long suspected = Math.round(expectedRate * groups.samples);
        return groups.examineEach(NAME, labels, true, (c, rows) -> {
            ClassResult result = examineClass(rows, suspected);
            int remove = result.population() == 0 ? 0
                    : (int) Math.min(rows.numRows / 2, Math.ceil(1.5 * result.population()));
            return new ClassGroups.ClassVerdict(result.scores(), Stats.topScores(result.scores(), remove));
        });
    }

    /** One class's QUE scores and the size of its separated population (0: none). */
    record ClassResult(double[] scores, int population, int trim) {}

    /**
     * Scores a class with several trims, twice the suspected count and halving down to
     * {@value #MINIMUM_POPULATION}: the robust estimate only leaves the poison out when it trims
     * at least as many samples as are poisoned, while trimming far more makes the clean samples'
     * own tails heavier. The trim that separates a population best wins.
     */
    ClassResult examineClass(DMatrixRMaj x, long suspected) {
        int n = x.numRows;
        DMatrixRMaj projected = project(x);
        ClassResult best = null;
        double widest = 0;
        for (long trim = Math.min(n / 2, 2 * suspected); trim >= MINIMUM_POPULATION; trim /= 2) {
            double[] classScores = projected == null ? new double[n]
                    : queScores(projected, (int) trim);
            double[] gap = widestGap(classScores);
            if (best == null || gap[0] > widest) {
                widest = gap[0];
                best = new ClassResult(classScores, gap[0] >= GAP ? (int) gap[1] : 0, (int) trim);
            }
        }
        if (best == null) { // the suspected count is below the minimum population
            best = new ClassResult(new double[n], 0, 0);
        }
        return best;
    }

    /** The centred samples on their top principal directions; null when all are identical. */
    DMatrixRMaj project(DMatrixRMaj x) {
        double[] mean = Stats.mean(x, null);
        Stats.Eigen pca = Stats.symmetricEigen(Stats.covariance(x, mean, null));
        int k = Stats.usefulDimensions(pca.values(), dims);
        if (k == 0) {
            return null;
        }
        DMatrixRMaj projected = new DMatrixRMaj(x.numRows, k);
        CommonOps_DDRM.mult(Stats.centred(x, mean), pca.top(k), projected);
        return projected;
    }

    /**
     * The most significant drop between consecutive sorted scores, as {significance, number of
     * scores above it}, over populations of {@value #MINIMUM_POPULATION} to half the class. A
     * drop by the factor r above m samples has significance (r - 1) sqrt(m): the few top scores
     * of a clean class lie far apart by chance, the hundreds of a poisoned population do not.
     */
    static double[] widestGap(double[] classScores) {
        double[] sorted = classScores.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        double best = 0;
        int population = 0;
        for (int size = MINIMUM_POPULATION; size <= n / 2; size++) {
            double above = sorted[n - size];
            double below = sorted[n - size - 1];
            double ratio = below > 0 ? above / below : above > 0 ? Double.POSITIVE_INFINITY : 1;
            double significance = (ratio - 1) * Math.sqrt(size);
            if (significance > best) {
                best = significance;
                population = size;
            }
        }
        return new double[] {best, population};
    }

    /** QUE scores of a class's projected samples after robust whitening that trims {@code trim}. */
    double[] queScores(DMatrixRMaj projected, int trim) {
        int n = projected.numRows;
        int k = projected.numCols;
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
            boolean[] next = smallest(d2, keep);
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

    /** Marks the {@code keep} smallest values; ties go to the lower index. */
    static boolean[] smallest(double[] values, int keep) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        double threshold = sorted[keep - 1];
        int below = 0;
        for (double v : values) {
            if (v < threshold) {
                below++;
            }
        }
        int ties = keep - below;
        boolean[] marked = new boolean[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < threshold || (values[i] == threshold && ties-- > 0)) {
                marked[i] = true;
            }
        }
        return marked;
    }
}
