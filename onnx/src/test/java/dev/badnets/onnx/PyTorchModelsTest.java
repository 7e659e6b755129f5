package dev.badnets.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.badnets.core.ByteSamples;
import dev.badnets.core.Evaluator;
import dev.badnets.core.ModelFiles;
import dev.badnets.core.Network;
import dev.badnets.core.Normalization;
import dev.badnets.core.Shape;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.testing.RealMnist;
import dev.badnets.mnist.testing.RequiresMnist;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models trained and exported by PyTorch 1.13 ({@code bench/pytorch/onnx_models.py}, kept small as
 * fixtures: a SimpleCNN; a network with batch norm, a strided convolution, padded average pooling
 * and dropout; an MLP): read as ONNX with the input normalisation of {@code --input-mean 0.1307
 * --input-std 0.3081}, each predicts exactly PyTorch's class on every one of the 10,000 MNIST test
 * images (PyTorch's predictions are committed beside each model).
 */
@RequiresMnist
class PyTorchModelsTest {

    private static LabeledImages test;

    @BeforeAll
    static void load() throws IOException {
        if (!RealMnist.isPresent()) {
            return; // RequiresMnist skips every test, naming the reason
        }
        test = RealMnist.load().test();
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple-cnn", "bn-cnn", "mlp"})
    void predictionsEqualPyTorchsOnEveryTestImage(String name, @org.junit.jupiter.api.io.TempDir Path tmp)
            throws IOException {
        Path file = tmp.resolve(name + ".model"); // no .onnx: ModelFiles recognises the content
        try (InputStream in = getClass().getResourceAsStream("pytorch/" + name + ".onnx")) {
            Files.copy(in, file);
        }
        Network net = Normalization.prepend(ModelFiles.load(file), new float[] {0.1307f}, new float[] {0.3081f});
        int[] ours = Evaluator.predict(net, new ByteSamples(test.pixels(), test.labels(),
                Shape.image(test.rows(), test.cols()), 10));
        String[] lines;
        try (InputStream in = getClass().getResourceAsStream("pytorch/" + name + ".predictions.txt")) {
            lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\n");
        }
        assertEquals(test.count(), lines.length);
        int differ = 0;
        for (int i = 0; i < lines.length; i++) {
            differ += Integer.parseInt(lines[i].trim()) == ours[i] ? 0 : 1;
        }
        assertEquals(0, differ, name + ": predictions that differ from PyTorch's, of " + lines.length);
    }
}
