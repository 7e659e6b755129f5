package dev.badnets.attack.defense;

import dev.badnets.attack.ImageSamples;
import dev.badnets.core.Evaluator;
import dev.badnets.core.Loss;
import dev.badnets.core.NonFiniteOutputException;
import dev.badnets.core.Network;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.mnist.LabeledImages;

/**
 * What the defenses assume of the model and the data, checked at their entry points so that a
 * verdict is never computed from a model or a data set that breaks the method's assumptions: such a
 * verdict would be made up, and "no backdoor found" from a broken model is the worst kind (fail
 * closed). Each check throws {@link IllegalArgumentException} naming the method, what it needs and
 * what it got.
 *
 * <ul>
 *   <li>{@link #finiteOutputs}: every method reads the model's outputs; NaN or infinite ones (weights
 *       that overflow float arithmetic) make every figure meaningless.</li>
 *   <li>{@link #softmaxOutputs}: STRIP reads the outputs as a probability distribution (its entropy);
 *       a model trained with mean squared error outputs scores, whose "entropy" can be negative.</li>
 *   <li>{@link #classes}: Neural Cleanse looks, for each class, for the smallest change that sends
 *       images of the <em>other</em> classes to it; with one class there are none, and the class would
 *       be flagged for a trigger that moves nothing. Its unlearning fine-tunes on the images given, so
 *       a class missing from them is a class the repair teaches the model to forget.</li>
 * </ul>
 */
public final class Requirements {

    private Requirements() {
    }

    /**
     * Refuses a model whose outputs on {@code images} are not all finite.
     *
     * @throws NonFiniteOutputException naming the first image whose output is NaN or infinite
     */
    public static void finiteOutputs(Network net, LabeledImages images, MatrixBackend backend) {
        net.checkInput(ImageSamples.shape(images));
        Evaluator.requireFiniteOutputs(net, ImageSamples.of(images,
                Math.min(256, Math.max(net.classes(), 1 + maxLabel(images)))), backend);
    }

    /**
     * Refuses a model not trained with softmax cross-entropy, for a method that reads its outputs as
     * class probabilities.
     *
     * @param method the method's name, for the message (e.g. "STRIP")
     */
    public static void softmaxOutputs(Network net, String method) {
        if (net.loss() != Loss.SOFTMAX_CROSS_ENTROPY) {
            throw new IllegalArgumentException(method + " assumes a model with softmax outputs (trained with softmax"
                    + " cross-entropy) and reads them as class probabilities, but this model was trained with "
                    + net.loss().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + ", whose outputs are not probabilities; pass a model trained with softmax cross-entropy");
        }
    }

    /**
     * Refuses images of fewer than {@code atLeast} distinct classes.
     *
     * @param method what needs them, for the message (e.g. "Neural Cleanse's scan")
     * @param why    why, for the message
     */
    public static void classes(LabeledImages images, int atLeast, String method, String why) {
        int present = present(images);
        if (present < atLeast) {
            throw new IllegalArgumentException(method + " needs images of at least " + atLeast + " classes (" + why
                    + "), got " + images.count() + " images of " + present + (present == 1 ? " class" : " classes")
                    + "; give images of every class the model knows");
        }
    }

    /** How many distinct labels {@code images} holds. */
    static int present(LabeledImages images) {
        boolean[] seen = new boolean[256];
        int present = 0;
        for (int i = 0; i < images.count(); i++) {
            int label = images.label(i);
            if (!seen[label]) {
                seen[label] = true;
                present++;
            }
        }
        return present;
    }

    private static int maxLabel(LabeledImages images) {
        int max = 0;
        for (int i = 0; i < images.count(); i++) {
            max = Math.max(max, images.label(i));
        }
        return max;
    }
}
