package dev.badnets.core;

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

/**
 * Every backward pass against central finite differences of an independent double-precision
 * forward pass, on random small shapes and values, on every backend available here. The float
 * gradient must match to within 1e-5 relative (float rounding of short sums), far tighter than any
 * wrong derivative could.
 */
class GradientCheckTest {

    private static final double H = 1e-6;
    private static final double TOLERANCE = 1e-5;

    @Provide
    Arbitrary<String> backends() {
        return Arbitraries.of(Backends.availableNames());
    }

    /** Dense layer + activation, with loss L = Σ c ⊙ a so that dL/da = c: checks dW, db and dX. */
    @Property(tries = 300)
    void denseLayerGradients(@ForAll("backends") String backendName, @ForAll Activation activation,
                             @ForAll @IntRange(min = 1, max = 5) int n, @ForAll @IntRange(min = 1, max = 6) int in,
                             @ForAll @IntRange(min = 1, max = 6) int out, @ForAll long seed) {
        MatrixBackend backend = Backends.create(backendName, 1);
        Random random = new Random(seed);
        FMatrixRMaj x = randomMatrix(n, in, random);
        FMatrixRMaj w = randomMatrix(in, out, random);
        FMatrixRMaj b = randomMatrix(1, out, random);
        FMatrixRMaj c = randomMatrix(n, out, random);
        DenseLayer layer = new DenseLayer(w, b, activation);

        double[] xd = toDouble(x), wd = toDouble(w), bd = toDouble(b), cd = toDouble(c);
        if (hasKink(activation)) {
            // finite differences across the kink at 0 measure nothing: skip such draws
            double[] z = affine(xd, wd, bd, n, in, out);
            for (double v : z) {
                Assume.that(Math.abs(v) > 1e-4);
            }
        }
        DoubleSupplier loss = () -> {
            double[] a = activate(affine(xd, wd, bd, n, in, out), activation);
            double sum = 0;
            for (int i = 0; i < a.length; i++) {
                sum += cd[i] * a[i];
            }
            return sum;
        };

        Workspace ws = forwardAndBackward(layer, backend, x, c);

        assertMatches("dW", ws.gradients().get(0), numericGradient(wd, loss));
        assertMatches("db", ws.gradients().get(1), numericGradient(bd, loss));
        assertMatches("dX", ws.inputGradient(), numericGradient(xd, loss));
    }

    @Property(tries = 300)
    void lossGradients(@ForAll Loss lossKind, @ForAll @IntRange(min = 1, max = 6) int n,
                       @ForAll @IntRange(min = 2, max = 6) int k, @ForAll long seed) {
        Random random = new Random(seed);
        FMatrixRMaj logits = randomMatrix(n, k, random);
        int[] labels = random.ints(n, 0, k).toArray();
        double[] ad = toDouble(logits);
        DoubleSupplier loss = () -> referenceLoss(lossKind, ad, labels, n, k);

        FMatrixRMaj dA = new FMatrixRMaj(n, k);
        double value = lossKind.lossAndGradient(logits, labels, dA);

        double expected = loss.getAsDouble();
        assertTrue(Math.abs(value - expected) <= TOLERANCE * (1 + Math.abs(expected)),
                () -> "loss " + value + " vs reference " + expected);
        assertMatches("dA", dA, numericGradient(ad, loss));
    }

