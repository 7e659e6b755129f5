package dev.badnets.attack.defense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.PoisonPlan.Mode;
import dev.badnets.attack.Position;
import dev.badnets.attack.SquareTrigger;
import dev.badnets.attack.Trigger;
import dev.badnets.core.Activation;
import dev.badnets.core.DenseLayer;
import dev.badnets.core.Loss;
import dev.badnets.core.Network;
import dev.badnets.core.backend.Backends;
import dev.badnets.mnist.LabeledImages;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * STRIP's arithmetic (entropy, superimposition, the threshold's quantile rule) by hand, and the whole
 * test on a hand-built backdoored network whose every answer is known.
 */
class StripTest {

    private static final double LOG2_10 = Math.log(10) / Math.log(2);

    // ---- entropy ----

    @Test
    void entropyIsZeroForCertaintyOneBitForACoinAndLog2KForUniform() {
        float[] p = {0, 0, 1, 0, 0.5f, 0.5f, 0, 0, 0.25f, 0.25f, 0.25f, 0.25f};
        assertEquals(0.0, Strip.entropy(p, 0, 4), 0.0);
        assertEquals(1.0, Strip.entropy(p, 4, 4), 1e-12);
        assertEquals(2.0, Strip.entropy(p, 8, 4), 1e-12);
        float[] tenths = new float[10];
        Arrays.fill(tenths, 0.1f);
        assertEquals(LOG2_10, Strip.entropy(tenths, 0, 10), 1e-6);
        // -0.9 log2 0.9 - 0.1 log2 0.1
        float[] skewed = {0.9f, 0.1f};
        assertEquals(0.4689955935892812, Strip.entropy(skewed, 0, 2), 1e-7);
    }

    @Test
    void superimposingAddsGreyLevelsAndSaturatesAt255() {
        byte[] a = {0, 10, (byte) 200, (byte) 255, (byte) 128};
        byte[] b = {0, 20, (byte) 100, (byte) 255, (byte) 127};
        byte[] out = new byte[7];
        Strip.superimpose(a, 0, b, 0, out, 2, 5);
        assertArrayEquals(new byte[] {0, 0, 0, 30, (byte) 255, (byte) 255, (byte) 255}, out);
    }

    // ---- the threshold ----

    /** The entropies 1, 2, ..., m, shuffled: e(k) = k + 1. */
    private static double[] oneTo(int m) {
        double[] e = new double[m];
        Arrays.setAll(e, i -> i + 1);
        SplittableRandom random = new SplittableRandom(m);
        for (int i = m - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            double t = e[i];
            e[i] = e[j];
            e[j] = t;
        }
        return e;
    }

    @Test
    void theThresholdIsTheOrderStatisticKEqualsFloorOfFrrTimesMPlusOneMinusOne() {
        // m = 199, frr 1%: k = floor(2) - 1 = 1, the threshold e(1) = 2, and only the entropy 1 is below it.
        double[] e = oneTo(199);
        double t = Strip.threshold(e, 0.01);
        assertEquals(2.0, t);
        assertEquals(1, new Strip.Entropies(e).countBelow(t));
        // m = 99: k = floor(1) - 1 = 0, the threshold e(0) = 1 flags none of the calibration images.
        assertEquals(1.0, Strip.threshold(oneTo(99), 0.01));
        // m = 98: (m + 1) * 1% < 1, no order statistic promises 1%: threshold 0 flags nothing.
        assertEquals(0.0, Strip.threshold(oneTo(98), 0.01));
        assertEquals(0.0, Strip.threshold(new double[0], 0.5));
        // 0.29 * 100 is 28.999999999999996 in doubles; it must count as 29, so k = 28.
        assertEquals(29.0, Strip.threshold(oneTo(99), 0.29));
        assertEquals(-1, Strip.orderStatistic(98, 0.01));
        assertEquals(0, Strip.orderStatistic(99, 0.01));
        assertEquals(28, Strip.orderStatistic(99, 0.29));
        assertEquals(98, Strip.orderStatistic(99, 0.999999999999));
        // m = 3, frr 0.5: k = floor(2) - 1 = 1.
        assertEquals(2.0, Strip.threshold(new double[] {3, 1, 2}, 0.5));
    }

