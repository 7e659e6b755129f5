package dev.badnets.attack;

import dev.badnets.core.ByteSamples;
import dev.badnets.core.Shape;
import dev.badnets.mnist.LabeledImages;

/**
 * The one bridge from images to what a network trains on and is measured with: a
 * {@link LabeledImages} (pixels 0-255, one label each) as {@link ByteSamples} of one channel of
 * rows x cols. It lives here, not in mnist-io (which knows no networks) nor in core (which knows no
 * image files), so that the attacks, the defenses, the command line and embedders share it.
 */
public final class ImageSamples {

    private ImageSamples() {
    }

    /**
     * The samples of {@code images}, sharing their arrays (nothing is copied).
     *
     * @param images  N images of rows x cols and their labels
     * @param classes the number of classes the labels index (labels must be below it)
     */
    public static ByteSamples of(LabeledImages images, int classes) {
        return new ByteSamples(images.pixels(), images.labels(), shape(images), classes);
    }

    /** One image as a network sees it: 1 channel of rows x cols. */
    public static Shape shape(LabeledImages images) {
        return Shape.image(images.rows(), images.cols());
    }
}
