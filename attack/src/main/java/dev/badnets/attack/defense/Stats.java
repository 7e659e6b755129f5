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

    /**
     * Maximum-likelihood Gamma fit with location 0: {@code {shape k, scale θ}} of positive values.
     * With {@code s = log(mean) - mean(log x)} the shape solves {@code log k - ψ(k) = s} (Newton's
     * method from the closed-form start {@code (3 - s + sqrt((s - 3)^2 + 24 s)) / (12 s)}, which
     * is within 1.5% already), and {@code θ = mean / k}. Equal values (s = 0) give a shape of 1e6,
     * a Gamma all but concentrated at the mean.
     *
     * @throws IllegalArgumentException for fewer than 2 values or one that is not a finite positive number
     */
    static double[] gammaFit(double[] values) {
        if (values.length < 2) {
            throw new IllegalArgumentException("a Gamma fit needs at least 2 values, got " + values.length);
        }
        double mean = 0, meanLog = 0;
        for (double v : values) {
            if (!(v > 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("a Gamma fit needs finite positive values, got " + v);
            }
            mean += v;
            meanLog += Math.log(v);
        }
        mean /= values.length;
        meanLog /= values.length;
        double s = Math.log(mean) - meanLog;
        if (s < 1e-12) {
            return new double[] {1e6, mean / 1e6};
        }
        double k = (3 - s + Math.sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s);
        for (int i = 0; i < 50; i++) {
            double f = Math.log(k) - digamma(k) - s, df = 1 / k - trigamma(k);
            double next = k - f / df;
            if (!(next > 0)) {
                next = k / 2;
            }
            if (Math.abs(next - k) < 1e-12 * k) {
                k = next;
                break;
            }
            k = next;
        }
        return new double[] {k, mean / k};
    }

    /** The upper tail {@code Q(k, x/θ) = 1 - F(x)} of a Gamma of shape k and scale θ (location 0). */
    static double gammaUpperTail(double x, double shape, double scale) {
        if (x <= 0) {
            return 1;
        }
        double z = x / scale;
        if (z < shape + 1) {
            return 1 - lowerSeries(shape, z);
        }
        return upperFraction(shape, z);
    }

    /** The CDF {@code P(k, x/θ)} of a Gamma of shape k and scale θ (location 0). */
    static double gammaCdf(double x, double shape, double scale) {
        return 1 - gammaUpperTail(x, shape, scale);
    }

    /** P(a, z) by its series {@code e^{-z} z^a / Γ(a) Σ_n z^n / (a (a+1) ... (a+n))}, for z < a + 1. */
    private static double lowerSeries(double a, double z) {
        double term = 1 / a, sum = term;
        for (int n = 1; n < 10_000; n++) {
            term *= z / (a + n);
            sum += term;
            if (term < sum * 1e-16) {
                break;
            }
        }
        return sum * Math.exp(-z + a * Math.log(z) - logGamma(a));
    }

    /** Q(a, z) by its continued fraction (modified Lentz), for z >= a + 1. */
    private static double upperFraction(double a, double z) {
        double tiny = 1e-300;
        double b = z + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
        for (int i = 1; i < 10_000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            d = Math.abs(d) < tiny ? tiny : d;
            c = b + an / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(-z + a * Math.log(z) - logGamma(a)) * h;
    }

    /** log Γ(x) for x > 0: Lanczos' approximation (g = 7, nine terms), relative error about 1e-15. */
    static double logGamma(double x) {
        if (x < 0.5) { // reflection: Γ(x) Γ(1 - x) = π / sin(π x)
            return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
        }
        double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        x -= 1;
        double sum = c[0];
        for (int i = 1; i < 9; i++) {
            sum += c[i] / (x + i);
        }
        double t = x + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    /** ψ(x) = d log Γ / dx for x > 0: the recurrence ψ(x) = ψ(x + 1) - 1/x up to x >= 10, then the asymptotic series. */
    static double digamma(double x) {
        double shift = 0;
        while (x < 10) {
            shift -= 1 / x;
            x += 1;
        }
        double r = 1 / (x * x);
        return shift + Math.log(x) - 0.5 / x - r * (1.0 / 12 - r * (1.0 / 120 - r * (1.0 / 252 - r / 240)));
    }

    /** ψ'(x) for x > 0: ψ'(x) = ψ'(x + 1) + 1/x² up to x >= 10, then the asymptotic series. */
    static double trigamma(double x) {
        double shift = 0;
        while (x < 10) {
            shift += 1 / (x * x);
            x += 1;
        }
        double r = 1 / (x * x);
        return shift + 1 / x + r / 2 + r / x * (1.0 / 6 - r * (1.0 / 30 - r * (1.0 / 42 - r / 30)));
    }
}
