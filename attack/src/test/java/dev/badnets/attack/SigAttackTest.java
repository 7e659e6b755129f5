package dev.badnets.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.mnist.LabeledImages;
import org.junit.jupiter.api.Test;

/** SIG against its definition: a sinusoid or ramp on target-class images only, every label kept. */
class SigAttackTest {

    @Test
    void theRampRisesFromDeltaOverMAtTheFirstColumnToDeltaAtTheLast() {
        SigTrigger ramp = SigTrigger.ramp(30);
        byte[] grey = new byte[5 * 28];
        java.util.Arrays.fill(grey, (byte) 100);
        ramp.apply(grey, 0, 5, 28);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 28; j++) {
                long expected = Math.round(100 + 30.0 * (j + 1) / 28); // the paper's v(i, j) = j Delta / m, j = 1..m
                assertEquals(expected, grey[i * 28 + j] & 0xFF, "pixel " + i + "," + j);
            }
        }
        byte[] white = new byte[28];
        java.util.Arrays.fill(white, (byte) 250);
        ramp.apply(white, 0, 1, 28);
        assertEquals(255, white[27] & 0xFF, "clipped at 255, never wrapped to 0");
        assertTrue(ramp.isRamp());
        assertEquals("sig ramp delta=30.0", ramp.describe());
        SigTrigger back = (SigTrigger) Triggers.fromDescription(ramp.describe(), 28, 28);
        assertTrue(back.isRamp(), "a manifest's ramp is read back as the ramp");
        assertEquals(30, back.delta());
    }

    @Test
    void wholeImageTriggersMaskEveryPixelOnceTheyFit() {
        for (Trigger t : new Trigger[] {SigTrigger.ramp(30), new SigTrigger(20, 6), new WarpTrigger(4, 0.5, 1, 1),
            BlendTrigger.noise(1, 0.2)}) {
            boolean[] mask = t.mask(5, 7);
            assertEquals(35, mask.length, t.describe());
            for (boolean m : mask) {
                assertTrue(m, t.describe());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new WarpTrigger(4, 0.5, 1, 1).mask(3, 3),
                "a 4x4 control grid does not fit 3x3 images");
        assertThrows(IllegalArgumentException.class, () -> new BlendTrigger(new byte[4], 2, 2, 0.2).mask(3, 3),
                "a 2x2 pattern does not fit 3x3 images");
    }

    @Test
    void trainsWithDeltaAndAttacksWithTheStrongerTestDelta() {
        LabeledImages train = PoisoningTest.randomImages(300, 28, 28, 10, 4);
        SigAttack sig = (SigAttack) Attacks.build("sig", null,
                java.util.Map.of("sig-delta", 30.0, "sig-test-delta", 60.0, "sig-frequency", 0.0));
        PoisonedSet set = sig.poison(train, 10, PoisonPlan.ofCount(10).withTarget(3).withSeed(1),
                Attack.CleanModel.NONE);
        int size = train.pixelsPerImage();
        int i = set.indices()[0];
        byte[] expected = java.util.Arrays.copyOfRange(train.pixels(), i * size, (i + 1) * size);
        SigTrigger.ramp(30).apply(expected, 0, 28, 28);
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(set.images().pixels(), i * size, (i + 1) * size),
                "the poisoned image carries the training ramp of amplitude 30");
        assertEquals("sig ramp delta=60.0", set.trigger().describe(), "the test-time trigger is the ramp of 60");
        assertEquals("sig ramp delta=60.0", sig.trigger().describe());
        assertEquals("ramp", set.attackParameters().get("signal"));
        assertEquals(60.0, set.attackParameters().get("test_delta"));
        SigAttack same = (SigAttack) Attacks.build("sig", null, java.util.Map.of("sig-delta", 40.0));
        assertEquals("sig delta=40.0 f=6.0", same.trigger().describe(), "without a test amplitude, the training one");
    }

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
