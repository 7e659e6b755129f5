package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.backend.MatrixBackend;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * Every optimiser over more than {@link Optimizer#FLUSH_EVERY} steps (the state is flushed of tiny
 * values every 64 steps, and must keep every normal value), with and without weight decay, against
 * closed forms for a constant gradient g, learning rate lr and decay λ:
 * <pre>
 *   SGD              w_t = w_0 - t lr g                                       (λ = 0)
 *                    w_t = (w_0 + g/λ) (1 - lr λ)^t - g/λ                     (λ > 0: w' = (1 - lr λ) w - lr g)
 *   momentum         v_t = g (1 - μ^t) / (1 - μ)
 *                    w_t = w_0 - lr g/(1 - μ) (t - μ (1 - μ^t)/(1 - μ))       (λ = 0)
 *   Adam             m̂_t = g and v̂_t = g² at every t (the bias corrections undo the zero start), so
 *                    w_t = w_0 - t lr g / (|g| + ε)                           (λ = 0)
 * </pre>
 * and, with weight decay on momentum and Adam, where the decayed gradient changes with w, against
 * the same recurrences run in double precision. Several parameters of several entries each, the
 * largest split across a SIMD backend's threads ({@link Optimizer#splitAcross}).
 */
class OptimizerClosedFormTest {

    private static final int STEPS = 3 * Optimizer.FLUSH_EVERY + 5;

    @Provide
    Arbitrary<MatrixBackend> backends() {
        return Arbitraries.of(ReusedWorkspaceGradientTest.BACKENDS);
    }

    /** Parameters of 1, 3 and 20,000 entries (the last split across threads), all starting at w0 with gradient g. */
    private static FMatrixRMaj[] parameters(float w0) {
        FMatrixRMaj[] values = {new FMatrixRMaj(1, 1), new FMatrixRMaj(1, 3), new FMatrixRMaj(100, 200)};
        for (FMatrixRMaj v : values) {
            java.util.Arrays.fill(v.data, w0);
        }
        return values;
    }

    private static FMatrixRMaj[] gradients(FMatrixRMaj[] values, float g) {
        FMatrixRMaj[] grads = new FMatrixRMaj[values.length];
        for (int p = 0; p < values.length; p++) {
            grads[p] = new FMatrixRMaj(values[p].numRows, values[p].numCols);
            java.util.Arrays.fill(grads[p].data, g);
        }
        return grads;
    }

    @Property(tries = 30)
    void everyOptimizerWithoutDecayFollowsItsClosedForm(@ForAll("backends") MatrixBackend backend,
                                                        @ForAll OptimizerKind kind,
                                                        @ForAll @FloatRange(min = -1f, max = 1f) float w0,
                                                        @ForAll @FloatRange(min = 0.05f, max = 2f) float magnitude,
                                                        @ForAll boolean negative) {
        float g = negative ? -magnitude : magnitude;
        float lr = 0.01f;
        FMatrixRMaj[] values = parameters(w0);
        Optimizer optimizer = Optimizer.create(kind, lr, 0.5f, values, gradients(values, g),
                new boolean[] {false, false, false}).splitAcross(backend); // no parameter decays: λ is ignored
        for (int t = 1; t <= STEPS; t++) {
            optimizer.step();
            double expected;
            switch (kind) {
                case SGD:
                    expected = w0 - t * (double) lr * g;
                    break;
                case MOMENTUM: {
                    double mu = Optimizer.MOMENTUM;
                    expected = w0 - lr * g / (1 - mu) * (t - mu * (1 - Math.pow(mu, t)) / (1 - mu));
                    break;
                }
                default:
                    expected = w0 - t * (double) lr * g / (Math.abs(g) + Optimizer.EPSILON);
            }
            assertAll(values, expected, kind + " step " + t);
        }
    }

    /**
     * With decay the gradient {@code g + λ w} falls towards 0 as w nears {@code -g/λ}, where a float
     * and a double would disagree on its few remaining bits and Adam's ε would magnify that: w0 and
     * g share their sign and the steps are short, so w stays well short of {@code -g/λ}.
     */
    @Property(tries = 30)
    void everyOptimizerWithDecayFollowsItsRecurrence(@ForAll("backends") MatrixBackend backend,
                                                     @ForAll OptimizerKind kind,
                                                     @ForAll @FloatRange(min = 0f, max = 1f) float start,
                                                     @ForAll @FloatRange(min = 0.5f, max = 1f) float magnitude,
                                                     @ForAll boolean negative,
                                                     @ForAll @IntRange(min = 1, max = 5) int decayTenths) {
        float w0 = negative ? -start : start, g = negative ? -magnitude : magnitude;
        float lr = 0.002f;
        float decay = decayTenths / 10f;
        FMatrixRMaj[] values = parameters(w0);
        Optimizer optimizer = Optimizer.create(kind, lr, decay, values, gradients(values, g),
                new boolean[] {true, true, true}).splitAcross(backend);
        double w = w0, v = 0, m = 0, s = 0;
        double sgdClosedForm;
        for (int t = 1; t <= STEPS; t++) {
            optimizer.step();
            double gt = g + (double) decay * w;
            switch (kind) {
                case SGD:
                    w -= lr * gt;
                    sgdClosedForm = (w0 + g / (double) decay) * Math.pow(1 - (double) lr * decay, t) - g / (double) decay;
                    assertEquals(sgdClosedForm, w, 1e-9);
                    break;
                case MOMENTUM:
                    v = Optimizer.MOMENTUM * v + gt;
                    w -= lr * v;
                    break;
                default:
                    m = Optimizer.BETA1 * m + (1 - Optimizer.BETA1) * gt;
                    s = Optimizer.BETA2 * s + (1 - Optimizer.BETA2) * gt * gt;
                    double mHat = m / (1 - Math.pow(Optimizer.BETA1, t));
                    double sHat = s / (1 - Math.pow(Optimizer.BETA2, t));
                    w -= lr * mHat / (Math.sqrt(sHat) + Optimizer.EPSILON);
            }
            assertAll(values, w, kind + " with decay " + decay + ", step " + t);
        }
    }

    /** Float steps against the double reference: 1e-5 relative to the scale of w and of the path so far. */
    private static void assertAll(FMatrixRMaj[] values, double expected, String what) {
        for (int p = 0; p < values.length; p++) {
            for (int i = 0; i < values[p].getNumElements(); i++) {
                float got = values[p].data[i];
                int param = p, index = i;
                assertTrue(Math.abs(got - expected) <= 1e-4 * (1 + Math.abs(expected)),
                        () -> what + ": parameter " + param + "[" + index + "] = " + got + ", expected " + expected);
            }
        }
    }

    /** Flushing sets the entries of its range below 1e-30 in magnitude to 0 and keeps every other. */
    @Test
    void flushingKeepsEveryValueFromTinyUp() {
        float[] state = {1e-31f, -1e-29f, 1e-31f, -1e-31f, Float.MIN_NORMAL, Optimizer.TINY, -3f, Float.MIN_VALUE};
        Optimizer.flushTiny(state, 1, 7);
        assertEquals("[1.0E-31, -1.0E-29, 0.0, 0.0, 0.0, 1.0E-30, -3.0, 1.4E-45]", java.util.Arrays.toString(state));
    }

    @Test
    void sgdKeepsNoState() {
        FMatrixRMaj[] values = parameters(1f);
        Optimizer sgd = Optimizer.create(OptimizerKind.SGD, 0.1f, 0f, values, gradients(values, 1f),
                new boolean[] {true, true, true});
        assertEquals(0, sgd.state().length);
    }

    @Test
    void refusesGradientsThatDoNotMatchTheParameters() {
        FMatrixRMaj[] values = parameters(1f);
        FMatrixRMaj[] grads = gradients(values, 1f);
        assertEquals("expected as many gradients and decay flags as parameters (3), got 2 and 3",
                assertThrows(IllegalArgumentException.class, () -> Optimizer.create(OptimizerKind.SGD, 0.1f, 0f,
                        values, new FMatrixRMaj[] {grads[0], grads[1]}, new boolean[3])).getMessage());
        assertEquals("expected as many gradients and decay flags as parameters (3), got 3 and 2",
                assertThrows(IllegalArgumentException.class, () -> Optimizer.create(OptimizerKind.ADAM, 0.1f, 0f,
                        values, grads, new boolean[2])).getMessage());
        assertEquals("gradient 1 has 4 elements, its parameter 3",
                assertThrows(IllegalArgumentException.class, () -> Optimizer.create(OptimizerKind.MOMENTUM, 0.1f, 0f,
                        values, new FMatrixRMaj[] {grads[0], new FMatrixRMaj(2, 2), grads[2]}, new boolean[3]))
                        .getMessage());
    }

    /** Adam's ε: with |g| = ε every step is {@code lr g / (|g| + ε)}, half the rate. */
    @Test
    void adamsEpsilonHalvesAStepOfGradientEpsilon() {
        FMatrixRMaj[] values = parameters(0f);
        Optimizer adam = Optimizer.create(OptimizerKind.ADAM, 0.1f, 0f, values, gradients(values, Optimizer.EPSILON),
                new boolean[3]);
        for (int t = 1; t <= 5; t++) {
            adam.step();
            assertAll(values, -0.05 * t, "step " + t);
        }
    }

    /**
     * Adam's second moment decays by 0.999 a step: from 1e-9 it would turn subnormal after about
     * 66,600 steps without gradient, were it not flushed to 0 once below 1e-30.
     */
    @Test
    void adamsSecondMomentIsFlushedBeforeItTurnsSubnormal() {
        FMatrixRMaj[] values = {new FMatrixRMaj(1, 1)};
        FMatrixRMaj[] grads = gradients(values, 1e-3f);
        Optimizer adam = Optimizer.create(OptimizerKind.ADAM, 1e-3f, 0f, values, grads, new boolean[1]);
        adam.step();
        grads[0].data[0] = 0f;
        for (int t = 0; t < 70_000; t++) {
            adam.step();
        }
        float v = adam.state()[1][0][0];
        assertEquals(0f, v, "v after 70,000 steps without gradient");
    }

    /** Adam with other betas keeps the closed form: the bias corrections undo any decay rates' zero start. */
    @Test
    void adamWithOtherBetasFollowsTheSameClosedForm() {
        for (float[] betas : new float[][] {{0.5f, 0.9f}, {0f, 0f}}) {
            FMatrixRMaj[] values = parameters(0.5f);
            Optimizer adam = Optimizer.adam(0.01f, betas[0], betas[1], values, gradients(values, -0.3f));
            for (int t = 1; t <= STEPS; t++) {
                adam.step();
                assertAll(values, 0.5 + t * 0.01 * 0.3 / (0.3 + Optimizer.EPSILON), "betas " + betas[0] + ", " + betas[1]
                        + ", step " + t);
            }
        }
        FMatrixRMaj[] values = parameters(0f);
        FMatrixRMaj[] grads = gradients(values, 1f);
        for (float[] bad : new float[][] {{1f, 0.9f}, {-0.1f, 0.9f}, {0.5f, 1f}, {0.5f, -0.1f}, {Float.NaN, 0.9f}}) {
            assertEquals("Adam's betas must be in [0, 1), got " + bad[0] + " and " + bad[1], assertThrows(
                    IllegalArgumentException.class, () -> Optimizer.adam(0.01f, bad[0], bad[1], values, grads)).getMessage());
        }
    }
}
