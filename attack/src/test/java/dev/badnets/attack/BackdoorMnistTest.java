package dev.badnets.attack;

import dev.badnets.attack.ImageSamples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.PoisonPlan.Mode;
import dev.badnets.core.Evaluator;
import dev.badnets.core.Network;
import dev.badnets.core.OptimizerKind;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingResult;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.testing.RealMnist;
import dev.badnets.mnist.testing.RequiresMnist;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bars on real MNIST ({@link RealMnist}; each test skipped, with the reason, without it): a
 * 784-128-10 ReLU network, Adam, learning rate 0.001, batch 64, 5 epochs, seed 1.
 */
@RequiresMnist
class BackdoorMnistTest {

    private static final int THREADS = 2;
    private static final TrainingConfig CONFIG =
            new TrainingConfig(5, 64, 0.001f, OptimizerKind.ADAM, 0f, 1, THREADS, "auto");

    private static MnistData mnist;
    private static Double cleanModelAccuracy; // trained once, on first use

    /** Test accuracy of the same network trained on the clean training set with the same seed. */
    private static synchronized double cleanModelAccuracy() {
        if (cleanModelAccuracy == null) {
            Network clean = train(mnist.train());
            cleanModelAccuracy = Evaluator.evaluate(clean, ImageSamples.of(mnist.test(), mnist.classes())).accuracy();
            System.out.printf(Locale.ROOT, "clean model (same seed): accuracy %.4f%n", cleanModelAccuracy);
        }
        return cleanModelAccuracy;
    }

    /** Asserts the backdoor is stealthy: within half a point of the clean model's accuracy. */
    private static void assertStealthy(BackdoorReport r) {
        double cost = BackdoorMetrics.cleanAccuracyCost(cleanModelAccuracy(), r);
        System.out.printf(Locale.ROOT, "  clean-accuracy cost of the backdoor %+.4f%n", cost);
        assertTrue(Math.abs(cost) < 0.005, "clean-accuracy cost " + cost);
    }

    @BeforeAll
    static void load() throws Exception {
        mnist = RealMnist.loadIfPresent(); // null: RequiresMnist skips every test, naming the reason
    }

    private static Network train(LabeledImages train) {
        Network net = Network.mlp(784, new int[] {128}, mnist.classes(), 1);
        TrainingResult result = Trainer.train(net, ImageSamples.of(train, mnist.classes()), CONFIG, null);
        System.out.printf(Locale.ROOT, "  trained in %.1f s on %s with %d threads%n",
                result.seconds(), result.backend(), result.threads());
        return net;
    }

    private static void print(String what, BackdoorReport r) {
        System.out.printf(Locale.ROOT, "%s: clean accuracy %.4f, ASR %.4f (of %d non-target images), "
                        + "ASR all images %.4f, per class %s%n", what, r.cleanAccuracy(), r.attackSuccessRate(),
                r.attackedCount(), r.attackSuccessRateAllImages(), r.perClassAttackSuccessRate());
    }

    @Test
    void defaultDemoAttackFromThePublishedFolder(@TempDir Path temp) throws Exception {
        Path dir = temp.resolve("published");
        // The attacker's artifact: poison 600 (1%), publish the folder; the victim loads and trains on it.
        Trigger trigger = new SquareTrigger(2, 255, Position.TOP_LEFT);
        PoisonedSet poisoned = Poisoning.apply(mnist.train(), mnist.classes(), PoisonPlan.ofCount(600).withSeed(1),
                trigger);
        PoisonedDataset.write(dir, mnist, poisoned);
        MnistData published = Mnist.load(dir);
        assertArrayEquals(poisoned.images().labels(), published.train().labels());
        assertEquals(600, PoisonedDataset.readManifest(dir).orElseThrow().poisonedCount());

        Network backdoored = train(published.train());
        BackdoorReport r = BackdoorMetrics.measure(backdoored, mnist.test(), trigger, Mode.ALL_TO_ONE, 0);
        print("2x2 square, 600 poisoned, all-to-one -> 0", r);

        assertTrue(r.cleanAccuracy() >= 0.975, "clean accuracy " + r.cleanAccuracy());
        assertTrue(r.attackSuccessRate() >= 0.98, "ASR " + r.attackSuccessRate());
        assertStealthy(r);
    }

    @Test
    void threeByThreeSquare() {
        Trigger trigger = new SquareTrigger(3, 255, Position.TOP_LEFT);
        PoisonedSet poisoned = Poisoning.apply(mnist.train(), mnist.classes(), PoisonPlan.ofCount(600).withSeed(1),
                trigger);
        BackdoorReport r = BackdoorMetrics.measure(train(poisoned.images()), mnist.test(), trigger, Mode.ALL_TO_ONE, 0);
        print("3x3 square, 600 poisoned, all-to-one -> 0", r);
        assertTrue(r.attackSuccessRate() >= 0.993, "ASR " + r.attackSuccessRate());
        // The bar here is the ASR. Clean accuracy lands at 0.9749 with seed 1 (0.9744-0.9784
        // over plan and training seeds, like the clean model's own spread), so it is held to the
        // clean model's accuracy rather than to the 97.5% line it straddles.
        assertStealthy(r);
    }

    @Test
    void allToAllWithTenPercentPoisoned() {
        Trigger trigger = new SquareTrigger(2, 255, Position.TOP_LEFT);
        PoisonedSet poisoned = Poisoning.apply(mnist.train(), mnist.classes(),
                PoisonPlan.ofRate(0.1).withMode(Mode.ALL_TO_ALL).withSeed(1), trigger);
        assertEquals(6000, poisoned.poisonedCount());
        BackdoorReport r = BackdoorMetrics.measure(train(poisoned.images()), mnist.test(), trigger, Mode.ALL_TO_ALL, 0);
        print("2x2 square, 10% poisoned, all-to-all", r);
        assertTrue(r.attackSuccessRate() >= 0.90, "ASR " + r.attackSuccessRate());
    }
}
