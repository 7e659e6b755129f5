package dev.badnets.examples;

import dev.badnets.attack.ImageSamples;

import dev.badnets.core.Evaluator;
import dev.badnets.core.Network;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingListener;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import java.nio.file.Path;

/** Trains a 784-128-10 classifier on any MNIST-layout folder and prints its test accuracy. */
public final class TrainClassifier {

    private TrainClassifier() {
    }

    /** Usage: {@code TrainClassifier DATA_DIR [EPOCHS]}. */
    public static void main(String[] args) throws Exception {
        double accuracy = train(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 5);
        System.out.printf("test accuracy %.2f%%%n", 100 * accuracy);
    }

    /** Trains with the project's defaults (Adam, lr 0.001, batch 64, seed 1) and returns test accuracy. */
    public static double train(Path dataDir, int epochs) throws Exception {
        MnistData data = Mnist.load(dataDir);
        Network net = Network.mlp(data.train().pixelsPerImage(), new int[] {128}, data.classes(), 1);
        TrainingConfig config = TrainingConfig.defaults().withEpochs(epochs);
        Trainer.train(net, ImageSamples.of(data.train(), data.classes()), config, TrainingListener.NONE);
        return Evaluator.evaluate(net, ImageSamples.of(data.test(), data.classes())).accuracy();
    }

}
