package dev.badnets.core;

import static dev.badnets.core.ConvGradientCheckTest.conv;
import static dev.badnets.core.GradientCheckTest.activate;
import static dev.badnets.core.GradientCheckTest.randomMatrix;
import static dev.badnets.core.GradientCheckTest.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.backend.MatrixBackend;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.ejml.data.FMatrixRMaj;

/**
 * Conv2D on batches whose output has more than {@link Conv2D#BLOCK} rows ({@code n·H'·W'}), where
 * the bias gradient is summed block by block (on any thread) and the blocks then added in order,
 * and on windows of at least 16 floats ({@code k·C}), which im2col copies whole: both are past the
 * sizes the finite-difference checks can afford. The forward pass and all three gradients are
 * checked against the definitions evaluated in double precision (the forward of
 * {@link ConvGradientCheckTest#conv}, and the backward written out below as plain sums, no im2col),
 * with the loss {@code L = Σ c ⊙ a} so that {@code dL/da = c}, on a reused workspace
 * ({@link ReusedWorkspaceGradientTest#secondPassOnADirtyWorkspace}).
 */
class ConvLargeBatchTest {

    @Provide
    Arbitrary<MatrixBackend> backends() {
        return Arbitraries.of(ReusedWorkspaceGradientTest.BACKENDS);
    }

    /**
     * Shapes whose output spans 1 to 3 blocks of rows, with 255, 256, 257 and 511 rows among them,
     * one or six input channels (six: 3x3 windows of 18 floats).
     */
    @Provide
    Arbitrary<int[]> shapes() {
        // {n, C, H, W, k, s, p}
        return Arbitraries.of(
                new int[] {5, 1, 7, 8, 3, 1, 1},      // 280 rows
                new int[] {3, 6, 10, 11, 3, 1, 1},    // 330 rows, runs of 18
                new int[] {5, 1, 1, 51, 1, 1, 0},     // 255 rows
                new int[] {4, 2, 8, 8, 3, 1, 1},      // 256 rows
                new int[] {1, 1, 1, 257, 3, 1, 1},    // 257 rows
                new int[] {7, 1, 1, 73, 3, 1, 1},     // 511 rows
                new int[] {4, 6, 16, 16, 3, 2, 1},    // 256 rows at stride 2, runs of 18
                new int[] {3, 8, 12, 12, 2, 1, 0},    // 363 rows, runs of 16
                new int[] {6, 3, 12, 12, 5, 1, 2});   // 864 rows: 3 full blocks and a part
    }

    @Property(tries = 40)
    void matchesTheDefinitionPastOneBlockOfRows(@ForAll("backends") MatrixBackend backend, @ForAll("shapes") int[] shape,
                                                @ForAll Activation activation,
                                                @ForAll @IntRange(min = 1, max = 4) int filters, @ForAll long seed) {
        int n = shape[0], k = shape[4], s = shape[5], p = shape[6];
        Shape in = new Shape(shape[1], shape[2], shape[3]);
        Random random = new Random(seed);
        FMatrixRMaj w = randomMatrix(k * k * in.channels(), filters, random);
        FMatrixRMaj b = randomMatrix(1, filters, random);
        Conv2D layer = new Conv2D(in, k, s, p, w, b, activation);
        Shape out = layer.outputShape();
        FMatrixRMaj x = randomMatrix(n, in.size(), random);
        FMatrixRMaj c = randomMatrix(n, out.size(), random);
        double[] xd = toDouble(x), wd = toDouble(w), bd = toDouble(b), cd = toDouble(c);
        double[] z = conv(xd, wd, bd, n, in, filters, k, s, p);
        if (activation == Activation.RELU || activation == Activation.LEAKY_RELU) {
            for (double v : z) {
                Assume.that(Math.abs(v) > 1e-4); // float and double must agree on which units fired
            }
        }
        double[] a = activate(z, activation);
        double[] dZ = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            dZ[i] = cd[i] * derivative(activation, z[i], a[i]);
        }
        Reference ref = backward(xd, wd, dZ, n, in, out, k, s, p);

