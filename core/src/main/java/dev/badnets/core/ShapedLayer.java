package dev.badnets.core;

/**
 * What every kind of layer keeps the same way: the shape of one input sample, {@code in}, and of
 * one output sample, {@code out}, fixed when the layer is made.
 */
abstract sealed class ShapedLayer implements Layer permits WeightedLayer, MaxPool2D, Flatten, AvgPool2D,
        GlobalAvgPool2D, ChannelAffine, ActivationLayer, Normalization {

    final Shape in;
    final Shape out;

    ShapedLayer(Shape in, Shape out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public final Shape inputShape() {
        return in;
    }

    @Override
    public final Shape outputShape() {
        return out;
    }
}
