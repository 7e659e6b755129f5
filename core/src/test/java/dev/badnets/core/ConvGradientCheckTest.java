package dev.badnets.core;

import static dev.badnets.core.GradientCheckTest.activate;
import static dev.badnets.core.GradientCheckTest.affine;
import static dev.badnets.core.GradientCheckTest.forwardAndBackward;
import static dev.badnets.core.GradientCheckTest.numericGradient;
import static dev.badnets.core.GradientCheckTest.randomMatrix;
import static dev.badnets.core.GradientCheckTest.referenceLoss;
import static dev.badnets.core.GradientCheckTest.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The backward passes of {@link Conv2D}, {@link MaxPool2D} and {@link Flatten}, and of whole
 * convolutional networks, against central finite differences of an independent double-precision
 * forward pass written straight from the definitions (direct loops, no im2col), on every backend.
 * Draws with a ReLU input or a pooling near-tie within 1e-4 are skipped (a step of h = 1e-6 in a
 * parameter moves them by far less, so the others are smooth under finite differences); the
 * discard ratio allows for shapes that do not fit as well, so no seed runs out of draws.
 */
class ConvGradientCheckTest {

    /** Float sums of up to k·k·C products round a little more than a dense layer's short sums. */
    private static final double TOLERANCE = 1e-4;

    @Provide
    Arbitrary<String> backends() {
        return Arbitraries.of(Backends.availableNames());
    }

    @Provide
    Arbitrary<Integer> kernels() {
        return Arbitraries.of(1, 3, 5);
    }

    /** Conv2D + activation with loss L = Σ c ⊙ a: checks dW, db and dX for strides 1-2, padding 0-1, kernels 1, 3, 5. */
    @Property(tries = 200, maxDiscardRatio = 20)
    void convolutionGradients(@ForAll("backends") String backendName, @ForAll Activation activation,
                              @ForAll("kernels") int k, @ForAll @IntRange(min = 1, max = 2) int stride,
                              @ForAll @IntRange(min = 0, max = 1) int padding,
                              @ForAll @IntRange(min = 1, max = 3) int channels,
                              @ForAll @IntRange(min = 1, max = 3) int filters,
                              @ForAll @IntRange(min = 1, max = 8) int height, @ForAll @IntRange(min = 1, max = 8) int width,
                              @ForAll @IntRange(min = 1, max = 3) int n, @ForAll long seed) {
        Assume.that(padding < k && k <= height + 2 * padding && k <= width + 2 * padding);
        MatrixBackend backend = Backends.create(backendName, 1);
        Random random = new Random(seed);
        Shape in = new Shape(channels, height, width);
        FMatrixRMaj x = randomMatrix(n, in.size(), random);
        FMatrixRMaj w = randomMatrix(k * k * channels, filters, random);
        FMatrixRMaj b = randomMatrix(1, filters, random);
        Conv2D layer = new Conv2D(in, k, stride, padding, w, b, activation);
        Shape out = layer.outputShape();
        assertEquals(1 + (height + 2 * padding - k) / stride, out.height()); // H' = 1 + (H + 2p - k) / s
        FMatrixRMaj c = randomMatrix(n, out.size(), random);

        double[] xd = toDouble(x), wd = toDouble(w), bd = toDouble(b), cd = toDouble(c);
        double[] z0 = conv(xd, wd, bd, n, in, filters, k, stride, padding);
        if (GradientCheckTest.hasKink(activation)) {
            for (double v : z0) {
                Assume.that(Math.abs(v) > 1e-4); // finite differences across the kink measure nothing
            }
        }
        DoubleSupplier loss = () -> dot(cd, activate(conv(xd, wd, bd, n, in, filters, k, stride, padding), activation));

        Workspace ws = forwardAndBackward(layer, backend, x, c);

        assertMatchesReference("output", ws.output(), activate(z0, activation));
        assertMatchesReference("dW", ws.gradients().get(0), numericGradient(wd, loss));
        assertMatchesReference("db", ws.gradients().get(1), numericGradient(bd, loss));
        assertMatchesReference("dX", ws.inputGradient(), numericGradient(xd, loss));
    }