        Workspace ws = layer.workspace(backend, n, true, new FMatrixRMaj(n, in.size()));
        FMatrixRMaj dX = ws.inputGradient();
        ReusedWorkspaceGradientTest.secondPassOnADirtyWorkspace(layer, ws, x, c, random);

        // |b| + Σ |x W|: what the rounding of z (and so of a, whose slope is at most 1) scales with
        double[] zScale = conv(abs(xd), abs(wd), abs(bd), n, in, filters, k, s, p);
        assertClose("output", ws.output(), a, zScale);
        assertClose("dW", ws.gradients().get(0), ref.dW, ref.dWScale);
        assertClose("db", ws.gradients().get(1), ref.db, ref.dbScale);
        assertClose("dX", dX, ref.dX, ref.dXScale);
    }

    private static double[] abs(double[] v) {
        double[] a = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = Math.abs(v[i]);
        }
        return a;
    }

    private static double derivative(Activation f, double z, double a) {
        switch (f) {
            case IDENTITY: return 1;
            case RELU: return z > 0 ? 1 : 0;
            case SIGMOID: return a * (1 - a);
            case TANH: return 1 - a * a;
            case LEAKY_RELU: return z > 0 ? 1 : 0.01;
            default: throw new AssertionError(f);
        }
    }

    /** The three gradients, each with the sum of the magnitudes of its terms (what float rounding scales with). */
    private record Reference(double[] dW, double[] dWScale, double[] db, double[] dbScale, double[] dX, double[] dXScale) {
    }

    /**
     * From the definition {@code z[i,oy,ox,f] = b[f] + Σ x[i, oy·s-p+ky, ox·s-p+kx, c] W[(ky·k+kx)·C+c, f]}:
     * <pre>
     *   db[f]                 = Σ_{i,oy,ox} dZ[i,oy,ox,f]
     *   dW[(ky·k+kx)·C+c, f]  = Σ_{i,oy,ox} x[i, oy·s-p+ky, ox·s-p+kx, c] dZ[i,oy,ox,f]
     *   dX[i, iy, ix, c]      = Σ over (oy,ox,ky,kx) reading it, and f, of W[(ky·k+kx)·C+c, f] dZ[i,oy,ox,f]
     * </pre>
     */
    private static Reference backward(double[] x, double[] w, double[] dZ, int n, Shape in, Shape out, int k, int s,
                                      int p) {
        int channels = in.channels(), height = in.height(), width = in.width(), filters = out.channels();
        double[] dW = new double[w.length], dWScale = new double[w.length];
        double[] db = new double[filters], dbScale = new double[filters];
        double[] dX = new double[x.length], dXScale = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    for (int f = 0; f < filters; f++) {
                        double g = dZ[((i * out.height() + oy) * out.width() + ox) * filters + f];
                        db[f] += g;
                        dbScale[f] += Math.abs(g);
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * s - p + ky, ix = ox * s - p + kx;
                                if (iy < 0 || iy >= height || ix < 0 || ix >= width) {
                                    continue;
                                }
                                for (int c = 0; c < channels; c++) {
                                    int xi = i * in.size() + (iy * width + ix) * channels + c;
                                    int wi = ((ky * k + kx) * channels + c) * filters + f;
                                    dW[wi] += x[xi] * g;
                                    dWScale[wi] += Math.abs(x[xi] * g);
                                    dX[xi] += w[wi] * g;
                                    dXScale[xi] += Math.abs(w[wi] * g);
                                }
                            }
                        }
                    }
                }
            }
        }
        return new Reference(dW, dWScale, db, dbScale, dX, dXScale);
    }

    /** Float sums of many terms: within 1e-5 of the terms' total magnitude (plus 1e-5 absolute). */
    private static void assertClose(String what, FMatrixRMaj got, double[] want, double[] scale) {
        assertEquals(want.length, got.getNumElements(), what + ": number of values");
        for (int i = 0; i < want.length; i++) {
            double g = got.data[i], e = want[i], tolerance = 1e-5 * (1 + Math.abs(scale[i]));
            int index = i;
            assertTrue(Math.abs(g - e) <= tolerance, () -> what + "[" + index + "] = " + g + ", the definition gives " + e);
        }
    }
}
