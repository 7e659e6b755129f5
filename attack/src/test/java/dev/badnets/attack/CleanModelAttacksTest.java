package dev.badnets.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.Architecture;
import dev.badnets.core.ByteSamples;
import dev.badnets.core.DenseLayer;
import dev.badnets.core.Evaluator;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.mnist.LabeledImages;
import java.util.Arrays;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Label-consistent, TrojanNN and adaptive-patch against their definitions, on small random data. */
class CleanModelAttacksTest {

    static final LabeledImages TRAIN = PoisoningTest.randomImages(300, 12, 12, 4, 21);

    /** An untrained but fixed network: PGD and the mask optimisation work on any differentiable model. */
    static Attack.CleanModel model(int[] calls) {
        return model(calls, new java.util.ArrayList<>());
    }

    /** {@link #model(int[])}, recording the seed each clean model is asked for. */
    static Attack.CleanModel model(int[] calls, java.util.List<Long> seeds) {
        return (train, classes, seed, robustEpsilon) -> {
            calls[0]++;
            seeds.add(seed);
            return Architecture.build(Shape.image(train.rows(), train.cols()), "dense16", classes, 3);
        };
    }

    @Test
    void labelConsistentTrainsItsCleanModelsFromSeedsOtherThanTheVictims() {
        for (long runSeed : new long[] {0, 1, 2, 7, -5, 123_456_789}) {
            for (int models : new int[] {1, 3}) {
                int[] calls = {0};
                java.util.List<Long> seeds = new java.util.ArrayList<>();
                new LabelConsistentAttack(16, 2, 1, models, 0).poison(TRAIN, 4,
                        PoisonPlan.ofCount(5).withTarget(1).withSeed(runSeed), model(calls, seeds));
                assertEquals(models, calls[0], "one clean model per ensemble member");
                assertEquals(models, seeds.stream().distinct().count(), "each member from its own seed: " + seeds);
                assertFalse(seeds.contains(runSeed), "the victim's seed " + runSeed + " is not the attacker's: " + seeds);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Attack.CleanModel.attackerSeed(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Attack.CleanModel.attackerSeed(1, 101));
        for (long runSeed = -2000; runSeed <= 2000; runSeed++) {
            for (int k = 1; k <= 100; k++) {
                assertTrue(Attack.CleanModel.attackerSeed(runSeed, k) != runSeed, runSeed + ", model " + k);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new LabelConsistentAttack(16, 2, 1, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new LabelConsistentAttack(16, 2, 1, LabelConsistentAttack.MAX_MODELS + 1, 0));
    }

    @Test
    void theSharedCleanModelIsBuiltAndTrainedFromTheSeedItIsAskedFor() {
        java.util.List<Long> built = new java.util.ArrayList<>();
        BackdoorExperiment.NetworkFactory factory = (input, classes, seed) -> {
            built.add(seed);
            return Architecture.build(input, "dense16", classes, seed);
        };
        dev.badnets.core.TrainingConfig config = new dev.badnets.core.TrainingConfig(1, 32, 0.01f,
                dev.badnets.core.OptimizerKind.ADAM, 0f, 1L, 1, "auto");
        Attack.CleanModel clean = Attack.CleanModel.of(factory, config);
        Network a = clean.train(TRAIN, 4, 1001, 0);
        Network b = clean.train(TRAIN, 4, 1001, 0);
        Network c = clean.train(TRAIN, 4, 1, 0);
        assertEquals(java.util.List.of(1001L, 1001L, 1L), built);
        float[] pa = Evaluator.probabilities(a, samples()), pb = Evaluator.probabilities(b, samples());
        assertArrayEquals(pa, pb, "the same seed trains the same model");
        assertFalse(Arrays.equals(pa, Evaluator.probabilities(c, samples())), "another seed, another model");
    }

    private static ByteSamples samples() {
        return new ByteSamples(TRAIN.pixels(), TRAIN.labels(), Shape.image(12, 12), 4);
    }

    @Test
    void labelConsistentKeepsEveryLabelStaysInTheBallAndStampsTheCorners() {
        int[] calls = {0};
        LabelConsistentAttack lc = new LabelConsistentAttack(16, 10, 1);
        PoisonedSet set = lc.poison(TRAIN, 4, PoisonPlan.ofCount(20).withTarget(1).withSeed(4), model(calls));
        assertEquals(1, calls[0], "one clean model");
        assertArrayEquals(TRAIN.labels(), set.images().labels(), "clean-label: every label kept");
        int size = TRAIN.pixelsPerImage();
        boolean[] corners = lc.trigger().mask(12, 12);
        boolean moved = false;
        for (int i = 0; i < TRAIN.count(); i++) {
            boolean chosen = Arrays.binarySearch(set.indices(), i) >= 0;
            for (int p = 0; p < size; p++) {
                int before = TRAIN.pixels()[i * size + p] & 0xFF, after = set.images().pixels()[i * size + p] & 0xFF;
                if (!chosen) {
                    assertEquals(before, after, "an image not chosen is untouched");
                } else if (corners[p]) {
                    assertEquals(CornerTrigger.sign(p / 12, p % 12, 12, 12) > 0 ? 255 : 0, after, "the trigger at amplitude 1");
                } else {
                    assertTrue(Math.abs(after - before) <= 16, "within the L-inf ball of 16 grey levels");
                    moved |= after != before;
                }
            }
            if (chosen) {
                assertEquals(1, TRAIN.label(i), "target-class images only");
            }
        }
        assertTrue(moved, "PGD moved some pixel");
    }

    @Test
    void pgdRaisesTheCleanModelsLossOnTheTrueLabel() {
        Network net = Architecture.build(Shape.image(12, 12), "dense16", 4, 3);
        LabeledImages copy = TRAIN.copy();
        int[] chosen = java.util.stream.IntStream.range(0, 40).toArray();
        int[] labels = Arrays.stream(chosen).map(TRAIN::label).toArray();
        new LabelConsistentAttack(16, 10, 1).perturb(java.util.List.of(net), copy, chosen, labels);
        assertTrue(loss(net, copy, 40) > loss(net, TRAIN, 40) + 0.05, "the loss grows");
    }

    @Test
    void pgdOnAnEnsembleRaisesTheMeanLossOfItsModels() {
        Network a = Architecture.build(Shape.image(12, 12), "dense16", 4, 3);
        Network b = Architecture.build(Shape.image(12, 12), "dense16", 4, 4);
        LabeledImages copy = TRAIN.copy();
        int[] chosen = java.util.stream.IntStream.range(0, 40).toArray();
        int[] labels = Arrays.stream(chosen).map(TRAIN::label).toArray();
        new LabelConsistentAttack(16, 10, 1).perturb(java.util.List.of(a, b), copy, chosen, labels);
        assertTrue(loss(a, copy, 40) + loss(b, copy, 40) > loss(a, TRAIN, 40) + loss(b, TRAIN, 40) + 0.1,
                "the mean loss grows");
    }

    @Test
    void adversarialTrainingIsSeededAndLeavesLessForPgdToGain() {
        dev.badnets.core.TrainingConfig config = new dev.badnets.core.TrainingConfig(3, 32, 0.01f,
                dev.badnets.core.OptimizerKind.ADAM, 0f, 1L, 1, "auto");
        Attack.CleanModel clean = Attack.CleanModel.of(BackdoorExperiment.NetworkFactory.architecture("dense16"),
                config);
        Network standard = clean.train(TRAIN, 4, 5, 0);
        Network robust = clean.train(TRAIN, 4, 5, 64);
        assertArrayEquals(Evaluator.probabilities(robust, samples()),
                Evaluator.probabilities(clean.train(TRAIN, 4, 5, 64), samples()), "the same seed, the same model");
        int[] chosen = java.util.stream.IntStream.range(0, TRAIN.count()).toArray();
        int[] labels = Arrays.stream(chosen).map(TRAIN::label).toArray();
        LabelConsistentAttack pgd = new LabelConsistentAttack(64, 10, 1);
        LabeledImages againstStandard = TRAIN.copy(), againstRobust = TRAIN.copy();
        pgd.perturb(java.util.List.of(standard), againstStandard, chosen, labels);
        pgd.perturb(java.util.List.of(robust), againstRobust, chosen, labels);
        int n = TRAIN.count();
        double gainStandard = loss(standard, againstStandard, n) - loss(standard, TRAIN, n);
        double gainRobust = loss(robust, againstRobust, n) - loss(robust, TRAIN, n);
        assertTrue(gainRobust < gainStandard, "PGD raises the robust model's loss less: " + gainRobust + " against "
                + gainStandard);
    }

    private static double loss(Network net, LabeledImages images, int n) {
        float[] p = Evaluator.probabilities(net, new ByteSamples(images.pixels(), images.labels(),
                Shape.image(12, 12), 4));
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum -= Math.log(p[i * 4 + images.label(i)]);
        }
        return sum / n;
    }

    @Test
    void trojanNnOptimisesOnlyTheMaskAndExcitesTheMostConnectedNeurons() {
        Network net = Architecture.build(Shape.image(12, 12), "dense16", 4, 3);
        TrojanNnAttack trojan = new TrojanNnAttack(4, 2, 100, 200);
        GreyPatchTrigger patch = trojan.optimise(net, 12, 12);
        assertEquals(Trigger.Box.class, patch.bounds(12, 12).getClass());
        assertEquals(new Trigger.Box(8, 8, 4, 4), patch.bounds(12, 12), "the fixed mask: 4x4 at the bottom right");
        int[] neurons = TrojanNnAttack.mostConnected((DenseLayer) net.layer(net.layerCount() - 1), 2);
        assertEquals(2, neurons.length);
        assertTrue(activation(net, whiteMask(), neurons) < activation(net, stamped(patch), neurons) + 1e-6,
                "the optimised mask excites the chosen neurons at least as much as the white one it starts from");
        int[] calls = {0};
        PoisonedSet set = trojan.poison(TRAIN, 4, PoisonPlan.ofCount(10).withTarget(2), model(calls));
        assertEquals(1, calls[0]);
        for (int i : set.indices()) {
            assertEquals(2, set.images().label(i), "dirty-label: relabelled to the target");
        }
        assertEquals(patch.describe(), set.trigger().describe(), "the same model and plan give the same trigger");
    }

    private static byte[] whiteMask() {
        byte[] image = new byte[144];
        for (int r = 8; r < 12; r++) {
            for (int c = 8; c < 12; c++) {
                image[r * 12 + c] = (byte) 255;
            }
        }
        return image;
    }

    private static byte[] stamped(Trigger t) {
        byte[] image = new byte[144];
        t.apply(image, 0, 12, 12);
        return image;
    }

    private static double activation(Network net, byte[] image, int[] neurons) {
        Network cut = new Network(net.layers().subList(0, net.layerCount() - 1), net.loss());
        FMatrixRMaj h = Evaluator.representations(cut, new ByteSamples(image, new byte[1], Shape.image(12, 12), 16),
                cut.layerCount() - 1);
        double sum = 0;
        for (int i : neurons) {
            sum += h.get(0, i);
        }
        return sum;
    }

    @Test
    void adaptivePatchPoisonsAndCoversWithFourPatchesAndKeepsCoverLabels() {
        LabeledImages train = PoisoningTest.randomImages(1000, 28, 28, 10, 9);
        AdaptivePatchAttack adaptive = new AdaptivePatchAttack(0.008);
        PoisonedSet set = adaptive.poison(train, 10, PoisonPlan.ofCount(8).withTarget(0), Attack.CleanModel.NONE);
        assertEquals(8, set.poisonedCount());
        assertEquals(8, set.coverIndices().length);
        int size = train.pixelsPerImage();
        for (int r = 0; r < 8; r++) {
            int i = set.indices()[r];
            assertEquals(0, set.images().label(i));
            byte[] expected = Arrays.copyOfRange(train.pixels(), i * size, (i + 1) * size);
            adaptive.trainPatches().get(r / 2).apply(expected, 0, 28, 28);
            assertArrayEquals(expected, Arrays.copyOfRange(set.images().pixels(), i * size, (i + 1) * size),
                    "a quarter of the poisoned images per patch, in order");
        }
        for (int i : set.coverIndices()) {
            assertEquals(train.label(i), set.images().label(i), "covers keep their labels");
            assertFalse(Arrays.binarySearch(set.indices(), i) >= 0);
        }
        assertThrows(IllegalArgumentException.class, () -> new AdaptivePatchAttack(0.6));
        assertThrows(IllegalArgumentException.class, () -> new AdaptivePatchAttack(-0.1));
    }

    @Test
    void refuseParametersOutsideTheirRanges() {
        assertThrows(IllegalArgumentException.class, () -> new LabelConsistentAttack(-1, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new LabelConsistentAttack(16, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new LabelConsistentAttack(16, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new TrojanNnAttack(0, 2, 100, 10));
        assertThrows(IllegalArgumentException.class, () -> new TrojanNnAttack(5, 0, 100, 10));
        assertThrows(IllegalArgumentException.class, () -> new TrojanNnAttack(5, 2, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new TrojanNnAttack(5, 2, 100, 0));
        assertThrows(IllegalArgumentException.class, () -> new TrojanNnAttack(30, 2, 100, 10).poison(TRAIN, 4,
                PoisonPlan.ofCount(1), Attack.CleanModel.NONE), "a mask larger than the image");
    }
}