    /** MaxPool2D with loss L = Σ c ⊙ a: dX, on draws without near-ties in any window. */
    @Property(tries = 200, maxDiscardRatio = 20)
    void maxPoolGradients(@ForAll("backends") String backendName, @ForAll @IntRange(min = 1, max = 3) int window,
                          @ForAll @IntRange(min = 1, max = 3) int stride, @ForAll @IntRange(min = 1, max = 3) int channels,
                          @ForAll @IntRange(min = 1, max = 7) int height, @ForAll @IntRange(min = 1, max = 7) int width,
                          @ForAll @IntRange(min = 1, max = 3) int n, @ForAll long seed) {
        PoolCase p = PoolCase.draw(window, stride, channels, height, width, n, seed);
        Workspace ws = forwardAndBackward(p.layer(), Backends.create(backendName, 1), p.x(), p.c());

        assertMatchesReference("output", ws.output(), p.expected());
        assertMatchesReference("dX", ws.inputGradient(), numericGradient(p.xd(), p.loss()));
    }

    /**
     * A max pooling of window w and stride s over {@code C x H x W}, a batch x of n samples and an
     * output gradient c drawn from {@code seed} (then the rest of {@code random}'s draws), with the
     * double-precision reference's output and loss {@code L = Σ c ⊙ a}; a draw whose window does not
     * fit, or with a near-tie in a window (which could switch winners under h), is discarded.
     */
    record PoolCase(MaxPool2D layer, FMatrixRMaj x, FMatrixRMaj c, double[] xd, double[] expected, DoubleSupplier loss,
                    Random random) {
        static PoolCase draw(int window, int stride, int channels, int height, int width, int n, long seed) {
            Assume.that(window <= height && window <= width);
            Random random = new Random(seed);
            Shape in = new Shape(channels, height, width);
            MaxPool2D layer = new MaxPool2D(in, window, stride);
            FMatrixRMaj x = randomMatrix(n, in.size(), random);
            FMatrixRMaj c = randomMatrix(n, layer.outputShape().size(), random);
            double[] xd = toDouble(x), cd = toDouble(c);
            Assume.that(minimumGap(xd, n, in, window, stride) > 1e-4); // a near-tie could switch winners under h
            return new PoolCase(layer, x, c, xd, pool(xd, n, in, window, stride),
                    () -> dot(cd, pool(xd, n, in, window, stride)), random);
        }
    }

    @Test
    void poolingRoutesTiesToTheFirstMaximum() {
        MaxPool2D layer = new MaxPool2D(new Shape(1, 2, 2), 2, 2);
        FMatrixRMaj x = new FMatrixRMaj(new float[][] {{3, 1, 3, 3}});
        Workspace ws = forwardAndBackward(layer, Backends.create("ejml", 1), x, new FMatrixRMaj(new float[][] {{5}}));
        assertEquals(3f, ws.output().data[0]);
        assertEquals("[5.0, 0.0, 0.0, 0.0]", java.util.Arrays.toString(ws.inputGradient().data));
    }