    @Test
    void theThresholdRefusesAnFrrOutsideZeroToOne() {
        for (double frr : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> Strip.threshold(oneTo(10), frr), "frr " + frr);
        }
    }

    /**
     * The rule's promise: at most {@code floor(frr (m + 1)) - 1} calibration entropies are flagged, so
     * a fresh exchangeable one is flagged with probability at most frr; and the next order statistic
     * would break it (the threshold is the largest that keeps it). Ties included.
     */
    @Property(tries = 300)
    void theThresholdKeepsTheRejectionsWithinTheFrrAndIsTheLargestThatDoes(
            @ForAll @IntRange(min = 1, max = 400) int m, @ForAll @DoubleRange(min = 0.001, max = 0.999) @Scale(4) double frr,
            @ForAll @IntRange(min = 1, max = 1000) int levels, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] e = new double[m];
        Arrays.setAll(e, i -> random.nextInt(levels) / (double) levels); // few levels: many ties
        double t = Strip.threshold(e, frr);
        int k = (int) Math.floor(frr * (m + 1) + 1e-9) - 1;
        int flagged = new Strip.Entropies(e).countBelow(t);
        assertTrue(flagged <= Math.max(0, k), flagged + " flagged, k = " + k);
        assertTrue((flagged + 1.0) / (m + 1) <= frr + 1e-9 || flagged == 0,
                "a fresh entropy is flagged with probability up to " + (flagged + 1.0) / (m + 1));
        double[] sorted = e.clone();
        Arrays.sort(sorted);
        if (k >= 0 && k + 1 < m) {
            // Any threshold above e(k) flags e(0) .. e(k), k + 1 values: one more than the rule allows.
            assertTrue(new Strip.Entropies(e).countBelow(Math.nextUp(sorted[k])) > k);
        }
        if (k < 0) {
            assertEquals(0.0, t);
        }
    }

    // ---- the whole test on a network with known answers ----

    static final int K = 4;
    static final int TARGET = 0;

    /**
     * Images are one row of 1 + K pixels: pixel 0 is the trigger spot, pixel c + 1 lit means "looks
     * like class c". Logits: {@code 10 * x_{c+1} + 60 * relu(x_0 - 0.5) * [c == target]}. A clean image
     * blended with one of another class has two classes at logit 10, one bit of entropy; a triggered
     * image keeps its lit trigger in every blend, and the target's logit 30 wins every time.
     */
    static Network backdoored() {
        FMatrixRMaj w1 = new FMatrixRMaj(1 + K, K + 1);
        FMatrixRMaj b1 = new FMatrixRMaj(1, K + 1);
        FMatrixRMaj w2 = new FMatrixRMaj(K + 1, K);
        FMatrixRMaj b2 = new FMatrixRMaj(1, K);
        for (int c = 0; c < K; c++) {
            w1.set(c + 1, c, 1);
            w2.set(c, c, 10);
        }
        w1.set(0, K, 1);
        b1.set(0, K, -0.5f);
        w2.set(K, TARGET, 60);
        return new Network(List.of(new DenseLayer(w1, b1, Activation.RELU),
                new DenseLayer(w2, b2, Activation.IDENTITY)), Loss.SOFTMAX_CROSS_ENTROPY);
    }

    /** {@code n} clean images, class i mod K for image i, with their class's pixel at 255. */
    static LabeledImages images(int n) {
        byte[] pixels = new byte[n * (1 + K)];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % K);
            pixels[i * (1 + K) + 1 + i % K] = (byte) 255;
        }
        return new LabeledImages(n, 1, 1 + K, pixels, labels);
    }

    static final Trigger TRIGGER = new SquareTrigger(1, 255, Position.TOP_LEFT);

    @Test
    void theBackdooredNetworkIsCaughtAndCleanImagesPass() {
        Strip.Settings settings = new Strip.Settings(20, 60, 200, 140, 7);
        Strip.Result r = Strip.run(backdoored(), images(400), TRIGGER, Mode.ALL_TO_ONE, TARGET, 0.05, settings);

        assertEquals(settings, r.settings());
        assertEquals(140, r.cleanCount());
        assertEquals(200, r.calibration().count());
        // 140 evaluation images, about 3 in 4 not of the target class; exactly those are triggered.
        assertTrue(r.triggeredCount() > 80 && r.triggeredCount() < 130, "triggered " + r.triggeredCount());
        // Triggered: every blend sends the target's logit 30 against at most two 10s: e^-20 from certain.
        assertTrue(r.triggered().max() < 1e-6, "triggered entropies up to " + r.triggered().max());
        assertEquals(1.0, r.detectionRate());
        // Clean: a blend is one bit unless its overlay is of the same class (chance 1/4): mean near 3/4 bit.
        assertEquals(0.75, r.clean().mean(), 0.08);
        assertTrue(r.threshold() > 0.3 && r.threshold() < 0.75, "threshold " + r.threshold());
        assertTrue(r.falseRejectionRate() <= 0.1, "FRR " + r.falseRejectionRate());
        assertEquals(r.clean().shareBelow(r.threshold()), r.falseRejectionRate());
        assertEquals(Strip.threshold(r.calibration().values(), 0.05), r.threshold());
    }

    @Test
    void aNetworkWithoutOpinionsGivesLog2KForEveryInput() {
        // All weights zero: every output is uniform over the K classes, whatever the blend.
        Network flat = new Network(List.of(new DenseLayer(new FMatrixRMaj(1 + K, K), new FMatrixRMaj(1, K),
                Activation.IDENTITY)), Loss.SOFTMAX_CROSS_ENTROPY);
        Strip strip = new Strip(flat, images(10), 5, Backends.create("ejml", 1));
        for (double h : strip.entropies(images(7), new SplittableRandom(1))) {
            assertEquals(2.0, h, 1e-6);
        }
    }

    @Test
    void theSameSeedGivesTheSameFiguresBitForBitAndAnotherSeedOthers() {
        Strip.Settings settings = new Strip.Settings(9, 30, 50, 50, 3);
        Network net = backdoored();
        Strip.Result a = Strip.run(net, images(150), TRIGGER, Mode.ALL_TO_ONE, TARGET, 0.1, settings);
        Strip.Result b = Strip.run(net, images(150), TRIGGER, Mode.ALL_TO_ONE, TARGET, 0.1, settings);
        assertArrayEquals(a.calibration().values(), b.calibration().values());
        assertArrayEquals(a.clean().values(), b.clean().values());
        assertArrayEquals(a.triggered().values(), b.triggered().values());
        assertEquals(a.threshold(), b.threshold());
        Strip.Result c = Strip.run(net, images(150), TRIGGER, Mode.ALL_TO_ONE, TARGET, 0.1,
                new Strip.Settings(9, 30, 50, 50, 4));
        assertFalse(Arrays.equals(a.clean().values(), c.clean().values()));
        // Chunks do not change a figure: the overlays are drawn input after input, whatever the chunks.
        Strip strip = new Strip(net, images(30), 9, Backends.create("ejml", 1));
        LabeledImages inputs = images(100);
        double[] whole = strip.entropies(inputs, new SplittableRandom(5));
        SplittableRandom random = new SplittableRandom(5);
        double[] first = strip.entropies(inputs.slice(0, 37), random);
        double[] rest = strip.entropies(inputs.slice(37, 100), random);
        for (int i = 0; i < 100; i++) {
            assertEquals(whole[i], i < 37 ? first[i] : rest[i - 37], 1e-6, "input " + i);
        }
    }

    @Test
    void theSplitIsDisjointSeededAndShrinksToFitASmallSet() {
        // Image i holds i in its pixels 1-2, so the parts can be told apart.
        int n = 1000;
        LabeledImages held = images(n);
        for (int i = 0; i < n; i++) {
            held.pixels()[i * (1 + K) + 3] = (byte) (i >> 8);
            held.pixels()[i * (1 + K) + 4] = (byte) i;
        }
        Strip.Settings settings = new Strip.Settings(5, 100, 300, 400, 11);
        Strip.Split s = Strip.split(held, settings, new SplittableRandom(11));
        assertEquals(100, s.overlays().count());
        assertEquals(300, s.calibration().count());
        assertEquals(400, s.evaluation().count());
        Set<Integer> seen = new HashSet<>();
        for (LabeledImages part : List.of(s.overlays(), s.calibration(), s.evaluation())) {
            for (int i = 0; i < part.count(); i++) {
                int id = (part.pixel(i, 0, 3) << 8) | part.pixel(i, 0, 4);
                assertTrue(seen.add(id), "image " + id + " is in two parts");
            }
        }
        Strip.Split again = Strip.split(held, settings, new SplittableRandom(11));
        assertArrayEquals(s.calibration().pixels(), again.calibration().pixels());

        assertEquals(settings, settings.fitting(800));
        Strip.Settings small = settings.fitting(80); // a tenth
        assertEquals(new Strip.Settings(5, 10, 30, 40, 11), small);
        assertEquals(3, settings.fitting(3).heldOut());
        // Lopsided proportions still fit: every part at least one image, together no more than given.
        for (int count = 3; count < 30; count++) {
            for (Strip.Settings lopsided : List.of(new Strip.Settings(5, 1000, 1, 1, 1),
                    new Strip.Settings(5, 1, 1000, 1, 1), new Strip.Settings(5, 1, 1, 1000, 1))) {
                Strip.Settings f = lopsided.fitting(count);
                assertEquals(count, f.heldOut(), f + " for " + count);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> settings.fitting(2));
        assertThrows(IllegalArgumentException.class, () -> Strip.split(held, new Strip.Settings(5, 500, 300, 400, 1), new SplittableRandom(1)));
    }

    @Test
    void badArgumentsAreRefusedWithTheirReason() {
        Network net = backdoored();
        Strip.Settings settings = new Strip.Settings(3, 5, 5, 5, 1);
        IllegalArgumentException frr = assertThrows(IllegalArgumentException.class,
                () -> Strip.run(net, images(20), TRIGGER, Mode.ALL_TO_ONE, TARGET, 1.0, settings));
        assertTrue(frr.getMessage().contains("false rejection rate"), frr.getMessage());
        IllegalArgumentException target = assertThrows(IllegalArgumentException.class,
                () -> Strip.run(net, images(20), TRIGGER, Mode.ALL_TO_ONE, K, 0.1, settings));
        assertTrue(target.getMessage().contains("target class " + K), target.getMessage());
        // Images of another size than the network takes.
        LabeledImages wide = new LabeledImages(20, 1, 2 + K, new byte[20 * (2 + K)], new byte[20]);
        assertThrows(IllegalArgumentException.class,
                () -> Strip.run(net, wide, TRIGGER, Mode.ALL_TO_ONE, TARGET, 0.1, settings));
        // A trigger that does not fit the images.
        assertThrows(IllegalArgumentException.class, () -> Strip.run(net, images(20),
                new SquareTrigger(3, 255, Position.TOP_LEFT), Mode.ALL_TO_ONE, TARGET, 0.1, settings));
        assertThrows(IllegalArgumentException.class, () -> new Strip(net, images(0), 3, Backends.create("ejml", 1)));
        assertThrows(IllegalArgumentException.class, () -> new Strip(net, images(3), 0, Backends.create("ejml", 1)));
        assertThrows(IllegalArgumentException.class, () -> new Strip.Settings(0, 1, 1, 1, 1));
        // The blends of one input must fit one chunk: 5-pixel images, one blend too many.
        new Strip(net, images(3), Strip.CHUNK_BYTES / (1 + K), Backends.create("ejml", 1));
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> new Strip(net, images(3), Strip.CHUNK_BYTES / (1 + K) + 1, Backends.create("ejml", 1)));
        assertTrue(tooMany.getMessage().contains("fewer perturbations"), tooMany.getMessage());
    }
}
