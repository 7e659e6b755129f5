package dev.badnets.core;

import java.util.List;
import org.ejml.data.FMatrixRMaj;

/**
 * A layer of the form {@code a = act(x' W + b)}, with x' the input (a dense layer) or its unrolled
 * windows (a convolution): the weights W, the bias b ({@code 1 x} the columns of W) and the
 * activation, held as they were given (live: training updates W and b in place). W decays under L2
 * weight decay, b does not.
 */
abstract sealed class WeightedLayer extends ShapedLayer permits DenseLayer, Conv2D {

    final FMatrixRMaj weights;
    final FMatrixRMaj bias;
    final Activation activation;

    WeightedLayer(Shape in, Shape out, FMatrixRMaj weights, FMatrixRMaj bias, Activation activation) {
        super(in, out);
        this.weights = weights;
        this.bias = bias;
        this.activation = activation;
    }

    @Override
    public final List<Parameter> parameters() {
        return List.of(new Parameter("W", weights, true), new Parameter("b", bias, false));
    }

    /** The weights W (live: training updates it in place); the layer's own docs give its shape. */
    public final FMatrixRMaj weights() {
        return weights;
    }

    /** The bias b, {@code 1 x} the columns of W (live). */
    public final FMatrixRMaj bias() {
        return bias;
    }

    public final Activation activation() {
        return activation;
    }

    /** The spec's suffix for the activation: none for ReLU, the default, else {@code ":name"}. */
    String activationSuffix() {
        return activation == Activation.RELU ? "" : ":" + activation.name().toLowerCase();
    }
}
