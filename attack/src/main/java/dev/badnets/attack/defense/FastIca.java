package dev.badnets.attack.defense;

import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * FastICA (Hyvarinen and Oja 2000), symmetric version with the log-cosh contrast, on data that is
 * already whitened. A poisoned population makes one direction strongly non-Gaussian (two modes),
 * which is what ICA looks for, whereas PCA only looks at variance.
 */
final class FastIca {

    private FastIca() {}

    /**
     * The independent components of whitened samples {@code z} (n x k, unit covariance), as a new
     * n x k matrix: {@code z W'} with W orthogonal.
     */
    static DMatrixRMaj components(DMatrixRMaj z, long seed) {
        int n = z.numRows;
        int k = z.numCols;
        SplittableRandom random = new SplittableRandom(seed);
        DMatrixRMaj w = new DMatrixRMaj(k, k);
        for (int i = 0; i < w.data.length; i++) {
            w.data[i] = random.nextDouble() * 2 - 1;
        }
        w = decorrelate(w);
        DMatrixRMaj s = new DMatrixRMaj(n, k);
        DMatrixRMaj g = new DMatrixRMaj(n, k);
        DMatrixRMaj next = new DMatrixRMaj(k, k);
        for (int iteration = 0; iteration < 200; iteration++) {
            CommonOps_DDRM.multTransB(z, w, s);
            // w_j <- E[z g(w_j'z)] - E[g'(w_j'z)] w_j with g = tanh, then keep W orthogonal.
            double[] meanDerivative = new double[k];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < k; j++) {
                    double t = Math.tanh(s.data[r * k + j]);
                    g.data[r * k + j] = t;
                    meanDerivative[j] += 1 - t * t;
                }
            }
            CommonOps_DDRM.multTransA(g, z, next);
            CommonOps_DDRM.scale(1.0 / n, next);
            for (int j = 0; j < k; j++) {
                for (int c = 0; c < k; c++) {
                    next.data[j * k + c] -= meanDerivative[j] / n * w.data[j * k + c];
                }
            }
            next = decorrelate(next);
            // Converged when every new direction is (up to sign) the old one.
            double change = 0;
            for (int j = 0; j < k; j++) {
                double dot = 0;
                for (int c = 0; c < k; c++) {
                    dot += next.data[j * k + c] * w.data[j * k + c];
                }
                change = Math.max(change, Math.abs(Math.abs(dot) - 1));
            }
            w = next.copy();
            if (change < 1e-6) {
                break;
            }
        }
        CommonOps_DDRM.multTransB(z, w, s);
        return s;
    }

    /** {@code (W W')^(-1/2) W}: the nearest orthogonal matrix. */
    private static DMatrixRMaj decorrelate(DMatrixRMaj w) {
        int k = w.numRows;
        DMatrixRMaj wwt = new DMatrixRMaj(k, k);
        CommonOps_DDRM.multTransB(w, w, wwt);
        Stats.Eigen eigen = Stats.symmetricEigen(wwt);
        DMatrixRMaj scaled = eigen.vectors().copy();
        for (int j = 0; j < k; j++) {
            double s = 1 / Math.sqrt(Math.max(eigen.values()[j], 1e-300));
            for (int r = 0; r < k; r++) {
                scaled.set(r, j, scaled.get(r, j) * s);
            }
        }
        DMatrixRMaj inverseRoot = new DMatrixRMaj(k, k);
        CommonOps_DDRM.multTransB(scaled, eigen.vectors(), inverseRoot);
        DMatrixRMaj result = new DMatrixRMaj(k, k);
        CommonOps_DDRM.mult(inverseRoot, w, result);
        return result;
    }
}
