package dev.badnets.attack.defense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.Activation;
import dev.badnets.core.Loss;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/** MM-BD's margin and its gradient, and its verdict on networks built to have or lack a dominant class. */
class MaxMarginTest {

    @Test
    void marginIsTheTargetLogitMinusTheRunnerUpAndItsGradientPointsAtBoth() {
        FMatrixRMaj a = new FMatrixRMaj(2, 4, true, 1f, 5f, 3f, 2f, 9f, 0f, 4f, 8f);
        FMatrixRMaj dA = new FMatrixRMaj(2, 4);
        double[] out = new double[2];
        MaxMargin.margins(a, 0, out, dA);
        assertArrayEquals(new double[] {1 - 5, 9 - 8}, out, 0);
        assertArrayEquals(new float[] {-1, 1, 0, 0, -1, 0, 0, 1}, dA.data, 0f);
    }

    /**
     * One linear layer over 4 pixels, 4 classes: class c's logit is {@code w_c · x}. With equal
     * weights every class reaches the same margin (no p-value below 0.05); giving class 2 a pixel
     * with a weight 20 times the others' (a "trigger" pixel) makes its margin the outlier.
     */
    @Test
    void aClassWithAnOverridingFeatureIsFlaggedAndBalancedClassesAreNot() {
        MaxMargin.Settings settings = new MaxMargin.Settings(4, 300, 0.05f, 0, 0.05, 1, 1, "ejml");
        MaxMargin.Result balanced = MaxMargin.scan(linear(1f, 0), Shape.image(2, 2), settings);
        assertFalse(balanced.flagged(), "p " + balanced.pValue());
        MaxMargin.Result backdoored = MaxMargin.scan(linear(20f, 2), Shape.image(2, 2), settings);
        assertEquals(2, backdoored.suspect());
        assertTrue(backdoored.flagged(), "p " + backdoored.pValue());
    }

    /**
     * A 4-pixel, 4-class linear network {@code a = W x}: {@code W_cc = 3} (times {@code boost} for
     * class {@code boosted}), off the diagonal -1 give or take 0.1.
     */
    private static Network linear(float boost, int boosted) {
        Network net = Network.create(new int[] {4, 4}, Activation.RELU, Activation.IDENTITY,
                Loss.SOFTMAX_CROSS_ENTROPY, 1);
        FMatrixRMaj w = net.layer(0).parameters().get(0).value();
        java.util.Arrays.fill(net.layer(0).parameters().get(1).value().data, 0f);
        SplittableRandom random = new SplittableRandom(3);
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                w.set(r, c, r == c ? 3f * (c == boosted ? boost : 1f) : (float) (random.nextDouble() * 0.2 - 1.1));
            }
        }
        return net;
    }

    @Test
    void gammaFitRecoversTheShapeAndScaleOfAKnownSample() {
        // a large sample of Gamma(shape 3, scale 2) by summing exponentials
        SplittableRandom random = new SplittableRandom(5);
        double[] x = new double[20_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = -2 * (Math.log(random.nextDouble()) + Math.log(random.nextDouble()) + Math.log(random.nextDouble()));
        }
        double[] fit = Stats.gammaFit(x);
        assertEquals(3, fit[0], 0.1);
        assertEquals(2, fit[1], 0.07);
    }

    @Test
    void gammaTailMatchesClosedForms() {
        // shape 1 is the exponential: Q = exp(-x/θ); shape 2: Q = (1 + z) exp(-z)
        assertEquals(Math.exp(-1.5), Stats.gammaUpperTail(3, 1, 2), 1e-12);
        assertEquals(Math.exp(-10), Stats.gammaUpperTail(20, 1, 2), 1e-15);
        assertEquals(1.5 * Math.exp(-0.5), Stats.gammaUpperTail(1, 2, 2), 1e-12);
        assertEquals(13 * Math.exp(-12), Stats.gammaUpperTail(24, 2, 2), 1e-15);
        assertEquals(Math.log(24), Stats.logGamma(5), 1e-12);
        assertEquals(-0.5772156649015329, Stats.digamma(1), 1e-12);
        assertEquals(Math.PI * Math.PI / 6, Stats.trigamma(1), 1e-10);
    }
}
