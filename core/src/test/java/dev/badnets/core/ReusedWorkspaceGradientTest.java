package dev.badnets.core;

import static dev.badnets.core.ConvGradientCheckTest.assertMatchesReference;
import static dev.badnets.core.ConvGradientCheckTest.conv;
import static dev.badnets.core.ConvGradientCheckTest.dot;
import static dev.badnets.core.GradientCheckTest.activate;
import static dev.badnets.core.GradientCheckTest.affine;
import static dev.badnets.core.GradientCheckTest.numericGradient;
import static dev.badnets.core.GradientCheckTest.randomMatrix;
import static dev.badnets.core.GradientCheckTest.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Training runs batch after batch through one workspace, so a backward pass must overwrite what it
 * writes, never add to what the last batch left there. The gradient checks of
 * {@link GradientCheckTest} and {@link ConvGradientCheckTest} run one pass on fresh, zeroed buffers,
 * where forgetting to clear an accumulator shows nothing. Here every layer first runs a batch of
 * other data, then its parameter gradients and the input-gradient buffer are dirtied on purpose
 * (NaN), and a second, smaller batch (so the cache is reshaped) runs forward and backward on the
 * same workspace and buffer: its gradients must match central finite differences of the
 * independent double-precision forward passes of those tests, on every backend, 1 and 2 threads.
 */
class ReusedWorkspaceGradientTest {


    /** Each backend that runs here on 1 thread, and SIMD's on 2 (made once: each has its pool of threads). */
    static final List<MatrixBackend> BACKENDS = backendsAndThreads();

    static List<MatrixBackend> backendsAndThreads() {
        List<MatrixBackend> backends = new ArrayList<>();
        for (String name : Backends.availableNames()) {
            backends.add(Backends.create(name, 1));
        }
        if (Backends.simdAvailable()) {
            backends.add(Backends.create("simd", 2));
        }
        return List.copyOf(backends);
    }

    @Provide
    Arbitrary<MatrixBackend> backends() {
        return Arbitraries.of(BACKENDS);
    }

    @Provide
    Arbitrary<Integer> kernels() {
        return Arbitraries.of(1, 2, 3, 5);
    }

    /** Conv2D: the bias gradient (summed over blocks of rows) and col2im's dX, on a dirty second pass. */
    @Property(tries = 150, maxDiscardRatio = 20)
    void convolutionOnAReusedWorkspace(@ForAll("backends") MatrixBackend backend, @ForAll Activation activation,
                                       @ForAll("kernels") int k, @ForAll @IntRange(min = 1, max = 3) int stride,
                                       @ForAll @IntRange(min = 0, max = 2) int padding,
                                       @ForAll @IntRange(min = 1, max = 3) int channels,
                                       @ForAll @IntRange(min = 1, max = 3) int filters,
                                       @ForAll @IntRange(min = 1, max = 7) int height,
                                       @ForAll @IntRange(min = 1, max = 7) int width,
                                       @ForAll @IntRange(min = 1, max = 3) int n, @ForAll long seed) {
        Assume.that(padding < k && k <= height + 2 * padding && k <= width + 2 * padding);
        Random random = new Random(seed);
        Shape in = new Shape(channels, height, width);
        FMatrixRMaj w = randomMatrix(k * k * channels, filters, random);
        FMatrixRMaj b = randomMatrix(1, filters, random);
        Conv2D layer = new Conv2D(in, k, stride, padding, w, b, activation);
        int outSize = layer.outputShape().size();
        FMatrixRMaj x = randomMatrix(n, in.size(), random);
        FMatrixRMaj c = randomMatrix(n, outSize, random);
        double[] xd = toDouble(x), wd = toDouble(w), bd = toDouble(b), cd = toDouble(c);
        double[] z = conv(xd, wd, bd, n, in, filters, k, stride, padding);
        if (activation == Activation.RELU || activation == Activation.LEAKY_RELU) {
            for (double v : z) {
                Assume.that(Math.abs(v) > 1e-4); // finite differences across the kink measure nothing
            }
        }
        DoubleSupplier loss = () -> dot(cd, activate(conv(xd, wd, bd, n, in, filters, k, stride, padding), activation));

        Workspace ws = layer.workspace(backend, n + 1, true, new FMatrixRMaj(n + 1, in.size()));
        secondPassOnADirtyWorkspace(layer, ws, x, c, random);

        assertMatchesReference("output", ws.output(), activate(z, activation));
        assertMatchesReference("dW", ws.gradients().get(0), numericGradient(wd, loss));
        assertMatchesReference("db", ws.gradients().get(1), numericGradient(bd, loss));
        assertMatchesReference("dX", ws.inputGradient(), numericGradient(xd, loss));
    }

