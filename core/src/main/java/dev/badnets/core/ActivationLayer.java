package dev.badnets.core;

import org.ejml.data.FMatrixRMaj;

/**
 * An {@link Activation} on its own, value by value, where no dense or convolution layer comes
 * right before it to carry it (after a {@link ChannelAffine} or an {@link AvgPool2D}, say):
 * <pre>
 *   a = f(x)            dX = dA ⊙ f'(x)
 * </pre>
 * The output has the input's shape; no parameters.
 */
public final class ActivationLayer extends ShapedLayer {

    private final Activation activation;

    public ActivationLayer(Shape in, Activation activation) {
        super(in, in);
        this.activation = activation;
    }

    /** Forward: {@code a = f(x)}. */
    @Override
    public void forward(FMatrixRMaj x, Workspace ws) {
        ws.begin(x);
        activation.forward(x.data, ws.output().data, 0, x.getNumElements());
    }

    /** Backward: {@code dX = dA ⊙ f'(x)}, reading the x and a of the forward pass. */
    @Override
    public void backward(Workspace ws) {
        FMatrixRMaj dX = ws.inputGradient();
        if (dX != null) {
            activation.backward(ws.input.data, ws.output().data, ws.outputGradient().data, dX.data, 0,
                    dX.getNumElements());
        }
    }

    /** The activation's name, e.g. {@code relu} or {@code leaky_relu}. */
    @Override
    public String spec() {
        return activation.name().toLowerCase();
    }

    public Activation activation() {
        return activation;
    }
}
