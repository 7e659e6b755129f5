package dev.badnets.cli.train;

import dev.badnets.attack.ImageSamples;
import dev.badnets.core.Network;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingListener;
import dev.badnets.core.TrainingResult;
import dev.badnets.mnist.LabeledImages;

/** Trains the default network family on images, the way train, demo, sweep and bench all do. */
public final class Training {

    /** A trained network and how its training went. */
    record Trained(Network network, TrainingResult result) {}

    private Training() {
    }


    /** Trains {@code net} (in place) on {@code train}. */
    static Trained train(Network net, LabeledImages train, int classes, TrainingConfig config,
                         TrainingListener listener) {
        TrainingResult result = Trainer.train(net, ImageSamples.of(train, classes), config, listener);
        return new Trained(net, result);
    }
}
