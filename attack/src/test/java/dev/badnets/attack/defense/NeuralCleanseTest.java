package dev.badnets.attack.defense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.Network;
import dev.badnets.mnist.LabeledImages;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Neural Cleanse's arithmetic: the anomaly index, the flags, the trigger's gradients and its stamp. */
class NeuralCleanseTest {

    @Test
    void anomalyIndexIsTheOneSidedDistanceFromTheMedianOfTheLogsInRobustStandardDeviations() {
        // logs: median log 3; deviations log 3, log 1.5, 0, log 4/3, log 100/3; MAD log 1.5
        double[] index = NeuralCleanse.anomalyIndices(new double[] {1, 2, 3, 4, 100});
        double sigma = 1.4826 * Math.log(1.5);
        assertArrayEquals(new double[] {Math.log(3) / sigma, Math.log(1.5) / sigma, 0, -Math.log(4 / 3.0) / sigma,
            -Math.log(100 / 3.0) / sigma}, index, 1e-12);
    }

    @Test
    void aZeroMadFallsBackOnTheMeanAbsoluteDeviationAndEqualValuesScoreZero() {
        // logs: median log 5, deviations 0, 0, 0, log 5: MAD 0, mean absolute deviation log(5) / 4
        double sigma = 1.2533 * Math.log(5) / 4;
        assertArrayEquals(new double[] {0, 0, 0, Math.log(5) / sigma},
                NeuralCleanse.anomalyIndices(new double[] {5, 5, 5, 1}), 1e-12);
        assertArrayEquals(new double[] {0, 0, 0}, NeuralCleanse.anomalyIndices(new double[] {7, 7, 7}));
    }

    @Test
    void onlyAnAbnormallySmallMaskIsFlagged() {
        double[] l1 = {3, 40, 42, 38, 45, 41, 39, 44, 200, 43};
        double[] index = NeuralCleanse.anomalyIndices(l1);
        assertTrue(index[8] < 0, "200 is far above the median, which flags nothing");
        assertArrayEquals(new int[] {0}, NeuralCleanse.flagged(index));
        double[] even = {37, 40, 42, 38, 45, 41, 39, 44, 36, 43};
        assertArrayEquals(new int[0], NeuralCleanse.flagged(NeuralCleanse.anomalyIndices(even)));
    }

    /** The MNIST scan that the paper's index missed: two large clean masks inflated its MAD. */
    @Test
    void aSmallMaskIsFlaggedEvenWhenTwoCleanClassesAreLarge() {
        double[] l1 = {65.3, 65.3, 21.3, 34.0, 60.0, 31.6, 39.0, 8.1, 36.3, 27.8};
        assertArrayEquals(new int[] {7}, NeuralCleanse.flagged(NeuralCleanse.anomalyIndices(l1)));
    }

    /**
     * The chain rule through the tanh reparameterisation, against central differences in double
     * precision of {@code L = Σ c ⊙ x' + λ Σ m} with {@code m = (1 + tanh μ)/2}, {@code p = (1 + tanh π)/2},
     * {@code x' = (1 - m) x + m p}: a loss whose {@code dL/dx'} is c.
     */
    @Property(tries = 200)
    void maskAndPatternGradientsMatchFiniteDifferences(@ForAll @IntRange(min = 1, max = 4) int batch,
                                                       @ForAll @IntRange(min = 1, max = 6) int pixels,
                                                       @ForAll long seed) {
        Random random = new Random(seed);
        double[] mu = new double[pixels], pi = new double[pixels];
        double[] x = new double[batch * pixels], c = new double[batch * pixels];
        for (int j = 0; j < pixels; j++) {
            mu[j] = 4 * random.nextDouble() - 2;
            pi[j] = 4 * random.nextDouble() - 2;
        }
        for (int o = 0; o < x.length; o++) {
            x[o] = random.nextDouble();
            c[o] = 2 * random.nextDouble() - 1;
        }
        double lambda = random.nextDouble() * 0.1;
        java.util.function.DoubleSupplier loss = () -> {
            double sum = 0;
            for (int j = 0; j < pixels; j++) {
                double m = (1 + Math.tanh(mu[j])) / 2, p = (1 + Math.tanh(pi[j])) / 2;
                sum += lambda * m;
                for (int i = 0; i < batch; i++) {
                    int o = i * pixels + j;
                    sum += c[o] * ((1 - m) * x[o] + m * p);
                }
            }
            return sum;
        };
        float[] mask = new float[pixels], pattern = new float[pixels], g = new float[c.length], xf = new float[x.length];
        for (int j = 0; j < pixels; j++) {
            mask[j] = (float) ((1 + Math.tanh(mu[j])) / 2);
            pattern[j] = (float) ((1 + Math.tanh(pi[j])) / 2);
        }
        for (int o = 0; o < c.length; o++) {
            g[o] = (float) c[o];
            xf[o] = (float) x[o];
        }
        float[] dMu = new float[pixels], dPi = new float[pixels];
        NeuralCleanse.triggerGradients(g, xf, batch, mask, pattern, (float) lambda, dMu, dPi);
        assertClose("dL/dmu", dMu, numeric(mu, loss));
        assertClose("dL/dpi", dPi, numeric(pi, loss));
    }

