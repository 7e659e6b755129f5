package dev.badnets.cli.options;

import dev.badnets.cli.Errors;
import dev.badnets.cli.Models;

import dev.badnets.core.Network;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.MnistLayout;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A saved model and the data folder a command measures it on ({@code evaluate}, {@code scan},
 * {@code strip}, {@code detect}), read in that order and checked to fit each other.
 *
 * @param net   the model, with the normalisation of {@code --input-mean}/{@code --input-std} in front
 * @param mnist the data folder's images
 */
public record ModelOnData(Network net, MnistData mnist) {

    /**
     * Reads {@code model} with {@code normalization} in front, then the data folder {@code folder} whose
     * headers {@link DataOptions#inspect} read into {@code layout}; refuses a model that does not take
     * the folder's images or knows fewer classes (exit 2).
     */
    public static ModelOnData load(Path model, InputNormalizationOptions normalization, Path folder,
                                   MnistLayout layout) throws IOException {
        Errors.doing("reading the model " + model);
        Network net = normalization.apply(Models.load(model));
        MnistData mnist = DataOptions.load(layout);
        Models.checkFits(net, model, mnist.test().rows(), mnist.test().cols(), mnist.classes(), folder);
        return new ModelOnData(net, mnist);
    }
}
