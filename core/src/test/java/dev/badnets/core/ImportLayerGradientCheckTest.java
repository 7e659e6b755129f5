package dev.badnets.core;

import static dev.badnets.core.ConvGradientCheckTest.assertMatchesReference;
import static dev.badnets.core.ConvGradientCheckTest.assertNetworkGradients;
import static dev.badnets.core.ConvGradientCheckTest.dot;
import static dev.badnets.core.GradientCheckTest.activate;
import static dev.badnets.core.GradientCheckTest.affine;
import static dev.badnets.core.GradientCheckTest.forwardAndBackward;
import static dev.badnets.core.GradientCheckTest.hasKink;
import static dev.badnets.core.GradientCheckTest.numericGradient;
import static dev.badnets.core.GradientCheckTest.randomMatrix;
import static dev.badnets.core.GradientCheckTest.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The layers a model read from another framework needs ({@link AvgPool2D}, {@link GlobalAvgPool2D},
 * {@link ChannelAffine}, {@link ActivationLayer}, {@link Normalization}): each backward pass
 * against central finite differences of an independent double-precision forward pass written
 * from the definitions, as {@link GradientCheckTest} and {@link ConvGradientCheckTest} do for the
 * others, alone and inside whole networks (every parameter and the input gradient).
 */
class ImportLayerGradientCheckTest {


    @Provide
    Arbitrary<String> backends() {
        return Arbitraries.of(Backends.availableNames());
    }

    /** AvgPool2D with loss L = Σ c ⊙ a: output and dX for windows 1-3, strides 1-3, padding 0-2. */
    @Property(tries = 200, maxDiscardRatio = 20)
    void averagePoolGradients(@ForAll @IntRange(min = 1, max = 3) int window, @ForAll @IntRange(min = 1, max = 3) int stride,
                              @ForAll @IntRange(min = 0, max = 2) int padding, @ForAll @IntRange(min = 1, max = 3) int channels,
                              @ForAll @IntRange(min = 1, max = 7) int height, @ForAll @IntRange(min = 1, max = 7) int width,
                              @ForAll @IntRange(min = 1, max = 3) int n, @ForAll long seed) {
        Assume.that(padding < window && window <= height + 2 * padding && window <= width + 2 * padding);
        Shape in = new Shape(channels, height, width);
        AvgPool2D layer = new AvgPool2D(in, window, stride, padding);
        assertEquals(1 + (height + 2 * padding - window) / stride, layer.outputShape().height());
        checkLayer(layer, n, seed, x -> averagePool(x, n, in, window, stride, padding));
    }

    @Property(tries = 100)
    void globalAveragePoolGradients(@ForAll @IntRange(min = 1, max = 4) int channels,
                                    @ForAll @IntRange(min = 1, max = 6) int height, @ForAll @IntRange(min = 1, max = 6) int width,
                                    @ForAll @IntRange(min = 1, max = 3) int n, @ForAll long seed) {
        Shape in = new Shape(channels, height, width);
        checkLayer(new GlobalAvgPool2D(in), n, seed, x -> averagePool(x, n, in, 0, 0, 0));
    }

    /** ChannelAffine on images and on flat vectors: output, dγ, dβ and dX. */
    @Property(tries = 200)
    void channelAffineGradients(@ForAll @IntRange(min = 1, max = 4) int channels,
                                @ForAll @IntRange(min = 1, max = 4) int height, @ForAll @IntRange(min = 1, max = 4) int width,
                                @ForAll @IntRange(min = 1, max = 3) int n, @ForAll long seed) {
        Shape in = new Shape(channels, height, width);
        Random random = new Random(seed ^ 0x5EED);
        FMatrixRMaj scale = randomMatrix(1, channels, random), shift = randomMatrix(1, channels, random);
        double[] g = toDouble(scale), b = toDouble(shift);
        checkLayer(new ChannelAffine(in, scale, shift), n, seed, x -> channelAffine(x, g, b, channels), g, b);
    }

