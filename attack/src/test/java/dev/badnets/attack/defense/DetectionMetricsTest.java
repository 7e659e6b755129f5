package dev.badnets.attack.defense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.badnets.core.Network;
import dev.badnets.mnist.LabeledImages;
import org.junit.jupiter.api.Test;

class DetectionMetricsTest {

    @Test
    void precisionAndRecallCountTheOverlapInAnyOrder() {
        DetectionMetrics m = DetectionMetrics.of(new int[] {9, 2, 4, 7}, new int[] {4, 1, 9});
        assertEquals(4, m.flagged());
        assertEquals(3, m.poisoned());
        assertEquals(2, m.truePositives());
        assertEquals(0.5, m.precision());
        assertEquals(2.0 / 3, m.recall(), 1e-15);
        assertEquals(1, m.missed());
    }

    @Test
    void emptySetsHaveDefinedValues() {
        DetectionMetrics nothingFlagged = DetectionMetrics.of(new int[0], new int[] {1, 2});
        assertEquals(0, nothingFlagged.precision());
        assertEquals(0, nothingFlagged.recall());
        DetectionMetrics nothingPoisoned = DetectionMetrics.of(new int[] {3}, new int[0]);
        assertEquals(0, nothingPoisoned.precision());
        assertEquals(1, nothingPoisoned.recall());
    }

    @Test
    void repeatedIndicesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> DetectionMetrics.of(new int[] {1, 1}, new int[] {1}));
    }

    @Test
    void keptIsTheComplementOfFlagged() {
        Detection d = new Detection("x", new double[7], new int[] {0, 3, 6}, new int[] {3});
        assertArrayEquals(new int[] {1, 2, 4, 5}, d.kept());
    }

    @Test
    void keepCopiesTheChosenImagesInOrder() {
        byte[] pixels = new byte[5 * 4];
        byte[] labels = {0, 1, 0, 1, 1};
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) i;
        }
        LabeledImages images = new LabeledImages(5, 2, 2, pixels, labels);
        LabeledImages kept = Defense.keep(images, new int[] {1, 4});
        assertEquals(2, kept.count());
        assertArrayEquals(new byte[] {4, 5, 6, 7, 16, 17, 18, 19}, kept.pixels());
        assertArrayEquals(new byte[] {1, 1}, kept.labels());
        assertThrows(IllegalArgumentException.class, () -> Defense.keep(images, new int[] {4, 1}));
        assertThrows(IllegalArgumentException.class, () -> Defense.keep(images, new int[] {5}));
    }

    @Test
    void defenseRunFiltersWhatTheDetectorFlags() {
        // 2 classes of 60 random 3x3 images; an untrained network still gives representations.
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        byte[] pixels = new byte[120 * 9];
        byte[] labels = new byte[120];
        for (int i = 0; i < 120; i++) {
            labels[i] = (byte) (i % 2);
            for (int j = 0; j < 9; j++) {
                pixels[i * 9 + j] = (byte) random.nextInt(256);
            }
        }
        LabeledImages train = new LabeledImages(120, 3, 3, pixels, labels);
        Network net = Network.mlp(9, new int[] {6}, 2, 1);
        Defense.Result result = Defense.run(net, train, 2, new SpectralSignatures(), 0.1);
        assertEquals(18, result.detection().flaggedCount());
        assertEquals(102, result.filtered().count());
        assertArrayEquals(result.detection().kept(), result.kept());
        for (int k = 0; k < result.kept().length; k++) {
            int i = result.kept()[k];
            assertEquals(train.label(i), result.filtered().label(k));
            assertEquals(train.pixel(i, 2, 1), result.filtered().pixel(k, 2, 1));
        }
    }
}