    /**
     * MaxPool2D: windows that tile the input leave the last rows and columns uncovered when the
     * stride does not divide the side, and overlapping windows (stride below the window) add into
     * shared cells; both must clear what the last batch left in dX.
     */
    @Property(tries = 150, maxDiscardRatio = 20)
    void maxPoolOnAReusedWorkspace(@ForAll("backends") MatrixBackend backend,
                                   @ForAll @IntRange(min = 1, max = 3) int window,
                                   @ForAll @IntRange(min = 1, max = 3) int stride,
                                   @ForAll @IntRange(min = 1, max = 3) int channels,
                                   @ForAll @IntRange(min = 1, max = 7) int height,
                                   @ForAll @IntRange(min = 1, max = 7) int width,
                                   @ForAll @IntRange(min = 1, max = 3) int n, @ForAll long seed) {
        ConvGradientCheckTest.PoolCase p = ConvGradientCheckTest.PoolCase.draw(window, stride, channels, height, width,
                n, seed);
        Workspace ws = p.layer().workspace(backend, n + 1, true, new FMatrixRMaj(n + 1, p.x().numCols));
        secondPassOnADirtyWorkspace(p.layer(), ws, p.x(), p.c(), p.random());

        assertMatchesReference("output", ws.output(), p.expected());
        assertMatchesReference("dX", ws.inputGradient(), numericGradient(p.xd(), p.loss()));
    }

    /** DenseLayer and Flatten on a dirty second pass. */
    @Property(tries = 100)
    void denseAndFlattenOnAReusedWorkspace(@ForAll("backends") MatrixBackend backend, @ForAll Activation activation,
                                           @ForAll @IntRange(min = 1, max = 4) int n,
                                           @ForAll @IntRange(min = 1, max = 6) int inputs,
                                           @ForAll @IntRange(min = 1, max = 6) int outputs, @ForAll long seed) {
        Random random = new Random(seed);
        FMatrixRMaj w = randomMatrix(inputs, outputs, random);
        FMatrixRMaj b = randomMatrix(1, outputs, random);
        DenseLayer dense = new DenseLayer(w, b, activation);
        FMatrixRMaj x = randomMatrix(n, inputs, random);
        FMatrixRMaj c = randomMatrix(n, outputs, random);
        double[] xd = toDouble(x), wd = toDouble(w), bd = toDouble(b), cd = toDouble(c);
        double[] z = affine(xd, wd, bd, n, inputs, outputs);
        if (activation == Activation.RELU || activation == Activation.LEAKY_RELU) {
            for (double v : z) {
                Assume.that(Math.abs(v) > 1e-4);
            }
        }
        DoubleSupplier loss = () -> dot(cd, activate(affine(xd, wd, bd, n, inputs, outputs), activation));

        Workspace ws = dense.workspace(backend, n + 2, true, new FMatrixRMaj(n + 2, inputs));
        secondPassOnADirtyWorkspace(dense, ws, x, c, random);

        assertMatchesReference("output", ws.output(), activate(z, activation));
        assertMatchesReference("dW", ws.gradients().get(0), numericGradient(wd, loss));
        assertMatchesReference("db", ws.gradients().get(1), numericGradient(bd, loss));
        assertMatchesReference("dX", ws.inputGradient(), numericGradient(xd, loss));

        // Flatten: forward copies x, backward copies dA, whatever the buffers held
        Flatten flatten = new Flatten(new Shape(inputs, 1, 1));
        Workspace fws = flatten.workspace(backend, n + 2, true, new FMatrixRMaj(n + 2, inputs));
        secondPassOnADirtyWorkspace(flatten, fws, x, x, random);
        assertMatchesReference("flatten output", fws.output(), xd);
        assertMatchesReference("flatten dX", fws.inputGradient(), xd);
    }

    /**
     * Runs a first batch of 1 more row than {@code x} (other random data) through {@code layer} on
     * {@code ws}, then one row forward, sets the parameter gradients and the workspace's {@code dX} to NaN, then runs
     * {@code x} forward and, from the output gradient {@code c}, backward; {@code dX} ends with {@code x}'s rows.
     */
    static void secondPassOnADirtyWorkspace(Layer layer, Workspace ws, FMatrixRMaj x, FMatrixRMaj c, Random random) {
        int n = x.numRows;
        FMatrixRMaj dX = ws.inputGradient();
        int first = Math.min(ws.capacity(), n + 1);
        FMatrixRMaj other = randomMatrix(first, x.numCols, random);
        layer.forward(other, ws);
        FMatrixRMaj otherGradient = randomMatrix(first, layer.outputShape().size(), random);
        System.arraycopy(otherGradient.data, 0, ws.outputGradient().data, 0, otherGradient.getNumElements());
        dX.reshape(first, x.numCols);
        layer.backward(ws);

        // a third size, so that each cache is reshaped twice (a shape worked out from the last one must hold)
        FMatrixRMaj one = randomMatrix(1, x.numCols, random);
        layer.forward(one, ws);

        for (FMatrixRMaj gradient : ws.gradients()) {
            Arrays.fill(gradient.data, Float.NaN);
        }
        Arrays.fill(dX.data, Float.NaN);
        layer.forward(x, ws);
        assertEquals(n, ws.rows(), "rows of the second batch");
        System.arraycopy(c.data, 0, ws.outputGradient().data, 0, c.getNumElements());
        dX.reshape(n, x.numCols);
        layer.backward(ws);
    }
}