    /** ActivationLayer for every activation (draws near the kink of ReLU and leaky ReLU skipped). */
    @Property(tries = 200, maxDiscardRatio = 20)
    void activationLayerGradients(@ForAll Activation activation, @ForAll @IntRange(min = 1, max = 12) int size,
                                  @ForAll @IntRange(min = 1, max = 3) int n, @ForAll long seed) {
        Shape in = Shape.flat(size);
        checkLayer(new ActivationLayer(in, activation), n, seed, x -> {
            for (double v : x) {
                Assume.that(!hasKink(activation) || Math.abs(v) > 1e-4);
            }
            return activate(x, activation);
        });
    }

    @Property(tries = 100)
    void normalizationGradients(@ForAll @IntRange(min = 1, max = 3) int channels,
                                @ForAll @IntRange(min = 1, max = 4) int side, @ForAll @IntRange(min = 1, max = 3) int n,
                                @ForAll long seed) {
        Shape in = new Shape(channels, side, side);
        Random random = new Random(seed ^ 0xACE);
        float[] mean = new float[channels], std = new float[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = (float) random.nextDouble();
            std[c] = (float) (0.2 + random.nextDouble());
        }
        checkLayer(new Normalization(in, mean, std), n, seed, x -> normalize(x, mean, std));
    }

    /**
     * Zero padding happens after normalisation: a convolution with padding behind a
     * {@link Normalization} equals the convolution of the normalised image padded with zeros, also
     * in the border pixels. Folding the normalisation into the convolution (weights divided by σ,
     * bias minus Σ W μ/σ) agrees inside the image but not at its border, which is why it is a layer.
     */
    @Test
    void paddingStaysExactAfterNormalization() {
        MatrixBackend backend = Backends.create("ejml", 1);
        Random random = new Random(7);
        Shape in = new Shape(1, 5, 5);
        float mean = 0.1307f, std = 0.3081f;
        FMatrixRMaj w = randomMatrix(9, 2, random), b = randomMatrix(1, 2, random);
        Network net = new Network(List.of(new Normalization(in, new float[] {mean}, new float[] {std}),
                new Conv2D(in, 3, 1, 1, w, b, Activation.IDENTITY), new Flatten(new Shape(2, 5, 5))),
                Loss.SOFTMAX_CROSS_ENTROPY);
        FMatrixRMaj x = new FMatrixRMaj(1, 25);
        for (int i = 0; i < 25; i++) {
            x.data[i] = random.nextInt(256) / 255f;
        }
        BatchBuffers buf = new BatchBuffers(net, backend, 1, false);
        System.arraycopy(x.data, 0, buf.x.data, 0, 25);
        FMatrixRMaj out = net.forward(buf);

        double[] wd = toDouble(w), bd = toDouble(b);
        double[] expected = ConvGradientCheckTest.conv(normalize(toDouble(x), new float[] {mean}, new float[] {std}),
                wd, bd, 1, in, 2, 3, 1, 1);
        // the fold: W' = W / σ, b' = b - Σ_k W[k] μ / σ, applied to the raw image padded with zeros
        double[] folded = new double[wd.length], foldedBias = bd.clone();
        for (int k = 0; k < 9; k++) {
            for (int f = 0; f < 2; f++) {
                folded[k * 2 + f] = wd[k * 2 + f] / std;
                foldedBias[f] -= wd[k * 2 + f] * mean / std;
            }
        }
        double[] wrong = ConvGradientCheckTest.conv(toDouble(x), folded, foldedBias, 1, in, 2, 3, 1, 1);
        for (int y = 0; y < 5; y++) {
            for (int xx = 0; xx < 5; xx++) {
                for (int f = 0; f < 2; f++) {
                    int i = (y * 5 + xx) * 2 + f;
                    assertEquals(expected[i], out.data[i], 1e-5, "pixel " + y + "," + xx);
                    boolean border = y == 0 || y == 4 || xx == 0 || xx == 4;
                    assertEquals(border, Math.abs(wrong[i] - expected[i]) > 1e-3,
                            "the fold should be wrong exactly at the border, pixel " + y + "," + xx);
                }
            }
        }
    }