    /** A whole network: forward, loss, backward through 1-3 layers, every weight and bias checked. */
    @Property(tries = 200)
    void networkGradients(@ForAll("backends") String backendName, @ForAll Activation hidden,
                          @ForAll Loss lossKind, @ForAll @IntRange(min = 1, max = 3) int layers,
                          @ForAll @IntRange(min = 1, max = 5) int n, @ForAll long seed) {
        MatrixBackend backend = Backends.create(backendName, 1);
        Random random = new Random(seed);
        int[] sizes = new int[layers + 1];
        for (int l = 0; l <= layers; l++) {
            sizes[l] = 1 + random.nextInt(5);
        }
        sizes[layers] = 2 + random.nextInt(4);
        Activation output = lossKind == Loss.SOFTMAX_CROSS_ENTROPY ? Activation.IDENTITY : Activation.SIGMOID;
        Network net = Network.create(sizes, hidden, output, lossKind, seed);
        BatchBuffers buf = new BatchBuffers(net, backend, n, true);
        for (int i = 0; i < buf.x.data.length; i++) {
            buf.x.data[i] = (float) (2 * random.nextDouble() - 1);
        }
        for (int i = 0; i < n; i++) {
            buf.labels[i] = random.nextInt(sizes[layers]);
        }

        List<double[]> ws = new ArrayList<>(), bs = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            ws.add(toDouble(((DenseLayer) net.layer(l)).weights()));
            bs.add(toDouble(((DenseLayer) net.layer(l)).bias()));
        }
        double[] xd = toDouble(buf.x);
        int[] labels = buf.labels.clone();
        boolean[] nearKink = {false};
        DoubleSupplier loss = () -> {
            double[] a = xd;
            for (int l = 0; l < layers; l++) {
                double[] z = affine(a, ws.get(l), bs.get(l), n, sizes[l], sizes[l + 1]);
                if (hasKink(hidden) && l + 1 < layers) {
                    for (double v : z) {
                        nearKink[0] |= Math.abs(v) < 1e-4;
                    }
                }
                a = activate(z, l + 1 < layers ? hidden : output);
            }
            return referenceLoss(lossKind, a, labels, n, sizes[layers]);
        };
        loss.getAsDouble();
        Assume.that(!nearKink[0]);

        FMatrixRMaj out = net.forward(buf);
        lossKind.lossAndGradient(out, buf.labels, buf.last().outputGradient());
        net.backward(buf);

