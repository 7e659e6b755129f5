package dev.badnets.attack.defense;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/** The small statistics toolbox the detectors share; EJML does the linear algebra. */
final class Stats {

    private Stats() {}

    /** Column means of the rows of {@code x} selected by {@code use} (all rows when null). */
    static double[] mean(DMatrixRMaj x, boolean[] use) {
        int d = x.numCols;
        double[] mean = new double[d];
        int count = 0;
        for (int r = 0; r < x.numRows; r++) {
            if (use != null && !use[r]) {
                continue;
            }
            count++;
            for (int j = 0; j < d; j++) {
                mean[j] += x.data[r * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= count;
        }
        return mean;
    }

    /** A new matrix holding {@code x} minus {@code mean} from every row. */
    static DMatrixRMaj centred(DMatrixRMaj x, double[] mean) {
        DMatrixRMaj c = x.copy();
        int d = x.numCols;
        for (int r = 0; r < x.numRows; r++) {
            for (int j = 0; j < d; j++) {
                c.data[r * d + j] -= mean[j];
            }
        }
        return c;
    }

    /**
     * Covariance (divided by the count, as the papers do) of the selected rows of {@code x}
     * around {@code mean}.
     */
    static DMatrixRMaj covariance(DMatrixRMaj x, double[] mean, boolean[] use) {
        int d = x.numCols;
        int count = 0;
        for (int r = 0; r < x.numRows; r++) {
            if (use == null || use[r]) {
                count++;
            }
        }
        DMatrixRMaj c = new DMatrixRMaj(count, d);
        int row = 0;
        for (int r = 0; r < x.numRows; r++) {
            if (use != null && !use[r]) {
                continue;
            }
            for (int j = 0; j < d; j++) {
                c.data[row * d + j] = x.data[r * d + j] - mean[j];
            }
            row++;
        }
        DMatrixRMaj cov = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransA(c, c, cov);
        CommonOps_DDRM.scale(1.0 / count, cov);
        return cov;
    }

    /** Eigenvalues (descending) and unit eigenvectors (the columns of {@code vectors}). */
    record Eigen(double[] values, DMatrixRMaj vectors) {

        /** The first {@code k} eigenvectors as the columns of a d x k matrix. */
        DMatrixRMaj top(int k) {
            return CommonOps_DDRM.extract(vectors, 0, vectors.numRows, 0, k);
        }
    }

    /** Eigen-decomposition of a symmetric matrix, sorted by decreasing eigenvalue. */
    static Eigen symmetricEigen(DMatrixRMaj symmetric) {
        int d = symmetric.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(symmetric.copy())) {
            throw new ArithmeticException("eigen-decomposition of a " + d + "x" + d
                    + " covariance did not converge");
        }
        Integer[] order = new Integer[d];
        double[] raw = new double[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
            raw[i] = eig.getEigenvalue(i).real;
        }
        // Ties broken by index keep the order, and so the results, deterministic.
        Arrays.sort(order, (a, b) -> raw[a] != raw[b] ? Double.compare(raw[b], raw[a]) : a - b);
        double[] values = new double[d];
        DMatrixRMaj vectors = new DMatrixRMaj(d, d);
        for (int i = 0; i < d; i++) {
            values[i] = raw[order[i]];
            DMatrixRMaj v = eig.getEigenVector(order[i]);
            for (int r = 0; r < d; r++) {
                vectors.set(r, i, v.get(r, 0));
            }
        }
        return new Eigen(values, vectors);
    }

    /** Number of leading eigenvalues that carry variance (above a relative floor), at most {@code k}. */
    static int usefulDimensions(double[] descending, int k) {
        double floor = Math.max(descending[0], 0) * 1e-9;
        int useful = 0;
        while (useful < Math.min(k, descending.length) && descending[useful] > floor) {
            useful++;
        }
        return useful;
    }

    /** Median of the values (a copy is sorted). */
    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /**
     * Divides each class's scores by that class's median score, so that scores from different
     * classes (different spreads, different numbers of samples) can share one ranking.
     */
    static void normaliseByClassMedian(double[] scores, int[] members) {
        double[] own = new double[members.length];
        for (int i = 0; i < members.length; i++) {
            own[i] = scores[members[i]];
        }
        double median = median(own);
        if (median <= 0) {
            median = Arrays.stream(own).average().orElse(0);
        }
        if (median <= 0) {
            return; // every score is zero: nothing stands out
        }
        for (int m : members) {
            scores[m] /= median;
        }
    }

    /**
     * Indices of the {@code budget} highest scores, sorted ascending. Equal scores go to the
     * lower index, so the choice is deterministic.
     */
    static int[] topScores(double[] scores, int budget) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> scores[a] != scores[b]
                ? Double.compare(scores[b], scores[a]) : a - b);
        int[] flagged = new int[budget];
        for (int i = 0; i < budget; i++) {
            flagged[i] = order[i];
        }
        Arrays.sort(flagged);
        return flagged;
    }
}
