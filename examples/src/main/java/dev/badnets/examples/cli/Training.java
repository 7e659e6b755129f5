package dev.badnets.examples.cli;

import dev.badnets.core.ByteSamples;
import dev.badnets.core.Network;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingListener;
import dev.badnets.core.TrainingResult;
import dev.badnets.mnist.LabeledImages;

/** Trains the default network family on images, the way train, demo, sweep and bench all do. */
final class Training {

    /** A trained network and how its training went. */
    record Trained(Network network, TrainingResult result) {}

    private Training() {
    }

    static ByteSamples samples(LabeledImages images, int classes) {
        return new ByteSamples(images.pixels(), images.labels(), images.pixelsPerImage(), classes);
    }

    static Trained train(LabeledImages train, int classes, NetworkOptions options, TrainingConfig config,
                         TrainingListener listener) {
        Network net = Network.mlp(train.pixelsPerImage(), options.hidden, classes, options.seed);
        TrainingResult result = Trainer.train(net, samples(train, classes), config, listener);
        return new Trained(net, result);
    }
}
