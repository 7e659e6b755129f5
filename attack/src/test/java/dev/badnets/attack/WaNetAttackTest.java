package dev.badnets.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.mnist.LabeledImages;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** WaNet against its definition: the identity at s = 0, the field of the paper, noise mode keeping labels. */
class WaNetAttackTest {

    @Test
    void atStrengthZeroTheWarpIsTheIdentity() {
        LabeledImages images = PoisoningTest.randomImages(20, 28, 28, 10, 3);
        LabeledImages warped = Poisoning.stampAll(images, new WarpTrigger(4, 0, 1, 7));
        assertArrayEquals(images.pixels(), warped.pixels());
        LabeledImages odd = PoisoningTest.randomImages(5, 13, 31, 10, 4);
        assertArrayEquals(odd.pixels(), Poisoning.stampAll(odd, new WarpTrigger(3, 0, 1, 7)).pixels());
    }

    @Test
    void theFieldIsTheIdentityPlusTheUpsampledControlGridScaledByStrengthOverSize() {
        WarpTrigger warp = new WarpTrigger(4, 0.5, 1, 2021);
        double[] control = warp.control();
        assertEquals(2 * 4 * 4, control.length);
        assertEquals(1.0, Arrays.stream(control).map(Math::abs).average().orElseThrow(), 1e-12, "mean |P| = 1");
        int rows = 28, cols = 28, n = rows * cols;
        double[] grid = warp.grid(rows, cols);
        assertEquals(2 * n, grid.length, "one x and one y per pixel");
        // 28 = 3 x 9 + 1: the control points fall on pixels 0, 9, 18, 27, where bicubic interpolation
        // (corners aligned) returns the control value itself.
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    int y = 9 * i, x = 9 * j;
                    double identity = c == 0 ? -1 + 2.0 * x / 27 : -1 + 2.0 * y / 27;
                    double expected = Math.max(-1, Math.min(1, identity + 0.5 * control[c * 16 + i * 4 + j] / 28));
                    assertEquals(expected, grid[c * n + y * cols + x], 1e-12, "channel " + c + " at " + i + "," + j);
                }
            }
        }
        for (double g : grid) {
            assertTrue(g >= -1 && g <= 1);
        }
        // Small: no sampling point moves by more than s * max|P| / rows in grid units.
        double maxP = Arrays.stream(control).map(Math::abs).max().orElseThrow();
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                assertTrue(Math.abs(grid[y * cols + x] - (-1 + 2.0 * x / 27)) <= 0.5 * maxP / 28 * 1.3 + 1e-12);
            }
        }
    }

    @Test
    void poisonedImagesAreWarpedAndRelabelledAndNoiseImagesKeepTheirLabels() {
        LabeledImages train = PoisoningTest.randomImages(600, 28, 28, 10, 8);
        WaNetAttack wanet = new WaNetAttack(4, 0.5, 1, 2);
        PoisonedSet set = wanet.poison(train, 10, PoisonPlan.ofCount(50).withTarget(2).withSeed(5),
                Attack.CleanModel.NONE);
        assertEquals(50, set.poisonedCount());
        assertEquals(100, set.coverIndices().length, "cross ratio 2: twice as many noise images");
        int size = train.pixelsPerImage();
        byte[] warpedOnly = train.pixels().clone();
        for (int i : set.indices()) {
            wanet.trigger().apply(warpedOnly, i * size, 28, 28);
            assertEquals(2, set.images().label(i));
            assertTrue(Arrays.equals(warpedOnly, i * size, (i + 1) * size, set.images().pixels(), i * size,
                    (i + 1) * size), "a poisoned image carries exactly the warp");
        }
        for (int i : set.coverIndices()) {
            assertTrue(Arrays.binarySearch(set.indices(), i) < 0, "noise images are not poisoned ones");
            assertEquals(train.label(i), set.images().label(i), "noise images keep their labels");
            assertFalse(Arrays.equals(train.pixels(), i * size, (i + 1) * size, set.images().pixels(), i * size,
                    (i + 1) * size));
        }
        PoisonedSet again = wanet.poison(train, 10, PoisonPlan.ofCount(50).withTarget(2).withSeed(5),
                Attack.CleanModel.NONE);
        assertArrayEquals(set.images().pixels(), again.images().pixels(), "seeded: the same set twice");
    }

    @Test
    void refusesParametersOutsideTheirRanges() {
        assertThrows(IllegalArgumentException.class, () -> new WaNetAttack(1, 0.5, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new WaNetAttack(4, -0.1, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new WaNetAttack(4, 0.5, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> new WaNetAttack(4, 0.5, 1, 11));
        assertThrows(IllegalArgumentException.class, () -> Attacks.build("wanet", null,
                java.util.Map.of("wanet-k", 4.5)));
        assertThrows(IllegalArgumentException.class, () -> new WarpTrigger(30, 0.5, 1, 1).validate(28, 28));
    }
}
