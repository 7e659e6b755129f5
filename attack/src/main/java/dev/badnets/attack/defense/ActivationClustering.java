package dev.badnets.attack.defense;

import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Activation clustering (Chen et al., "Detecting backdoor attacks on deep neural networks by
 * activation clustering", 2018). Within each class: reduce the centred representations to
 * {@code dims} independent components (PCA to that many directions, whitening, then FastICA, as
 * the paper does), split them in two with k-means (k-means++ seeding, a few seeded restarts and
 * one start from the farthest sample; the lowest within-cluster sum of squares wins), and flag the
 * smaller cluster
 * when it is both small (below {@code sizeThreshold} of the class) and a separate population (mean
 * silhouette at least {@code silhouetteThreshold}). A clean class splits into two halves of
 * similar size that touch, so it is left alone.
 *
 * <p>A sample's score is {@code (d_large - d_small) / (d_large + d_small)}, its distances to the
 * two centroids: positive when it sits nearer the smaller cluster. The expected rate is checked
 * but does not set a budget: the clusters decide how many samples are flagged.
 *
 * <p>Known weakness: the poison must lie within the class's top {@code dims} principal
 * directions and make up enough of the class for k-means to prefer cutting it off over cutting
 * the class in two; a few samples far out, or poison hidden under wide natural variation, are
 * missed ({@link Spectre} handles both).
 */
public final class ActivationClustering implements Detector {

    static final String NAME = "activation-clustering";
    /** Silhouettes are averaged over at most this many samples per class (the cost is quadratic). */
    private static final int SILHOUETTE_SAMPLES = 2000;

    private final int dims;
    private final double sizeThreshold;
    private final double silhouetteThreshold;
    private final int restarts;
    private final long seed;

    /** Defaults: 10 dimensions, size below 35%, silhouette at least 0.15, 8 restarts, seed 1. */
    public ActivationClustering() {
        this(10, 0.35, 0.15, 8, 1);
    }

    /**
     * @param dims                principal directions kept per class, at least 1
     * @param sizeThreshold       the smaller cluster is flagged only below this share of its class,
     *                            in (0, 0.5]
     * @param silhouetteThreshold ... and only when the mean silhouette reaches this, in [-1, 1]
     * @param restarts            k-means runs from different seeds, at least 1
     * @param seed                seed of the k-means++ initialisations
     */
    public ActivationClustering(int dims, double sizeThreshold, double silhouetteThreshold,
                                int restarts, long seed) {
        if (dims < 1) {
            throw new IllegalArgumentException("dims must be >= 1, got " + dims);
        }
        if (!(sizeThreshold > 0 && sizeThreshold <= 0.5)) {
            throw new IllegalArgumentException("sizeThreshold must be in (0, 0.5], got "
                    + sizeThreshold);
        }
        if (!(silhouetteThreshold >= -1 && silhouetteThreshold <= 1)) {
            throw new IllegalArgumentException("silhouetteThreshold must be in [-1, 1], got "
                    + silhouetteThreshold);
        }
        if (restarts < 1) {
            throw new IllegalArgumentException("restarts must be >= 1, got " + restarts);
        }
        this.dims = dims;
        this.sizeThreshold = sizeThreshold;
        this.silhouetteThreshold = silhouetteThreshold;
        this.restarts = restarts;
        this.seed = seed;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Per class: the smaller cluster's share of the class and the mean silhouette. */
    record Split(int[] assignment, int small, double smallShare, double silhouette, double[] scores) {}

    @Override
    public Detection detect(FMatrixRMaj representations, int[] labels, int classes,
                            double expectedRate) {
        ClassGroups groups = ClassGroups.of(NAME, representations, labels, classes, expectedRate,
                2 * (Math.min(dims, representations.numCols) + 1));
        return groups.examineEach(NAME, labels, false, (c, rows) -> {
            Split split = split(rows, seed + c);
            boolean flagClass = split.smallShare() < sizeThreshold
                    && split.silhouette() >= silhouetteThreshold;
            int[] smaller = java.util.stream.IntStream.range(0, rows.numRows)
                    .filter(r -> flagClass && split.assignment()[r] == split.small()).toArray();
            return new ClassGroups.ClassVerdict(split.scores(), smaller);
        });
    }

    /** Two-means split of one class after PCA and ICA. */
    Split split(DMatrixRMaj x, long classSeed) {
        int n = x.numRows;
        double[] mean = Stats.mean(x, null);
        Stats.Eigen pca = Stats.symmetricEigen(Stats.covariance(x, mean, null));
        int k = Stats.usefulDimensions(pca.values(), dims);
        if (k == 0) {
            return new Split(new int[n], 1, 0.5, 0, new double[n]); // identical samples: no split
        }
        DMatrixRMaj p = new DMatrixRMaj(n, k);
        CommonOps_DDRM.mult(Stats.centred(x, mean), pca.top(k), p);
        // Whitened, then rotated to independent components, as Chen et al. reduce with ICA: a
        // poisoned population is a two-mode direction, which ICA finds and PCA need not.
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < k; j++) {
                p.data[r * k + j] /= Math.sqrt(pca.values()[j]);
            }
        }
        p = FastIca.components(p, classSeed);

        // A small far-away population rarely seeds k-means++ (it holds little of the squared
        // distance), so one more run starts from the class centre and the farthest sample.
        int[] best = new int[n];
        double bestInertia = kMeans(p, new double[k], row(p, farthestFromOrigin(p)), best);
        SplittableRandom random = new SplittableRandom(classSeed);
        for (int run = 0; run < restarts; run++) {
            int[] assignment = new int[n];
            double inertia = kMeansPlusPlus(p, random.split(), assignment);
            if (inertia < bestInertia) {
                bestInertia = inertia;
                best = assignment;
            }
        }
        int ones = 0;
        for (int a : best) {
            ones += a;
        }
        int small = ones <= n - ones ? 1 : 0;
        double share = Math.min(ones, n - ones) / (double) n;
        double[][] centroids = centroids(p, best);
        double[] scores = new double[n];
        for (int r = 0; r < n; r++) {
            double toSmall = Math.sqrt(squaredDistance(p, r, centroids[small]));
            double toLarge = Math.sqrt(squaredDistance(p, r, centroids[1 - small]));
            double sum = toSmall + toLarge;
            scores[r] = sum > 0 ? (toLarge - toSmall) / sum : 0;
        }
        return new Split(best, small, share, silhouette(p, best), scores);
    }

    /** Two-means from a k-means++ start; returns the inertia. */
    static double kMeansPlusPlus(DMatrixRMaj p, SplittableRandom random, int[] assignment) {
        int n = p.numRows;
        double[] first = row(p, random.nextInt(n));
        // k-means++: the second centre is drawn with probability proportional to squared distance.
        double[] d2 = new double[n];
        double total = 0;
        for (int r = 0; r < n; r++) {
            d2[r] = squaredDistance(p, r, first);
            total += d2[r];
        }
        int second = n - 1;
        double u = random.nextDouble() * total;
        for (int r = 0; r < n; r++) {
            u -= d2[r];
            if (u < 0) {
                second = r;
                break;
            }
        }
        return kMeans(p, first, row(p, second), assignment);
    }

    /** Lloyd's algorithm for two clusters from the given centres; returns the inertia. */
    static double kMeans(DMatrixRMaj p, double[] first, double[] second, int[] assignment) {
        int n = p.numRows;
        double[][] centres = {first, second};
        java.util.Arrays.fill(assignment, -1);
        double inertia = 0;
        for (int iteration = 0; iteration < 300; iteration++) {
            boolean changed = false;
            inertia = 0;
            for (int r = 0; r < n; r++) {
                double a = squaredDistance(p, r, centres[0]);
                double b = squaredDistance(p, r, centres[1]);
                int nearest = b < a ? 1 : 0;
                inertia += Math.min(a, b);
                if (assignment[r] != nearest) {
                    assignment[r] = nearest;
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
            double[][] moved = centroids(p, assignment);
            for (int c = 0; c < 2; c++) {
                if (moved[c] != null) {
                    centres[c] = moved[c];
                }
            }
        }
        return inertia;
    }

    /** Means of the two clusters; null for an empty cluster. */
    static double[][] centroids(DMatrixRMaj p, int[] assignment) {
        int k = p.numCols;
        double[][] sums = new double[2][k];
        int[] counts = new int[2];
        for (int r = 0; r < p.numRows; r++) {
            int c = assignment[r];
            counts[c]++;
            for (int j = 0; j < k; j++) {
                sums[c][j] += p.data[r * k + j];
            }
        }
        for (int c = 0; c < 2; c++) {
            if (counts[c] == 0) {
                sums[c] = null;
                continue;
            }
            for (int j = 0; j < k; j++) {
                sums[c][j] /= counts[c];
            }
        }
        return sums;
    }

    /**
     * Mean silhouette (b - a) / max(a, b) over an evenly spaced subsample of at most
     * {@value #SILHOUETTE_SAMPLES} samples, a and b being the mean distances to the sample's own
     * cluster and to the other one. Near 1: two separate populations; near 0: one population cut.
     */
    static double silhouette(DMatrixRMaj p, int[] assignment) {
        int n = p.numRows;
        int stride = (n + SILHOUETTE_SAMPLES - 1) / SILHOUETTE_SAMPLES;
        int m = (n + stride - 1) / stride;
        int[] sample = new int[m];
        int[] sizes = new int[2];
        for (int s = 0; s < m; s++) {
            sample[s] = s * stride;
            sizes[assignment[sample[s]]]++;
        }
        if (sizes[0] < 2 || sizes[1] < 2) {
            return 0;
        }
        double total = 0;
        for (int s : sample) {
            double[] sums = new double[2];
            for (int t : sample) {
                if (t != s) {
                    sums[assignment[t]] += Math.sqrt(squaredDistance(p, s, t));
                }
            }
            int own = assignment[s];
            double a = sums[own] / (sizes[own] - 1);
            double b = sums[1 - own] / sizes[1 - own];
            double max = Math.max(a, b);
            total += max > 0 ? (b - a) / max : 0;
        }
        return total / m;
    }

    private static int farthestFromOrigin(DMatrixRMaj p) {
        int farthest = 0;
        double max = -1;
        double[] origin = new double[p.numCols];
        for (int r = 0; r < p.numRows; r++) {
            double d2 = squaredDistance(p, r, origin);
            if (d2 > max) {
                max = d2;
                farthest = r;
            }
        }
        return farthest;
    }

    private static double[] row(DMatrixRMaj p, int r) {
        double[] v = new double[p.numCols];
        System.arraycopy(p.data, r * p.numCols, v, 0, p.numCols);
        return v;
    }

    private static double squaredDistance(DMatrixRMaj p, int r, int t) {
        int k = p.numCols;
        double s = 0;
        for (int j = 0; j < k; j++) {
            double d = p.data[r * k + j] - p.data[t * k + j];
            s += d * d;
        }
        return s;
    }

    private static double squaredDistance(DMatrixRMaj p, int r, double[] centre) {
        int k = p.numCols;
        double s = 0;
        for (int j = 0; j < k; j++) {
            double d = p.data[r * k + j] - centre[j];
            s += d * d;
        }
        return s;
    }
}