    private static double[] numeric(double[] theta, java.util.function.DoubleSupplier loss) {
        double h = 1e-6;
        double[] grad = new double[theta.length];
        for (int j = 0; j < theta.length; j++) {
            double saved = theta[j];
            theta[j] = saved + h;
            double plus = loss.getAsDouble();
            theta[j] = saved - h;
            double minus = loss.getAsDouble();
            theta[j] = saved;
            grad[j] = (plus - minus) / (2 * h);
        }
        return grad;
    }

    private static void assertClose(String what, float[] got, double[] want) {
        for (int j = 0; j < want.length; j++) {
            int index = j;
            assertTrue(Math.abs(got[j] - want[j]) <= 1e-5 * (1 + Math.abs(want[j])),
                    () -> what + "[" + index + "] = " + got[index] + ", finite differences give " + want[index]);
        }
    }

    @Test
    void theStampBlendsMaskAndPatternInPixelValues() {
        RecoveredTrigger t = new RecoveredTrigger(0, new float[] {0f, 1f, 0.5f}, new float[] {1f, 1f, 0f}, 1.5, 1, 1);
        byte[] pixels = {9, 100, 10, (byte) 200, 50, (byte) 200};
        t.stamp(pixels, 3);
        assertArrayEquals(new byte[] {9, 100, 10, (byte) 200, (byte) 255, 100}, pixels);
        assertArrayEquals(new int[] {1, 2}, t.strongestPixels(2));
    }

    @Test
    void theSameSeedGivesTheSameTriggersAndTheScanRefusesImagesThatDoNotFit() {
        Network net = Network.mlp(16, new int[] {8}, 3, 5);
        Random random = new Random(3);
        byte[] pixels = new byte[40 * 16], labels = new byte[40];
        random.nextBytes(pixels);
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) (i % 3);
        }
        LabeledImages images = new LabeledImages(40, 4, 4, pixels, labels);
        NeuralCleanse.Settings settings = NeuralCleanse.Settings.defaults().withMaxSteps(30).withThreads(1, "auto");
        ScanResult a = NeuralCleanse.scan(net, images, settings, null);
        ScanResult b = NeuralCleanse.scan(net, images, settings.withThreads(2, "auto"), null);
        for (int c = 0; c < 3; c++) {
            assertArrayEquals(a.triggers().get(c).mask(), b.triggers().get(c).mask());
            assertArrayEquals(a.triggers().get(c).pattern(), b.triggers().get(c).pattern());
            assertEquals(a.triggers().get(c).attackSuccess(), b.triggers().get(c).attackSuccess());
        }
        LabeledImages wrongSize = new LabeledImages(1, 5, 5, new byte[25], new byte[1]);
        var e = assertThrows(IllegalArgumentException.class, () -> NeuralCleanse.scan(net, wrongSize, settings, null));
        assertTrue(e.getMessage().contains("input shape mismatch"), e.getMessage());
    }
}
