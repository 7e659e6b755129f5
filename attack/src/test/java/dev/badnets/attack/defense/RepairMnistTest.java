package dev.badnets.attack.defense;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.BackdoorExperiment;
import dev.badnets.attack.BackdoorExperiment.NetworkFactory;
import dev.badnets.attack.BackdoorMetrics;
import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Poisoning;
import dev.badnets.attack.Trigger;
import dev.badnets.attack.Triggers;
import dev.badnets.core.LearningRateSchedule;
import dev.badnets.core.Network;
import dev.badnets.core.OptimizerKind;
import dev.badnets.core.TrainingConfig;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.testing.RealMnist;
import dev.badnets.mnist.testing.RequiresMnist;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each repair on subsampled MNIST ({@link RealMnist}; skipped, with the reason, without it): the
 * first 12,000 training and 2,000 test images, a small CNN ({@code conv8x3,pool2,conv16x3,pool2,dense32},
 * one epoch of Adam at 0.002, cosine), backdoored by 2% poison (the demo's 2x2 square, target 0).
 * Each repair, with its default settings on a defender's 10% of the clean training images, must
 * bring the backdoored model's attack success rate below a fifth of what it was, and leave a model
 * trained on clean data within {@link #CLEAN_BOUND} of its clean accuracy.
 *
 * <p>Not every repair meets both here, and those claims are left out rather than weakened: ANP left
 * the attack success rate at 0.90 of 0.91 (as on the full data set, see {@code docs/matrix.md}); I-BAU
 * removes the backdoor but cost a clean model 6 points (0.918 to 0.857); ABL trained the backdoor in
 * anyway (0.97), so only its cost on clean data is checked.
 */
@RequiresMnist
class RepairMnistTest {

    /** The clean-accuracy drop each repair is held to on a clean model: 2 points. */
    static final double CLEAN_BOUND = 0.02;
    private static final String LAYERS = "conv8x3,pool2,conv16x3,pool2,dense32";
    private static final TrainingConfig TRAINING = new TrainingConfig(1, 64, 0.002f, LearningRateSchedule.COSINE,
            OptimizerKind.ADAM, 0f, 1L, 2, "auto");
    private static final Trigger TRIGGER = Triggers.defaultTrigger();

    private static LabeledImages train;
    private static LabeledImages test;
    private static Network backdoored;
    private static Network clean;

    @BeforeAll
    static void train() throws Exception {
        if (!RealMnist.isPresent()) {
            return; // RequiresMnist skips every test, naming the reason
        }
        MnistData mnist = RealMnist.load();
        train = mnist.train().slice(0, 12_000);
        test = mnist.test().slice(0, 2_000);
        backdoored = model(240);
        clean = model(0);
    }

    private static Network model(int poisonCount) {
        return BackdoorExperiment.of(train, test, 10, PoisonPlan.ofCount(poisonCount), TRIGGER,
                NetworkFactory.architecture(LAYERS), TRAINING).run(null).network();
    }

    static ModelDefense repair(String name) {
        ModelDefense defaults = Repairs.byName(name, 1, 2, "auto");
        return switch (name) {
            case "fine-tuning" -> new FineTuning(share(FineTuning.Settings.defaults()));
            case "fine-pruning" -> new FinePruning(new FinePruning.Settings(FinePruning.Settings.defaults().maxDrop(),
                    share(FineTuning.Settings.defaults())));
            case "nad" -> new Nad(share(FineTuning.Settings.defaults()));
            case "anp" -> new Anp(new Anp.Settings(0.1, 0.4f, 0.2f, 0.2f, 200, 128, 0.2f, 1L, 2, "auto"));
            case "i-bau" -> new Ibau(new Ibau.Settings(0.1, 5, 10f, 0.001f, 3f, 0.5f, 0.001f, 64, 1L, 2, "auto"));
            default -> defaults;
        };
    }

    private static FineTuning.Settings share(FineTuning.Settings s) {
        return new FineTuning.Settings(0.1, s.training().withThreads(2));
    }

    private static BackdoorReport measure(Network net) {
        return BackdoorMetrics.measure(net, test, TRIGGER, PoisonPlan.Mode.ALL_TO_ONE, 0);
    }

    private static ModelDefense.Setting setting() {
        return new ModelDefense.Setting(train, test, Poisoning.attacked(test, TRIGGER, PoisonPlan.Mode.ALL_TO_ONE, 0,
                10), 10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fine-tuning", "fine-pruning", "nad", "i-bau"})
    void lowersTheAttackSuccessRateOfABackdooredModel(String name) {
        BackdoorReport before = measure(backdoored);
        assertTrue(before.attackSuccessRate() > 0.9, "the backdoor works before the repair: ASR "
                + before.attackSuccessRate());
        BackdoorReport after = measure(repair(name).defend(backdoored, setting()).network());
        System.out.printf(Locale.ROOT, "%s on the backdoored model: ASR %.4f -> %.4f, clean accuracy %.4f -> %.4f%n",
                name, before.attackSuccessRate(), after.attackSuccessRate(), before.cleanAccuracy(), after.cleanAccuracy());
        assertTrue(after.attackSuccessRate() < before.attackSuccessRate() / 5, name + " left ASR "
                + after.attackSuccessRate() + " of " + before.attackSuccessRate());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fine-tuning", "fine-pruning", "nad", "anp"})
    void keepsACleanModelsAccuracyWithinTheBound(String name) {
        double before = measure(clean).cleanAccuracy();
        double after = measure(repair(name).defend(clean, setting()).network()).cleanAccuracy();
        System.out.printf(Locale.ROOT, "%s on the clean model: clean accuracy %.4f -> %.4f%n", name, before, after);
        assertTrue(after >= before - CLEAN_BOUND, name + " took clean accuracy from " + before + " to " + after);
    }

    /**
     * Fine-pruning's stopping rule (the paper's): channels go while the accuracy on the defender's
     * images stays within 4 points of the unpruned model's, and the next channel in line would have
     * taken it below that.
     */
    @org.junit.jupiter.api.Test
    void finePruningStopsBeforeTheAccuracyFallsByMoreThanItsLargestDrop() {
        LabeledImages own = FineTuning.cleanShare(train, 0.1, 1);
        var backend = dev.badnets.core.backend.Backends.create("auto", 2);
        double maxDrop = FinePruning.Settings.defaults().maxDrop();
        assertTrue(maxDrop == 0.04, "the paper's largest drop is 4 points, got " + maxDrop);
        Network pruned = backdoored.copy();
        FinePruning.Pruning pruning = FinePruning.prune(pruned, own, maxDrop, backend);
        System.out.printf(Locale.ROOT, "fine-pruning pruned %d channels: accuracy %.4f -> %.4f%n",
                pruning.pruned().length, pruning.accuracyBefore(), pruning.accuracyAfter());
        assertTrue(pruning.pruned().length > 0, "pruned nothing");
        assertTrue(pruning.accuracyAfter() >= pruning.accuracyBefore() - maxDrop, "pruning went too far: "
                + pruning.accuracyBefore() + " -> " + pruning.accuracyAfter());
        // one more channel, the next least active, would have crossed the bound (or none was left)
        var conv = (dev.badnets.core.Conv2D) pruned.layer(pruning.layer());
        int next = nextChannel(backdoored, own, pruning, backend);
        if (next >= 0) {
            FinePruning.zeroChannel(conv, next);
            double further = dev.badnets.core.Evaluator.evaluate(pruned,
                    dev.badnets.attack.ImageSamples.of(own, 10), backend).accuracy();
            assertTrue(further < pruning.accuracyBefore() - maxDrop, "pruning stopped early: channel " + next
                    + " leaves accuracy " + further + " of " + pruning.accuracyBefore());
        }
    }

    /** The least active channel of the pruned layer that pruning kept, or -1 when it kept only one. */
    private static int nextChannel(Network net, LabeledImages own, FinePruning.Pruning pruning,
                                   dev.badnets.core.backend.MatrixBackend backend) {
        int channels = ((dev.badnets.core.Conv2D) net.layer(pruning.layer())).filters();
        if (pruning.pruned().length >= channels - 1) {
            return -1;
        }
        double[] mean = FinePruning.meanActivation(dev.badnets.core.Evaluator.representations(net,
                dev.badnets.attack.ImageSamples.of(own, 10), pruning.layer(), backend), channels);
        java.util.Set<Integer> gone = new java.util.HashSet<>();
        for (int c : pruning.pruned()) {
            gone.add(c);
        }
        int next = -1;
        for (int c = 0; c < channels; c++) {
            if (!gone.contains(c) && (next < 0 || mean[c] < mean[next])) {
                next = c;
            }
        }
        return next;
    }

    /** ABL trains the model itself: on clean data its unlearning of the lowest-loss 1% must not cost accuracy. */
    @org.junit.jupiter.api.Test
    void antiBackdoorLearningKeepsTheAccuracyOnCleanData() {
        Network cleanAbl = Abl.train(NetworkFactory.architecture(LAYERS).build(dev.badnets.core.Shape.image(28, 28), 10, 1),
                train, 10, TRAINING, Abl.Settings.defaults()).network();
        double plain = measure(clean).cleanAccuracy(), withAbl = measure(cleanAbl).cleanAccuracy();
        System.out.printf(Locale.ROOT, "abl on the clean set: clean accuracy %.4f (plain training %.4f)%n", withAbl, plain);
        assertTrue(withAbl >= plain - CLEAN_BOUND, "ABL took clean accuracy from " + plain + " to " + withAbl);
    }
}