        for (int l = 0; l < layers; l++) {
            assertMatches("dW of layer " + l, buf.work[l].gradient(0), numericGradient(ws.get(l), loss));
            assertMatches("db of layer " + l, buf.work[l].gradient(1), numericGradient(bs.get(l), loss));
        }
        assertInputGradient(net, backend, buf.x, labels, xd, loss);
    }

    /**
     * {@link InputGradient}: the loss it returns and {@code dL/dx} against central differences in
     * every input of {@code xd} (the doubles of {@code x}), with a batch capacity above n.
     */
    static void assertInputGradient(Network net, MatrixBackend backend, FMatrixRMaj x, int[] labels, double[] xd,
                                    DoubleSupplier loss) {
        FMatrixRMaj input = x.copy();
        FMatrixRMaj dX = new FMatrixRMaj(x.numRows, x.numCols);
        double value = net.inputGradient(x.numRows + 2, backend).lossAndGradient(input, labels, dX);
        double expected = loss.getAsDouble();
        assertTrue(Math.abs(value - expected) <= 1e-4 * (1 + Math.abs(expected)),
                () -> "loss " + value + " vs reference " + expected);
        assertTrue(java.util.Arrays.equals(x.data, 0, x.getNumElements(), input.data, 0, x.getNumElements()),
                "the inputs must not change");
        double[] numeric = numericGradient(xd, loss);
        for (int i = 0; i < numeric.length; i++) {
            double got = dX.data[i];
            double want = numeric[i];
            int index = i;
            assertTrue(Math.abs(got - want) <= 1e-4 * (1 + Math.abs(want)),
                    () -> "dX[" + index + "] = " + got + ", finite differences give " + want);
        }
    }

    /** Whether f has a kink at 0 (ReLU, leaky ReLU), where finite differences measure nothing. */
    /**
     * One forward and one backward pass of {@code x} through {@code layer} on a fresh training
     * workspace, with the loss {@code L = Σ c ⊙ a} (so {@code dA = c}); returns the workspace, whose
     * input gradient holds {@code dL/dx}.
     */
    static Workspace forwardAndBackward(Layer layer, MatrixBackend backend, FMatrixRMaj x, FMatrixRMaj c) {
        int n = x.numRows;
        Workspace ws = layer.workspace(backend, n, true, new FMatrixRMaj(n, layer.inputShape().size()));
        layer.forward(x, ws);
        System.arraycopy(c.data, 0, ws.outputGradient().data, 0, c.getNumElements());
        layer.backward(ws);
        return ws;
    }

    static boolean hasKink(Activation f) {
        return f == Activation.RELU || f == Activation.LEAKY_RELU;
    }

    // ---- the double-precision reference ----

    static double[] affine(double[] x, double[] w, double[] b, int n, int in, int out) {
        double[] z = new double[n * out];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < out; j++) {
                double sum = b[j];
                for (int k = 0; k < in; k++) {
                    sum += x[i * in + k] * w[k * out + j];
                }
                z[i * out + j] = sum;
            }
        }
        return z;
    }

    static double[] activate(double[] z, Activation f) {
        double[] a = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            switch (f) {
                case IDENTITY: a[i] = z[i]; break;
                case RELU: a[i] = Math.max(0, z[i]); break;
                case SIGMOID: a[i] = 1 / (1 + Math.exp(-z[i])); break;
                case TANH: a[i] = Math.tanh(z[i]); break;
                case LEAKY_RELU: a[i] = z[i] > 0 ? z[i] : 0.01 * z[i]; break;
                default: throw new AssertionError(f);
            }
        }
        return a;
    }

    static double referenceLoss(Loss loss, double[] a, int[] labels, int n, int k) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += Math.exp(a[i * k + j]);
                }
                total += -Math.log(Math.exp(a[i * k + labels[i]]) / sum);
            } else {
                for (int j = 0; j < k; j++) {
                    double diff = a[i * k + j] - (j == labels[i] ? 1 : 0);
                    total += diff * diff / k;
                }
            }
        }
        return total / n;
    }

    /** Central differences {@code (L(θ+h) - L(θ-h)) / 2h} for every entry of θ, perturbed in place. */
    static double[] numericGradient(double[] theta, DoubleSupplier loss) {
        double[] grad = new double[theta.length];
        for (int i = 0; i < theta.length; i++) {
            double saved = theta[i];
            theta[i] = saved + H;
            double plus = loss.getAsDouble();
            theta[i] = saved - H;
            double minus = loss.getAsDouble();
            theta[i] = saved;
            grad[i] = (plus - minus) / (2 * H);
        }
        return grad;
    }

    static void assertMatches(String what, FMatrixRMaj analytic, double[] numeric) {
        assertWithin(what, analytic, numeric, TOLERANCE, "finite differences give");
    }

    /**
     * Every value of {@code analytic} within {@code tolerance}, relative to 1 + |expected|, of
     * {@code expected}; a failure names the value and what gave the expected one ({@code source}).
     */
    static void assertWithin(String what, FMatrixRMaj analytic, double[] expected, double tolerance, String source) {
        assertTrue(analytic.getNumElements() >= expected.length, what + ": number of values");
        for (int i = 0; i < expected.length; i++) {
            double got = analytic.data[i];
            double want = expected[i];
            int index = i;
            assertTrue(Math.abs(got - want) <= tolerance * (1 + Math.abs(want)),
                    () -> what + "[" + index + "] = " + got + ", " + source + " " + want);
        }
    }

    static FMatrixRMaj randomMatrix(int rows, int cols, Random random) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) (4 * random.nextDouble() - 2);
        }
        return m;
    }

    static double[] toDouble(FMatrixRMaj m) {
        double[] d = new double[m.getNumElements()];
        for (int i = 0; i < d.length; i++) {
            d[i] = m.data[i];
        }
        return d;
    }
}