    /**
     * A whole convolutional classifier: forward, softmax cross-entropy, backward through conv,
     * pool, flatten and dense layers; every parameter of every layer checked, and the input gradient
     * of {@link InputGradient}.
     */
    @Property(tries = 60, maxDiscardRatio = 20)
    void convolutionalNetworkGradients(@ForAll("backends") String backendName,
                                       @ForAll @IntRange(min = 0, max = 3) int template,
                                       @ForAll @IntRange(min = 1, max = 2) int channels,
                                       @ForAll @IntRange(min = 5, max = 8) int side,
                                       @ForAll @IntRange(min = 1, max = 3) int n, @ForAll long seed) {
        String spec = new String[] {"conv2x3,pool2,dense3", "conv3x3s2,conv2x1,dense4",
            "conv2x5p2,pool2s1,flatten,dense3", "pool2s1,conv2x3p0"}[template];
        MatrixBackend backend = Backends.create(backendName, 1);
        Random random = new Random(seed);
        Shape in = new Shape(channels, side, side + 1);
        int classes = 3;
        Network net = Architecture.build(in, spec, classes, seed);
        BatchBuffers buf = new BatchBuffers(net, backend, n, true);
        for (int i = 0; i < buf.x.data.length; i++) {
            buf.x.data[i] = (float) (2 * random.nextDouble() - 1);
        }
        for (int i = 0; i < n; i++) {
            buf.labels[i] = random.nextInt(classes);
        }
        assertNetworkGradients(net, backend, buf, n, ConvGradientCheckTest::reference);
    }

    /** A double-precision forward pass of one layer: its output for the n samples {@code x}; sets {@code nearKink[0]} near a kink. */
    interface LayerReference {
        double[] forward(Layer layer, List<double[]> params, double[] x, int n, boolean[] nearKink);
    }

    /**
     * Checks every parameter gradient of {@code net}, and its input gradient, on the batch of
     * {@code n} samples in {@code buf} (x and labels filled) against central differences of the
     * softmax cross-entropy of a double-precision forward pass, {@code reference} layer by layer;
     * discards a draw that lies near a kink.
     */
    static void assertNetworkGradients(Network net, MatrixBackend backend, BatchBuffers buf, int n,
                                       LayerReference reference) {
        List<List<double[]>> params = new ArrayList<>();
        for (Layer layer : net.layers()) {
            List<double[]> p = new ArrayList<>();
            for (Layer.Parameter parameter : layer.parameters()) {
                p.add(toDouble(parameter.value()));
            }
            params.add(p);
        }
        double[] xd = toDouble(buf.x);
        int[] labels = buf.labels.clone();
        boolean[] nearKink = {false};
        DoubleSupplier loss = () -> {
            double[] a = xd;
            for (int l = 0; l < net.layerCount(); l++) {
                a = reference.forward(net.layer(l), params.get(l), a, n, nearKink);
            }
            return referenceLoss(Loss.SOFTMAX_CROSS_ENTROPY, a, labels, n, net.classes());
        };
        loss.getAsDouble();
        Assume.that(!nearKink[0]);

        FMatrixRMaj out = net.forward(buf);
        net.loss().lossAndGradient(out, buf.labels, buf.last().outputGradient());
        net.backward(buf);
        for (int l = 0; l < net.layerCount(); l++) {
            List<Layer.Parameter> parameters = net.layer(l).parameters();
            for (int p = 0; p < parameters.size(); p++) {
                assertMatchesReference(parameters.get(p).name() + " of layer " + l + " (" + net.layer(l).spec() + ")",
                        buf.work[l].gradient(p), numericGradient(params.get(l).get(p), loss));
            }
        }
        GradientCheckTest.assertInputGradient(net, backend, buf.x, labels, xd, loss);
    }


    // ---- the double-precision reference, straight from the definitions ----

    /** One layer forward in doubles, with its parameters from {@code params}; flags ReLU inputs near 0 and pooling near-ties. */
    private static double[] reference(Layer layer, List<double[]> params, double[] x, int n, boolean[] nearKink) {
        Shape in = layer.inputShape();
        if (layer instanceof Conv2D) {
            Conv2D c = (Conv2D) layer;
            double[] z = conv(x, params.get(0), params.get(1), n, in, c.filters(), c.kernel(), c.stride(), c.padding());
            for (double v : z) {
                nearKink[0] |= Math.abs(v) < 1e-4;
            }
            return activate(z, c.activation());
        }
        if (layer instanceof MaxPool2D) {
            MaxPool2D p = (MaxPool2D) layer;
            nearKink[0] |= minimumGap(x, n, in, p.window(), p.stride()) < 1e-4;
            return pool(x, n, in, p.window(), p.stride());
        }
        if (layer instanceof Flatten) {
            return x.clone();
        }
        DenseLayer d = (DenseLayer) layer;
        double[] z = affine(x, params.get(0), params.get(1), n, d.inputs(), d.outputs());
        if (GradientCheckTest.hasKink(d.activation())) {
            for (double v : z) {
                nearKink[0] |= Math.abs(v) < 1e-4;
            }
        }
        return activate(z, d.activation());
    }

