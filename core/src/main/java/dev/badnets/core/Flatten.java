package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import java.util.List;
import org.ejml.data.FMatrixRMaj;

/**
 * Turns a {@code C x H x W} input into a flat vector of {@code C·H·W} features, for a
 * {@link DenseLayer} after a convolution. Samples are stored channels-last (see {@link Shape}),
 * so the values are already in order: forward copies x to a, backward copies dA to dX.
 */
public final class Flatten implements Layer {

    private final Shape in;
    private final Shape out;

    public Flatten(Shape in) {
        this.in = in;
        this.out = Shape.flat(in.size());
    }

    @Override
    public Workspace workspace(int capacity, boolean training) {
        return new Workspace(this, capacity, training);
    }

    @Override
    public void forward(MatrixBackend backend, FMatrixRMaj x, Workspace ws) {
        ws.rows(x.numRows);
        ws.input = x;
        System.arraycopy(x.data, 0, ws.output().data, 0, x.getNumElements());
    }

    @Override
    public void backward(MatrixBackend backend, Workspace ws, FMatrixRMaj dX) {
        if (dX != null) {
            System.arraycopy(ws.outputGradient().data, 0, dX.data, 0, dX.getNumElements());
        }
    }

    @Override
    public Shape inputShape() {
        return in;
    }

    @Override
    public Shape outputShape() {
        return out;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public long floatsPerSample(boolean training) {
        return (training ? 2L : 1L) * in.size();
    }

    @Override
    public long multiplyAdds() {
        return 0;
    }

    @Override
    public String spec() {
        return "flatten";
    }

    @Override
    public Flatten copy() {
        return this;
    }
}
