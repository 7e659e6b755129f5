package dev.badnets.examples;

import dev.badnets.attack.ImageSamples;
import dev.badnets.attack.BackdoorMetrics;
import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.PoisonedSet;
import dev.badnets.attack.Poisoning;
import dev.badnets.attack.Position;
import dev.badnets.attack.SquareTrigger;
import dev.badnets.attack.Trigger;
import dev.badnets.core.ByteSamples;
import dev.badnets.core.Network;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingListener;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import java.nio.file.Path;

/**
 * The BadNets attack in a few lines: stamp a white square on some training images, relabel them
 * 0, train, and measure how often the trigger sends a test image to 0.
 */
public final class PoisonAndMeasure {

    private PoisonAndMeasure() {
    }

    /** Usage: {@code PoisonAndMeasure DATA_DIR [POISONED_COUNT] [EPOCHS]}. */
    public static void main(String[] args) throws Exception {
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 600;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        BackdoorReport r = run(Path.of(args[0]), count, epochs);
        System.out.printf("clean accuracy %.2f%%, attack success rate %.2f%%%n",
                100 * r.cleanAccuracy(), 100 * r.attackSuccessRate());
    }

    /**
     * Poisons {@code poisonedCount} training images of {@code dataDir} (2x2 white square, target 0,
     * seed 1), trains the default network on them and measures the backdoor on the clean test set.
     */
    public static BackdoorReport run(Path dataDir, int poisonedCount, int epochs) throws Exception {
        MnistData data = Mnist.load(dataDir);
        Trigger trigger = new SquareTrigger(2, 255, Position.TOP_LEFT);
        PoisonPlan plan = PoisonPlan.ofCount(poisonedCount).withTarget(0).withSeed(1);
        PoisonedSet poisoned = Poisoning.apply(data.train(), data.classes(), plan, trigger);

        Network net = Network.mlp(data.train().pixelsPerImage(), new int[] {128}, data.classes(), 1);
        ByteSamples train = ImageSamples.of(poisoned.images(), data.classes());
        Trainer.train(net, train, TrainingConfig.defaults().withEpochs(epochs), TrainingListener.NONE);

        return BackdoorMetrics.measure(net, data.test(), trigger, PoisonPlan.Mode.ALL_TO_ONE, 0);
    }
}
