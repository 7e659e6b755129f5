package dev.badnets.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.BackdoorExperiment.NetworkFactory;
import dev.badnets.attack.ExperimentListener.Phase;
import dev.badnets.attack.defense.DetectionMetrics;
import dev.badnets.attack.defense.ModelDefense;
import dev.badnets.attack.defense.SpectralSignatures;
import dev.badnets.core.EpochReport;
import dev.badnets.core.Network;
import dev.badnets.core.OptimizerKind;
import dev.badnets.core.TrainingConfig;
import dev.badnets.mnist.LabeledImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The experiment on a tiny synthetic set (3 classes of 4x4 images, a one-pixel trigger), so that
 * it trains in well under a second: its figures are those of the library's parts run by hand.
 */
class BackdoorExperimentTest {

    private static final int CLASSES = 3;
    private static final Trigger TRIGGER = new PixelTrigger(255, Position.TOP_LEFT);
    private static final PoisonPlan PLAN = PoisonPlan.ofCount(30).withTarget(0).withSeed(5);
    private static final TrainingConfig CONFIG = new TrainingConfig(3, 16, 0.01f, OptimizerKind.ADAM, 0f, 1L, 1,
            "auto");
    private static final NetworkFactory NETWORK = NetworkFactory.architecture("dense16");

