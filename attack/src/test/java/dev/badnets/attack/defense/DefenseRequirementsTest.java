package dev.badnets.attack.defense;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.Activation;
import dev.badnets.core.Architecture;
import dev.badnets.core.Loss;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.core.backend.Backends;
import dev.badnets.mnist.LabeledImages;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The defenses fail closed: a model whose outputs overflow, a model that breaks a method's
 * assumption, or data too poor for the method is refused, never scanned into a verdict.
 */
@Timeout(120)
class DefenseRequirementsTest {

    private static final Shape IMAGE = Shape.image(8, 8);

    /** {@code n} random 8x8 images whose labels cycle through {@code classes} classes. */
    private static LabeledImages images(int n, int classes) {
        byte[] pixels = new byte[n * IMAGE.size()];
        new SplittableRandom(7).nextBytes(pixels);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % classes);
        }
        return new LabeledImages(n, 8, 8, pixels, labels);
    }

    /** A valid network (every parameter finite) whose outputs are NaN: weights of 3e38 overflow to infinities. */
    private static Network overflowing() {
        Network net = Architecture.build(IMAGE, "dense8", 3, 1);
        net.layers().forEach(layer -> layer.parameters().forEach(p -> Arrays.fill(p.value().data, 3e38f)));
        return net;
    }

    @Test
    void neuralCleanseRefusesAModelWhoseOutputsAreNotFinite() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NeuralCleanse.scan(
                overflowing(), images(30, 3), NeuralCleanse.Settings.defaults().withMaxSteps(5).withThreads(1, "ejml"),
                null));
        assertTrue(e.getMessage().contains("NaN") || e.getMessage().contains("infinite"), e.getMessage());
    }

    @Test
    void neuralCleanseRefusesImagesOfOneClass() {
        Network net = Architecture.build(IMAGE, "dense8", 3, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NeuralCleanse.scan(net,
                images(30, 1), NeuralCleanse.Settings.defaults().withMaxSteps(5).withThreads(1, "ejml"), null));
        assertTrue(e.getMessage().contains("at least 2 classes"), e.getMessage());
    }

    @Test
    void stripRefusesAModelWithoutSoftmaxOutputs() {
        Network mse = Network.create(new int[] {64, 8, 3}, Activation.RELU, Activation.IDENTITY,
                Loss.MEAN_SQUARED_ERROR, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Strip(mse, images(10, 3), 4, Backends.create("ejml", 1)));
        assertTrue(e.getMessage().contains("softmax"), e.getMessage());
    }

    @Test
    void stripAndTheDetectorsRefuseAModelWhoseOutputsAreNotFinite() {
        Network net = overflowing();
        Strip strip = new Strip(net, images(10, 3), 4, Backends.create("ejml", 1));
        assertThrows(IllegalArgumentException.class,
                () -> strip.entropies(images(5, 3), new SplittableRandom(1)));
        dev.badnets.core.ByteSamples train = new dev.badnets.core.ByteSamples(images(90, 3).pixels(),
                images(90, 3).labels(), IMAGE, 3);
        for (String method : Detectors.NAMES) {
            assertThrows(IllegalArgumentException.class, () -> Detectors.byName(method).detect(net, train, 0.05),
                    method);
        }
    }
}
