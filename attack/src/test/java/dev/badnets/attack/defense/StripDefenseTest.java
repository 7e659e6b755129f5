package dev.badnets.attack.defense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.PoisonPlan.Mode;
import dev.badnets.attack.Poisoning;
import dev.badnets.core.Network;
import dev.badnets.core.backend.Backends;
import dev.badnets.mnist.LabeledImages;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** STRIP as a model defense, on {@link StripTest}'s hand-built backdoored network. */
class StripDefenseTest {

    private static ModelDefense.Setting setting(int clean, int test) {
        LabeledImages testImages = StripTest.images(test);
        return new ModelDefense.Setting(StripTest.images(clean), testImages,
                Poisoning.attacked(testImages, StripTest.TRIGGER, Mode.ALL_TO_ONE, StripTest.TARGET, StripTest.K),
                StripTest.K);
    }

    private static StripDefense defense(long seed) {
        return new StripDefense(new Strip.Settings(20, 60, 200, 100, seed), 0.05, Backends.create("ejml", 1));
    }

    @Test
    void itCatchesTheTriggeredInputsAndHandsBackTheModelUnchanged() {
        Network net = StripTest.backdoored();
        ModelDefense.Setting setting = setting(400, 160);
        ModelDefense.Result r = defense(7).defend(net, setting);

        assertSame(net, r.network()); // STRIP screens inputs; the model is not touched
        assertNull(r.training());
        assertEquals(0, r.trainedOn());
        ModelDefense.Figures f = r.figures();
        assertTrue(f.flaggedClass().isEmpty() && f.anomalyIndex().isEmpty());
        assertEquals(1.0, f.detectionRate().getAsDouble());
        assertTrue(f.falseRejectionRate().getAsDouble() <= 0.1, f::toString);

        Strip.Result e = defense(7).evaluate(net, setting);
        assertEquals(e.threshold(), f.threshold().getAsDouble());
        assertEquals(e.falseRejectionRate(), f.falseRejectionRate().getAsDouble());
        // The threshold comes from 200 of the defender's clean images; the rates from 100 test images of each kind.
        assertEquals(new Strip.Settings(20, 60, 200, 100, 7), e.settings());
        assertEquals(200, e.calibration().count());
        assertEquals(100, e.cleanCount());
        assertEquals(100, e.triggeredCount());
        assertEquals(Strip.threshold(e.calibration().values(), 0.05), e.threshold());
    }

    @Test
    void aSmallCleanSetIsShrunkInProportionAndFewTestImagesAreAllUsed() {
        Strip.Result e = defense(7).evaluate(StripTest.backdoored(), setting(52, 40));
        // 60 overlays and 200 calibration images of 52: 60 * 52 / 260 = 12 and the other 40.
        assertEquals(new Strip.Settings(20, 12, 40, 40, 7), e.settings());
        assertEquals(40, e.cleanCount());
        assertEquals(30, e.triggeredCount()); // the 40 test images less the 10 of the target class
    }

    @Test
    void theSameSeedGivesTheSameFiguresBitForBitAndAnotherSeedOthers() {
        Network net = StripTest.backdoored();
        Strip.Result a = defense(3).evaluate(net, setting(300, 160));
        Strip.Result b = defense(3).evaluate(net, setting(300, 160));
        assertArrayEquals(a.calibration().values(), b.calibration().values());
        assertArrayEquals(a.clean().values(), b.clean().values());
        assertArrayEquals(a.triggered().values(), b.triggered().values());
        Strip.Result c = defense(4).evaluate(net, setting(300, 160));
        assertFalse(Arrays.equals(a.clean().values(), c.clean().values()));
    }

    @Test
    void badArgumentsAreRefusedWithTheirReason() {
        Network net = StripTest.backdoored();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> defense(1).defend(net, setting(1, 40)))
                .getMessage().contains("at least 2 clean images"));
        ModelDefense.Setting none = setting(100, 40);
        ModelDefense.Setting noTriggered = new ModelDefense.Setting(none.clean(), none.test(),
                none.test().slice(0, 0), StripTest.K);
        assertThrows(IllegalArgumentException.class, () -> defense(1).defend(net, noTriggered));
        assertThrows(IllegalArgumentException.class,
                () -> new StripDefense(Strip.Settings.defaults(1), 0, Backends.create("ejml", 1)));
        LabeledImages wide = new LabeledImages(4, 1, 9, new byte[36], new byte[4]);
        assertThrows(IllegalArgumentException.class,
                () -> defense(1).defend(net, new ModelDefense.Setting(wide, wide, wide, StripTest.K)));
    }
}