    /** Class c lights row c + 1 with grey levels of 150 to 255; row 0, where the trigger goes, stays dark. */
    private static LabeledImages images(int count, long seed) {
        Random random = new Random(seed);
        byte[] pixels = new byte[count * 16];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            int c = i % CLASSES;
            labels[i] = (byte) c;
            for (int x = 0; x < 4; x++) {
                pixels[i * 16 + (c + 1) * 4 + x] = (byte) (150 + random.nextInt(106));
            }
        }
        return new LabeledImages(count, 4, 4, pixels, labels);
    }

    private static final LabeledImages TRAIN = images(300, 1);
    private static final LabeledImages TEST = images(90, 2);

    /** Records what the listener is told, as lines such as "phase TRAINING" or "epoch RETRAINING 1". */
    private static final class Recorder implements ExperimentListener {
        final List<String> events = new ArrayList<>();
        final List<Phase> phases = new ArrayList<>();
        int batches;

        @Override
        public void onPhase(Phase phase) {
            phases.add(phase);
            events.add("phase " + phase);
        }

        @Override
        public void onPoisoned(PoisonedSet poisoned, Network network) {
            events.add("poisoned " + poisoned.poisonedCount());
        }

        @Override
        public void onBatch(Phase phase, int epoch, int batch, int batchesPerEpoch, double loss, double accuracy) {
            batches++;
        }

        @Override
        public void onEpoch(Phase phase, EpochReport report) {
            events.add("epoch " + phase + " " + report.epoch());
        }
    }

    @Test
    void figuresAreThoseOfTheMetricsOnTheTrainedNetwork() {
        Recorder recorder = new Recorder();
        ExperimentResult r = BackdoorExperiment.of(TRAIN, TEST, CLASSES, PLAN, TRIGGER, NETWORK, CONFIG)
                .run(recorder);

        PoisonedSet byHand = Poisoning.apply(TRAIN, CLASSES, PLAN, TRIGGER);
        assertEquals(30, r.poisonedCount());
        assertArrayEquals(byHand.indices(), r.poisoned().indices());
        assertArrayEquals(byHand.images().labels(), r.poisoned().images().labels());

        BackdoorReport direct = BackdoorMetrics.measure(r.network(), TEST, TRIGGER, PLAN.mode(), PLAN.target());
        assertEquals(direct.cleanAccuracy(), r.backdoor().cleanAccuracy());
        assertEquals(direct.attackSuccessRate(), r.backdoor().attackSuccessRate());
        assertEquals(direct.attackSuccessRateAllImages(), r.backdoor().attackSuccessRateAllImages());
        assertEquals(direct.perClassAttackSuccessRate(), r.backdoor().perClassAttackSuccessRate());
        assertEquals(60, r.backdoor().attackedCount()); // the 90 test images less the 30 of the target class
        assertArrayEquals(direct.triggeredPredictions(), r.backdoor().triggeredPredictions());
        assertTrue(r.backdoor().cleanAccuracy() > 0.9, () -> "the toy task is easy: " + r.backdoor());

        assertEquals(3, r.training().epochs().size());
        assertEquals(1, r.training().threads());
        assertFalse(r.defended());
        assertNull(r.defense());
        assertEquals(List.of(Phase.POISONING, Phase.TRAINING, Phase.MEASURING), recorder.phases);
        assertEquals(List.of("phase POISONING", "poisoned 30", "phase TRAINING", "epoch TRAINING 1",
                "epoch TRAINING 2", "epoch TRAINING 3", "phase MEASURING"), recorder.events);
        assertEquals(3 * (300 / 16 + 1), recorder.batches);
    }

    @Test
    void theDefenseRetrainsWithoutWhatItFlaggedAndMeasuresAgain() {
        Recorder recorder = new Recorder();
        ExperimentResult r = BackdoorExperiment.of(TRAIN, TEST, CLASSES, PLAN, TRIGGER, NETWORK, CONFIG)
                .withDefense(new SpectralSignatures())
                .run(recorder);

        assertEquals(List.of(Phase.POISONING, Phase.TRAINING, Phase.MEASURING, Phase.DEFENDING, Phase.RETRAINING,
                Phase.MEASURING), recorder.phases);
        assertTrue(recorder.events.containsAll(List.of("epoch RETRAINING 1", "epoch RETRAINING 3")));

        DefenseOutcome d = r.defense();
        assertEquals("spectral", d.method());
        assertEquals(30 / 300.0, d.expectedRate()); // the share actually poisoned, when not told
        assertEquals(DetectionMetrics.of(d.detection(), r.poisoned().indices()), d.metrics());
        assertEquals(300 - d.metrics().flagged(), d.retrainedOn());
        assertEquals(3, d.training().epochs().size());

        BackdoorReport direct = BackdoorMetrics.measure(d.network(), TEST, TRIGGER, PLAN.mode(), PLAN.target());
        assertEquals(direct.cleanAccuracy(), d.backdoor().cleanAccuracy());
        assertEquals(direct.attackSuccessRate(), d.backdoor().attackSuccessRate());
        assertEquals(direct.attackSuccessRateAllImages(), d.backdoor().attackSuccessRateAllImages());

        // Seeded throughout: a second run gives the same figures.
        ExperimentResult again = BackdoorExperiment.of(TRAIN, TEST, CLASSES, PLAN, TRIGGER, NETWORK, CONFIG)
                .withDefense(new SpectralSignatures(), 0.2)
                .run(null);
        assertEquals(r.backdoor().attackSuccessRate(), again.backdoor().attackSuccessRate());
        assertEquals(r.training().epochs().get(2).loss(), again.training().epochs().get(2).loss());
        assertEquals(0.2, again.defense().expectedRate());
    }

    @Test
    void aModelDefenseGetsTheCleanTrainingSetAndItsModelIsMeasured() {
        Recorder recorder = new Recorder();
        List<ModelDefense.Setting> seen = new java.util.ArrayList<>();
        ModelDefense keepsTheModel = new ModelDefense() {
            @Override
            public String name() {
                return "inspect";
            }

            @Override
            public Result defend(Network model, Setting setting) {
                seen.add(setting);
                return new Result(model, null, 0, Figures.scan(java.util.OptionalInt.of(0),
                        java.util.OptionalDouble.of(3.5)));
            }
        };
        ExperimentResult r = BackdoorExperiment.of(TRAIN, TEST, CLASSES, PLAN, TRIGGER, NETWORK, CONFIG)
                .withDefense(keepsTheModel)
                .run(recorder);

        assertEquals(List.of(Phase.POISONING, Phase.TRAINING, Phase.MEASURING, Phase.DEFENDING, Phase.MEASURING),
                recorder.phases);
        assertSame(TRAIN, seen.get(0).clean()); // the clean set, not the poisoned one
        assertSame(TEST, seen.get(0).test());
        // Only the test images the backdoor moves, stamped: not the target class's (all-to-one).
        assertArrayEquals(Poisoning.attacked(TEST, TRIGGER, PLAN.mode(), PLAN.target(), CLASSES).pixels(),
                seen.get(0).triggered().pixels());
        long moved = java.util.stream.IntStream.range(0, TEST.count()).filter(i -> TEST.label(i) != PLAN.target()).count();
        assertTrue(moved < TEST.count());
        assertEquals(moved, seen.get(0).triggered().count());
        for (int i = 0; i < seen.get(0).triggered().count(); i++) {
            assertNotEquals(PLAN.target(), seen.get(0).triggered().label(i));
        }
        DefenseOutcome d = r.defense();
        assertTrue(d.modelLevel());
        assertNull(d.metrics());
        assertSame(r.network(), d.network());
        assertEquals(0, d.figures().flaggedClass().getAsInt());
        assertEquals(r.backdoor().attackSuccessRate(), d.backdoor().attackSuccessRate());
        assertThrows(IllegalArgumentException.class, () -> new BackdoorExperiment(TRAIN, TEST, CLASSES, PLAN,
                new BadNetsAttack(Attacks.BADNETS, TRIGGER),
                NETWORK, CONFIG, new SpectralSignatures(), java.util.OptionalDouble.empty(), keepsTheModel));
    }
}
