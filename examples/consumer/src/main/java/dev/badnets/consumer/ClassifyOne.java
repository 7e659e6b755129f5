package dev.badnets.consumer;

import dev.badnets.core.ModelFiles;
import dev.badnets.core.Network;
import dev.badnets.mnist.DataFolder;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.Mnist;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Loads a model file, classifies the first MNIST test image and prints the class and the ten
 * probabilities: the root README's "Use as a dependency" example, which CI checks word for word
 * (the lines between the README markers) and runs against the installed artifacts.
 */
public final class ClassifyOne {

    private ClassifyOne() {
    }

    public static void main(String[] args) throws IOException {
        // README:begin
        Network net = ModelFiles.load(Path.of("badnets-out/model.bin"));   // written by ./badnets train
        LabeledImages test = Mnist.load(DataFolder.resolve(null)).test();  // $BADNETS_DATA, else ~/.cache/badnets/mnist
        int size = test.pixelsPerImage();                                  // 784: 28 rows of 28 bytes 0-255
        byte[] pixels = Arrays.copyOfRange(test.pixels(), 0, size);        // the first test image

        int digit = net.predict(pixels);
        float[] probabilities = net.probabilities(pixels);                 // softmax: they sum to 1
        System.out.println("test image 0 (label " + test.label(0) + "): predicted " + digit);
        for (int c = 0; c < probabilities.length; c++) {
            System.out.printf("  %d  %.4f%n", c, probabilities[c]);
        }
        // README:end
    }
}
