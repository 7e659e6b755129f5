package dev.badnets.core.backend;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

/** The reference backend: EJML's general-purpose products, single-threaded. */
public final class EjmlBackend implements MatrixBackend {

    @Override
    public String name() {
        return "ejml";
    }

    @Override
    public int threads() {
        return 1;
    }

    @Override
    public void affine(FMatrixRMaj x, FMatrixRMaj w, FMatrixRMaj b, FMatrixRMaj z) {
        CommonOps_FDRM.mult(x, w, z);
        int out = z.numCols;
        float[] zd = z.data;
        for (int row = 0; row < z.numRows; row++) {
            int base = row * out;
            for (int j = 0; j < out; j++) {
                zd[base + j] += b.data[j];
            }
        }
    }

    @Override
    public void multTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        CommonOps_FDRM.multTransA(a, b, c);
    }

    @Override
    public void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        CommonOps_FDRM.multTransB(a, b, c);
    }
}
