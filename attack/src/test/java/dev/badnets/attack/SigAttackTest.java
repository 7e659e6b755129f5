package dev.badnets.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.mnist.LabeledImages;
import org.junit.jupiter.api.Test;

/** SIG against its definition: a sinusoid on target-class images only, every label kept. */
class SigAttackTest {

    @Test
    void theSignalIsTheSinusoidOfThePaperColumnByColumn() {
        SigTrigger sig = new SigTrigger(20, 6);
        byte[] grey = new byte[28 * 28];
        java.util.Arrays.fill(grey, (byte) 100);
        sig.apply(grey, 0, 28, 28);
        for (int i = 0; i < 28; i++) {
            for (int j = 0; j < 28; j++) {
                long expected = Math.round(100 + 20 * Math.sin(2 * Math.PI * j * 6 / 28.0));
                assertEquals(expected, grey[i * 28 + j] & 0xFF, "pixel " + i + "," + j);
            }
        }
        byte[] black = new byte[28 * 28];
        sig.apply(black, 0, 28, 28);
        for (byte b : black) {
            assertTrue((b & 0xFF) <= 20, "clipped at 0, never wrapped to 255");
        }
    }

    @Test
    void touchesOnlyTargetClassImagesAndKeepsEveryLabel() {
        LabeledImages train = PoisoningTest.randomImages(500, 28, 28, 10, 5);
        PoisonedSet set = new SigAttack(20, 6).poison(train, 10, PoisonPlan.ofCount(30).withTarget(3).withSeed(2),
                Attack.CleanModel.NONE);
        assertArrayEquals(train.labels(), set.images().labels(), "clean-label: no label changes");
        assertEquals(30, set.poisonedCount());
        int size = train.pixelsPerImage();
        int changed = 0;
        for (int i = 0; i < train.count(); i++) {
            boolean differs = !java.util.Arrays.equals(train.pixels(), i * size, (i + 1) * size,
                    set.images().pixels(), i * size, (i + 1) * size);
            boolean chosen = java.util.Arrays.binarySearch(set.indices(), i) >= 0;
            assertEquals(chosen, differs, "image " + i);
            if (differs) {
                changed++;
                assertEquals(3, train.label(i), "only target-class images are changed");
            }
        }
        assertEquals(30, changed);
    }

    @Test
    void refusesWhatACleanLabelAttackCannotDo() {
        LabeledImages train = PoisoningTest.randomImages(200, 28, 28, 10, 6);
        SigAttack sig = new SigAttack(20, 6);
        int targets = 0;
        for (byte b : train.labels()) {
            targets += b == 0 ? 1 : 0;
        }
        int available = targets;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sig.poison(train, 10,
                PoisonPlan.ofCount(available + 1), Attack.CleanModel.NONE));
        assertTrue(e.getMessage().contains("at most " + available), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sig.poison(train, 10,
                PoisonPlan.ofCount(1).withMode(PoisonPlan.Mode.ALL_TO_ALL), Attack.CleanModel.NONE));
        assertThrows(IllegalArgumentException.class, () -> sig.poison(train, 10,
                PoisonPlan.ofCount(1).withSourceClasses(2), Attack.CleanModel.NONE));
    }
}