    /** {@code z[i, oy, ox, f] = b[f] + Σ x[i, oy·s-p+ky, ox·s-p+kx, c] W[(ky·k+kx)·C+c, f]}, samples channels-last. */
    static double[] conv(double[] x, double[] w, double[] b, int n, Shape in, int filters, int k, int s, int p) {
        int channels = in.channels(), height = in.height(), width = in.width();
        int outH = 1 + (height + 2 * p - k) / s, outW = 1 + (width + 2 * p - k) / s;
        double[] z = new double[n * outH * outW * filters];
        for (int i = 0; i < n; i++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    for (int f = 0; f < filters; f++) {
                        double sum = b[f];
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * s - p + ky, ix = ox * s - p + kx;
                                if (iy < 0 || iy >= height || ix < 0 || ix >= width) {
                                    continue;
                                }
                                for (int c = 0; c < channels; c++) {
                                    sum += x[i * in.size() + (iy * width + ix) * channels + c]
                                            * w[((ky * k + kx) * channels + c) * filters + f];
                                }
                            }
                        }
                        z[((i * outH + oy) * outW + ox) * filters + f] = sum;
                    }
                }
            }
        }
        return z;
    }

    /** {@code a[i, oy, ox, c] = max over the window of x[i, oy·s+ky, ox·s+kx, c]}. */
    static double[] pool(double[] x, int n, Shape in, int window, int s) {
        int channels = in.channels(), width = in.width();
        int outH = 1 + (in.height() - window) / s, outW = 1 + (width - window) / s;
        double[] a = new double[n * outH * outW * channels];
        int o = 0;
        for (int i = 0; i < n; i++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    for (int c = 0; c < channels; c++) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int ky = 0; ky < window; ky++) {
                            for (int kx = 0; kx < window; kx++) {
                                max = Math.max(max, x[i * in.size() + ((oy * s + ky) * width + ox * s + kx) * channels + c]);
                            }
                        }
                        a[o++] = max;
                    }
                }
            }
        }
        return a;
    }

    /** The smallest gap between the largest and second-largest value of any window (infinite for 1x1 windows). */
    static double minimumGap(double[] x, int n, Shape in, int window, int s) {
        int channels = in.channels(), width = in.width();
        int outH = 1 + (in.height() - window) / s, outW = 1 + (width - window) / s;
        double gap = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    for (int c = 0; c < channels; c++) {
                        double first = Double.NEGATIVE_INFINITY, second = Double.NEGATIVE_INFINITY;
                        for (int ky = 0; ky < window; ky++) {
                            for (int kx = 0; kx < window; kx++) {
                                double v = x[i * in.size() + ((oy * s + ky) * width + ox * s + kx) * channels + c];
                                if (v > first) {
                                    second = first;
                                    first = v;
                                } else if (v > second) {
                                    second = v;
                                }
                            }
                        }
                        gap = Math.min(gap, first - second);
                    }
                }
            }
        }
        return gap;
    }

    /** {@code Σ c ⊙ a}: the loss whose gradient with respect to a is c. */
    static double dot(double[] c, double[] a) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += c[i] * a[i];
        }
        return sum;
    }

    /** Every value of {@code analytic} within 1e-4, relative to 1 + |reference|, of the double-precision reference. */
    static void assertMatchesReference(String what, FMatrixRMaj analytic, double[] expected) {
        assertEquals(expected.length, analytic.getNumElements(), what + ": number of values");
        GradientCheckTest.assertWithin(what, analytic, expected, TOLERANCE, "the reference gives");
    }
}
