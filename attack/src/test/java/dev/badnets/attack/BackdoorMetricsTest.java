package dev.badnets.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.PoisonPlan.Mode;
import dev.badnets.core.Activation;
import dev.badnets.core.DenseLayer;
import dev.badnets.core.Loss;
import dev.badnets.core.Network;
import dev.badnets.mnist.LabeledImages;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The metrics on a hand-built backdoored network whose every prediction is known. Images are one row
 * of 1 + K pixels: pixel 0 is the trigger spot, pixel c + 1 lit means "looks like class c".
 */
class BackdoorMetricsTest {

    private static final int K = 3;

    /**
     * Hidden units: g_c = relu(x_{c+1}) (the clean evidence) and h_c = relu(x_{c+1} + x_0 - 1.2)
     * (class c AND the trigger). Outputs: logit_c = g_c + 3 * sum of h_{c'} with backdoor(c') = c.
     * So a triggered image flips to backdoor(c) exactly when its evidence pixel is above 0.3 * 255.
     */
    private static Network backdooredNetwork(IntUnaryOperator backdoor) {
        FMatrixRMaj w1 = new FMatrixRMaj(1 + K, 2 * K);
        FMatrixRMaj b1 = new FMatrixRMaj(1, 2 * K);
        FMatrixRMaj w2 = new FMatrixRMaj(2 * K, K);
        FMatrixRMaj b2 = new FMatrixRMaj(1, K);
        for (int c = 0; c < K; c++) {
            w1.set(c + 1, c, 1);
            w1.set(c + 1, K + c, 1);
            w1.set(0, K + c, 1);
            b1.set(0, K + c, -1.2f);
            w2.set(c, c, 1);
            w2.set(K + c, backdoor.applyAsInt(c), 3);
        }
        return new Network(List.of(new DenseLayer(w1, b1, Activation.RELU), new DenseLayer(w2, b2, Activation.IDENTITY)),
                Loss.SOFTMAX_CROSS_ENTROPY);
    }

    /** (true label, class the image looks like, evidence brightness). 255 flips under the trigger, 51 does not. */
    private static final int[][] IMAGES = {
        {0, 0, 255},
        {1, 1, 255},
        {1, 1, 51},
        {2, 2, 255},
        {2, 1, 255},  // mislabelled: the clean model says 1
        {2, 2, 51},
        {0, 0, 51},
    };

    private static LabeledImages testSet() {
        byte[] pixels = new byte[IMAGES.length * (1 + K)];
        byte[] labels = new byte[IMAGES.length];
        for (int i = 0; i < IMAGES.length; i++) {
            labels[i] = (byte) IMAGES[i][0];
            pixels[i * (1 + K) + 1 + IMAGES[i][1]] = (byte) IMAGES[i][2];
        }
        return new LabeledImages(IMAGES.length, 1, 1 + K, pixels, labels);
    }

    private static final Trigger TRIGGER = new PixelTrigger(255, Position.TOP_LEFT);

    @Test
    void allToOneCountsOnlyImagesNotAlreadyOfTheTarget() {
        LabeledImages test = testSet();
        byte[] before = test.pixels().clone();
        BackdoorReport r = BackdoorMetrics.measure(backdooredNetwork(c -> 0), test, TRIGGER, Mode.ALL_TO_ONE, 0);

        assertArrayEquals(new int[] {0, 1, 1, 2, 1, 2, 0}, r.cleanPredictions());
        assertArrayEquals(new int[] {0, 0, 1, 0, 0, 2, 0}, r.triggeredPredictions());
        assertEquals(6.0 / 7, r.cleanAccuracy(), 1e-12);
        assertEquals(3.0 / 5, r.attackSuccessRate(), 1e-12, "images 2-6 count; 2, 4 and 5 flip");
        assertEquals(5, r.attackedCount());
        assertEquals(5.0 / 7, r.attackSuccessRateAllImages(), 1e-12, "target-class images count here too");
        assertEquals(Map.of(1, 0.5, 2, 2.0 / 3), r.perClassAttackSuccessRate());
        assertArrayEquals(before, test.pixels(), "the test set must not be stamped in place");
    }

    @Test
    void allToAllWantsTheNextClassForEveryImage() {
        BackdoorReport r = BackdoorMetrics.measure(backdooredNetwork(c -> (c + 1) % K), testSet(), TRIGGER,
                Mode.ALL_TO_ALL, 0);

        assertArrayEquals(new int[] {1, 2, 1, 0, 2, 2, 0}, r.triggeredPredictions());
        assertEquals(3.0 / 7, r.attackSuccessRate(), 1e-12);
        assertEquals(7, r.attackedCount());
        assertEquals(r.attackSuccessRate(), r.attackSuccessRateAllImages(), 1e-12);
        assertEquals(Map.of(0, 0.5, 1, 0.5, 2, 1.0 / 3), r.perClassAttackSuccessRate());
    }

    @Test
    void cleanAccuracyCostIsTheCleanModelsAccuracyMinusTheBackdooredOnes() {
        BackdoorReport r = BackdoorMetrics.measure(backdooredNetwork(c -> 0), testSet(), TRIGGER, Mode.ALL_TO_ONE, 0);
        assertEquals(1.0 - 6.0 / 7, BackdoorMetrics.cleanAccuracyCost(1.0, r), 1e-12);
    }

    @Test
    void mismatchesAreRefusedWithAClearMessage() {
        Network net = backdooredNetwork(c -> 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackdoorMetrics.measure(net, testSet(), TRIGGER, Mode.ALL_TO_ONE, 3));
        assertTrue(e.getMessage().contains("target class 3 is not one of the model's 3 classes"), e.getMessage());
        LabeledImages wrongSize = new LabeledImages(1, 3, 3, new byte[9], new byte[1]);
        e = assertThrows(IllegalArgumentException.class,
                () -> BackdoorMetrics.measure(net, wrongSize, TRIGGER, Mode.ALL_TO_ONE, 0));
        assertEquals("input shape mismatch: the network takes samples of 4 values, the data has 1x3x3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BackdoorMetrics.measure(net, testSet(),
                new SquareTrigger(2, 255, Position.TOP_LEFT), Mode.ALL_TO_ONE, 0));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
    }
}