    /**
     * Whole networks made of the new layers with convolutions and dense layers: softmax
     * cross-entropy, every parameter's gradient and the input gradient of {@link InputGradient}.
     */
    @Property(tries = 60, maxDiscardRatio = 20)
    void importedNetworkGradients(@ForAll("backends") String backendName, @ForAll @IntRange(min = 0, max = 2) int template,
                                  @ForAll @IntRange(min = 1, max = 2) int channels, @ForAll @IntRange(min = 5, max = 7) int side,
                                  @ForAll @IntRange(min = 1, max = 3) int n, @ForAll long seed) {
        MatrixBackend backend = Backends.create(backendName, 1);
        Random random = new Random(seed);
        Shape in = new Shape(channels, side, side);
        List<Layer> layers = new ArrayList<>();
        float[] mean = new float[channels], std = new float[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = 0.1f + c * 0.2f;
            std[c] = 0.3f + c * 0.1f;
        }
        layers.add(new Normalization(in, mean, std));
        Conv2D conv = new Conv2D(in, 3, 1, 1, randomMatrix(9 * channels, 3, random), randomMatrix(1, 3, random),
                Activation.IDENTITY);
        layers.add(conv);
        Shape s = conv.outputShape();
        layers.add(new ChannelAffine(s, randomMatrix(1, 3, random), randomMatrix(1, 3, random)));
        layers.add(new ActivationLayer(s, new Activation[] {Activation.TANH, Activation.LEAKY_RELU, Activation.SIGMOID}[template]));
        if (template == 0) {
            layers.add(new AvgPool2D(s, 2, 2, 0));
            s = layers.get(layers.size() - 1).outputShape();
            layers.add(new Flatten(s));
        } else if (template == 1) {
            layers.add(new AvgPool2D(s, 3, 2, 1));
            s = layers.get(layers.size() - 1).outputShape();
            layers.add(new GlobalAvgPool2D(s));
        } else {
            layers.add(new GlobalAvgPool2D(s));
            layers.add(new ChannelAffine(Shape.flat(3), randomMatrix(1, 3, random), randomMatrix(1, 3, random)));
        }
        int width = layers.get(layers.size() - 1).outputShape().size();
        layers.add(new DenseLayer(randomMatrix(width, 3, random), randomMatrix(1, 3, random), Activation.IDENTITY));
        Network net = new Network(layers, Loss.SOFTMAX_CROSS_ENTROPY);

        BatchBuffers buf = new BatchBuffers(net, backend, n, true);
        for (int i = 0; i < buf.x.data.length; i++) {
            buf.x.data[i] = (float) random.nextDouble();
        }
        for (int i = 0; i < n; i++) {
            buf.labels[i] = random.nextInt(3);
        }
        assertNetworkGradients(net, backend, buf, n, ImportLayerGradientCheckTest::reference);
    }

    // ---- one layer against its reference ----

    private interface Reference {
        double[] forward(double[] x);
    }

