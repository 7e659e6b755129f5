package dev.badnets.core;

import org.ejml.data.FMatrixRMaj;

/**
 * Turns a {@code C x H x W} input into a flat vector of {@code C·H·W} features, for a
 * {@link DenseLayer} after a convolution. Samples are stored channels-last (see {@link Shape}),
 * so the values are already in order: forward copies x to a, backward copies dA to dX.
 */
public final class Flatten extends ShapedLayer {


    public Flatten(Shape in) {
        super(in, Shape.flat(in.size()));
    }

    @Override
    public void forward(FMatrixRMaj x, Workspace ws) {
        ws.begin(x);
        System.arraycopy(x.data, 0, ws.output().data, 0, x.getNumElements());
    }

    @Override
    public void backward(Workspace ws) {
        FMatrixRMaj dX = ws.inputGradient();
        if (dX != null) {
            System.arraycopy(ws.outputGradient().data, 0, dX.data, 0, dX.getNumElements());
        }
    }

    @Override
    public String spec() {
        return "flatten";
    }
}
