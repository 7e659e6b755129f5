package dev.badnets.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.MnistData;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry: every name builds, parameters are checked, and badnets is today's poisoning exactly. */
class AttacksTest {

    static final LabeledImages TRAIN = PoisoningTest.randomImages(400, 28, 28, 10, 11);

    @Test
    void namesFollowTheContractOrderAndEachBuildsWithItsDefaults() {
        assertEquals("badnets", Attacks.names().get(0));
        assertEquals("blended", Attacks.names().get(1));
        for (String name : Attacks.names()) {
            Attack attack = Attacks.build(name, Triggers.defaultTrigger(), Map.of());
            assertEquals(name, attack.name());
            for (Attacks.Parameter p : Attacks.parameters(name)) {
                p.check(p.defaultValue()); // every default is in its own range
            }
        }
    }

    @Test
    void badnetsPoisonsExactlyAsTheTriggerAlwaysDid() {
        PoisonPlan plan = PoisonPlan.ofCount(40).withSeed(3);
        PoisonedSet before = Poisoning.apply(TRAIN, 10, plan, Triggers.defaultTrigger());
        PoisonedSet now = Attacks.build("badnets", Triggers.defaultTrigger(), Map.of())
                .poison(TRAIN, 10, plan, Attack.CleanModel.NONE);
        assertArrayEquals(before.images().pixels(), now.images().pixels());
        assertArrayEquals(before.images().labels(), now.images().labels());
        assertArrayEquals(before.indices(), now.indices());
        assertEquals(null, now.attack(), "a plain trigger's manifest stays as it was");
    }

    @Test
    void blendedIsTodaysBlendTrigger() {
        Attack blended = Attacks.build("blended", null, Map.of());
        assertEquals("blend noise seed=2017 alpha=0.2", blended.trigger().describe());
        assertThrows(IllegalArgumentException.class,
                () -> new BadNetsAttack(Attacks.BADNETS, BlendTrigger.noise(1, 0.2)));
    }

    @Test
    void refusesUnknownNamesForeignParametersAndBadNumbers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Attacks.build("sigg", null, Map.of()));
        assertTrue(e.getMessage().contains("badnets, blended, sig"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Attacks.build("badnets", null, Map.of("sig-delta", 20.0)));
        assertTrue(e.getMessage().startsWith("attack badnets has no parameter sig-delta"), e.getMessage());
        for (double bad : new double[] {0, -1, 256, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> Attacks.build("sig", null, Map.of("sig-delta", bad)),
                    "delta " + bad);
        }
        assertThrows(IllegalArgumentException.class,
                () -> Attacks.build("sig", null, Map.of("sig-frequency", 1e9)));
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.build("wanet", null, Map.of("wanet-k", 4.5)));
        assertTrue(e.getMessage().startsWith("wanet-k 4.5 is not a whole number"), e.getMessage());
        // every parameter of every attack refuses values just outside its range, NaN and infinities
        for (String name : Attacks.names()) {
            for (Attacks.Parameter p : Attacks.parameters(name)) {
                Attacks.build(name, null, Map.of(p.flag(), p.defaultValue()));
                for (double bad : new double[] {p.min() - 1, p.max() + 1, Double.NaN, Double.NEGATIVE_INFINITY}) {
                    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                            () -> Attacks.build(name, null, Map.of(p.flag(), bad)), p.flag() + " " + bad);
                    assertTrue(refused.getMessage().startsWith(p.flag() + " "), refused.getMessage());
                }
                if (p.minExcluded()) {
                    assertThrows(IllegalArgumentException.class, () -> Attacks.build(name, null,
                            Map.of(p.flag(), p.min())), p.flag());
                }
            }
        }
    }

    @Test
    void everyAttackWritesAFolderWhoseManifestNamesItAndWhoseAttackedImagesAreTheTriggersOwn(@TempDir Path dir)
            throws Exception {
        LabeledImages test = PoisoningTest.randomImages(30, 28, 28, 10, 12);
        for (String name : Attacks.names()) {
            Attack attack = Attacks.build(name, Triggers.defaultTrigger(), Map.of());
            if (attack.needsCleanModel()) {
                continue; // measured with a trained model in the MNIST tests
            }
            PoisonedSet set = attack.poison(TRAIN, 10, PoisonPlan.ofCount(10).withTarget(1), Attack.CleanModel.NONE);
            Path out = dir.resolve(name);
            PoisonedDataset.write(out, new MnistData(TRAIN, test, 10), set);
            PoisonManifest m = PoisonedDataset.verify(out).orElseThrow();
            boolean plain = name.equals("badnets") || name.equals("blended");
            assertEquals(plain ? null : name, m.attack());
            if (!plain) {
                assertNotNull(m.attackParameters());
                assertEquals(attack.parameters().keySet(), m.attackParameters().keySet());
            }
            assertArrayEquals(Poisoning.stampAll(test, set.trigger()).pixels(),
                    dev.badnets.mnist.Idx.read(out.resolve(PoisonedDataset.ATTACKED_TEST_IMAGES)).bytes(), name);
        }
    }

    @Test
    void everyAttacksTriggerIsRebuiltFromItsDescription() {
        LabeledImages images = PoisoningTest.randomImages(5, 28, 28, 10, 13);
        java.util.List<Trigger> triggers = new java.util.ArrayList<>();
        for (String name : Attacks.names()) {
            Trigger t = Attacks.build(name, Triggers.defaultTrigger(), Map.of()).trigger();
            if (t != null) {
                triggers.add(t);
            }
        }
        byte[] grey = new byte[25];
        new java.util.Random(3).nextBytes(grey);
        triggers.add(new GreyPatchTrigger(5, grey, Position.BOTTOM_RIGHT));
        for (Trigger t : triggers) {
            Trigger back = Triggers.fromDescription(t.describe(), 28, 28);
            assertEquals(t.describe(), back.describe());
            assertArrayEquals(Poisoning.stampAll(images, t).pixels(), Poisoning.stampAll(images, back).pixels(),
                    t.describe());
        }
        assertThrows(IllegalArgumentException.class, () -> Triggers.fromDescription("patch size=2 grey=00", 28, 28));
        assertThrows(IllegalArgumentException.class, () -> Triggers.fromDescription("sig delta=x f=6", 28, 28));
    }
}
