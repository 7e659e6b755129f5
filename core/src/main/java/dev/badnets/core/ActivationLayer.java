package dev.badnets.core;

import dev.badnets.core.backend.MatrixBackend;
import java.util.List;
import org.ejml.data.FMatrixRMaj;

/**
 * An {@link Activation} on its own, value by value, where no dense or convolution layer comes
 * right before it to carry it (after a {@link ChannelAffine} or an {@link AvgPool2D}, say):
 * <pre>
 *   a = f(x)            dX = dA ⊙ f'(x)
 * </pre>
 * The output has the input's shape; no parameters.
 */
public final class ActivationLayer implements Layer {

    private final Shape in;
    private final Activation activation;

    public ActivationLayer(Shape in, Activation activation) {
        this.in = in;
        this.activation = activation;
    }

    @Override
    public Workspace workspace(int capacity, boolean training) {
        return new Workspace(this, capacity, training);
    }

    /** Forward: {@code a = f(x)}. */
    @Override
    public void forward(MatrixBackend backend, FMatrixRMaj x, Workspace ws) {
        ws.rows(x.numRows);
        ws.input = x;
        activation.forward(x.data, ws.output().data, 0, x.getNumElements());
    }

    /** Backward: {@code dX = dA ⊙ f'(x)}, reading the x and a of the forward pass. */
    @Override
    public void backward(MatrixBackend backend, Workspace ws, FMatrixRMaj dX) {
        if (dX != null) {
            activation.backward(ws.input.data, ws.output().data, ws.outputGradient().data, dX.data, 0,
                    dX.getNumElements());
        }
    }

    @Override
    public Shape inputShape() {
        return in;
    }

    @Override
    public Shape outputShape() {
        return in;
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

    /** The activation's name, e.g. {@code relu} or {@code leaky_relu}. */
    @Override
    public String spec() {
        return activation.name().toLowerCase();
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public ActivationLayer copy() {
        return this;
    }
}
