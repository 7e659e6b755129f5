package dev.badnets.cli.serve;

import dev.badnets.cli.Cli;
import dev.badnets.cli.Models;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.PoisonOptions;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Trigger;
import dev.badnets.attack.Triggers;
import dev.badnets.core.Architecture;
import dev.badnets.core.ModelPreset;
import dev.badnets.core.Network;
import dev.badnets.core.TrainingConfig;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.MnistData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What the serve tests share, made once per test run on real MNIST: a backdoored and a clean MLP
 * trained for one epoch through serve's own path ({@link ServeTraining}: the demo's poisoning of an MLP,
 * then its clean twin), the page's content, and a test digit the backdoor flips.
 */
public final class ServeFixture {

    /** The models and the page's content; {@code flipped} is a test image the backdoor sends to the target. */
    record Models(MnistData mnist, Network backdoored, Network clean, Trigger trigger, int target,
                  PageServer.Content content, int flipped) {

        /** Test image {@code i}, with the trigger stamped when {@code triggered}. */
        byte[] image(int i, boolean triggered) {
            LabeledImages test = mnist.test();
            int size = test.pixelsPerImage();
            byte[] pixels = Arrays.copyOfRange(test.pixels(), i * size, (i + 1) * size);
            if (triggered) {
                trigger.apply(pixels, 0, test.rows(), test.cols());
            }
            return pixels;
        }
    }

    private static Models models;

    private ServeFixture() {
    }

    /** Trains the two models on the first call (about 10 s on 2 cores), then returns the same ones. */
    static synchronized Models models() throws IOException {
        if (models != null) {
            return models;
        }
        Path folder = Cli.mnist();
        MnistData mnist = DataOptions.load(folder);
        PrintWriter log = new PrintWriter(new StringWriter());
        TrainingConfig training = ModelPreset.MLP.training(TrainingConfig.defaults()).withEpochs(1);
        ServeTraining.Trained backdoored = ServeTraining.train(log, mnist,
                PoisonPlan.ofCount(PoisonOptions.DEFAULT_COUNT), Triggers.defaultTrigger(), Architecture.MLP, training);
        ServeTraining.Trained clean = ServeTraining.cleanTwin(log, mnist, backdoored.result().network(),
                backdoored.config(), backdoored.trigger(), backdoored.plan());
        PageServer.Content content = ServeCommand.trained(backdoored,
                ServeCommand.trained("clean", clean, "trained by the test"), mnist);
        int target = backdoored.plan().target();
        Models m = new Models(mnist, backdoored.result().network(), clean.result().network(), backdoored.trigger(),
                target, content, -1);
        models = new Models(m.mnist(), m.backdoored(), m.clean(), m.trigger(), target, content, flipped(m));
        return models;
    }

    /**
     * The first test image, not of the target, that both models read right and that the trigger sends
     * to the target with the backdoored model only: the digit the page demonstrates.
     */
    private static int flipped(Models m) {
        LabeledImages test = m.mnist().test();
        for (int i = 0; i < 100; i++) {
            int label = test.label(i);
            if (label != m.target() && m.backdoored().predict(m.image(i, false)) == label
                    && m.clean().predict(m.image(i, false)) == label
                    && m.backdoored().predict(m.image(i, true)) == m.target()
                    && m.clean().predict(m.image(i, true)) == label) {
                return i;
            }
        }
        assertTrue(false, "none of the first 100 test images shows the backdoor: it did not take");
        return -1;
    }
}