    /**
     * Runs {@code layer} forward and backward with loss L = Σ c ⊙ a on a random batch, and checks
     * its output, its input gradient and the gradient of each parameter (whose doubles the
     * reference reads from {@code parameters}, in order) against {@code reference}.
     */
    private static void checkLayer(Layer layer, int n, long seed, Reference reference, double[]... parameters) {
        Random random = new Random(seed);
        FMatrixRMaj x = randomMatrix(n, layer.inputShape().size(), random);
        FMatrixRMaj c = randomMatrix(n, layer.outputShape().size(), random);
        double[] xd = toDouble(x), cd = toDouble(c);
        double[] expected = reference.forward(xd);
        DoubleSupplier loss = () -> dot(cd, reference.forward(xd));
        for (String name : Backends.availableNames()) {
            MatrixBackend backend = Backends.create(name, 1);
            Workspace ws = forwardAndBackward(layer, backend, x, c);
            assertMatchesReference("output", ws.output(), expected);
            assertMatchesReference("dX", ws.inputGradient(), numericGradient(xd, loss));
            for (int p = 0; p < parameters.length; p++) {
                assertMatchesReference(layer.parameters().get(p).name(), ws.gradients().get(p), numericGradient(parameters[p], loss));
            }
        }
    }

    // ---- the double-precision references, straight from the definitions ----

    private static double[] reference(Layer layer, List<double[]> params, double[] x, int n, boolean[] nearKink) {
        Shape in = layer.inputShape();
        if (layer instanceof Normalization) {
            return normalize(x, ((Normalization) layer).mean(), ((Normalization) layer).std());
        }
        if (layer instanceof Conv2D) {
            Conv2D c = (Conv2D) layer;
            return activate(ConvGradientCheckTest.conv(x, params.get(0), params.get(1), n, in, c.filters(), c.kernel(),
                    c.stride(), c.padding()), c.activation());
        }
        if (layer instanceof ChannelAffine) {
            return channelAffine(x, params.get(0), params.get(1), in.channels());
        }
        if (layer instanceof ActivationLayer) {
            Activation f = ((ActivationLayer) layer).activation();
            for (double v : x) {
                nearKink[0] |= hasKink(f) && Math.abs(v) < 1e-4;
            }
            return activate(x, f);
        }
        if (layer instanceof AvgPool2D) {
            AvgPool2D p = (AvgPool2D) layer;
            return averagePool(x, n, in, p.window(), p.stride(), p.padding());
        }
        if (layer instanceof GlobalAvgPool2D) {
            return averagePool(x, n, in, 0, 0, 0);
        }
        if (layer instanceof Flatten) {
            return x.clone();
        }
        DenseLayer d = (DenseLayer) layer;
        return activate(affine(x, params.get(0), params.get(1), n, d.inputs(), d.outputs()), d.activation());
    }

    /**
     * {@code a[i, oy, ox, c] = Σ_window x[i, oy·s-p+ky, ox·s-p+kx, c] / w²} (zeros outside the
     * image); {@code window = 0} for the global mean of each channel.
     */
    static double[] averagePool(double[] x, int n, Shape in, int window, int s, int p) {
        int channels = in.channels(), height = in.height(), width = in.width();
        boolean global = window == 0;
        int outH = global ? 1 : 1 + (height + 2 * p - window) / s, outW = global ? 1 : 1 + (width + 2 * p - window) / s;
        double[] a = new double[n * outH * outW * channels];
        int o = 0;
        for (int i = 0; i < n; i++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    for (int c = 0; c < channels; c++) {
                        double sum = 0;
                        int count = 0;
                        for (int iy = 0; iy < height; iy++) {
                            for (int ix = 0; ix < width; ix++) {
                                boolean inside = global || (iy >= oy * s - p && iy < oy * s - p + window
                                        && ix >= ox * s - p && ix < ox * s - p + window);
                                if (inside) {
                                    sum += x[i * in.size() + (iy * width + ix) * channels + c];
                                    count++;
                                }
                            }
                        }
                        a[o++] = sum / (global ? count : window * window);
                    }
                }
            }
        }
        return a;
    }

    static double[] channelAffine(double[] x, double[] scale, double[] shift, int channels) {
        double[] a = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            a[j] = x[j] * scale[j % channels] + shift[j % channels];
        }
        return a;
    }

    static double[] normalize(double[] x, float[] mean, float[] std) {
        double[] a = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            a[j] = (x[j] - mean[j % mean.length]) / std[j % mean.length];
        }
        return a;
    }
}
