package dev.badnets.attack.defense;

import dev.badnets.attack.ImageSamples;
import dev.badnets.core.ByteSamples;
import dev.badnets.core.Network;
import dev.badnets.mnist.LabeledImages;

/**
 * The defender's pipeline: score a poisoned training set with the network trained on it, drop
 * the flagged samples, and hand back the filtered set to retrain on (same seed) or to write as a
 * clean data folder.
 */
public final class Defense {

    private Defense() {}

    /**
     * @param detection what the detector found
     * @param kept      indices of the samples kept, ascending
     * @param filtered  the training set without the flagged samples, in the original order
     */
    public record Result(Detection detection, int[] kept, LabeledImages filtered) {}

    /**
     * Detects on {@code net}'s penultimate layer over {@code train} and filters the flagged samples
     * out.
     *
     * @param classes      number of classes (for example {@code MnistData.classes()})
     * @param expectedRate suspected share of poisoned samples, in (0, 0.5)
     */
    public static Result run(Network net, LabeledImages train, int classes, Detector detector,
                             double expectedRate) {
        ByteSamples samples = ImageSamples.of(train, classes);
        Detection detection = detector.detect(net, samples, expectedRate);
        int[] kept = detection.kept();
        return new Result(detection, kept, keep(train, kept));
    }

    /** A new set holding only the images at {@code indices} (ascending, no repeats), in that order. */
    public static LabeledImages keep(LabeledImages images, int[] indices) {
        int size = images.pixelsPerImage();
        byte[] pixels = new byte[indices.length * size];
        byte[] labels = new byte[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= images.count() || (k > 0 && i <= indices[k - 1])) {
                throw new IllegalArgumentException("indices must be ascending, distinct and in [0, "
                        + images.count() + "); got " + i + " at position " + k);
            }
            System.arraycopy(images.pixels(), i * size, pixels, k * size, size);
            labels[k] = images.labels()[i];
        }
        return new LabeledImages(indices.length, images.rows(), images.cols(), pixels, labels);
    }
}
