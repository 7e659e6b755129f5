package dev.badnets.cli;

import dev.badnets.cli.options.InputNormalizationOptions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.Architecture;
import dev.badnets.core.ModelFiles;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.Mnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX on the command line: export, reading it back by content, the normalisation flags, and refusals. */
public class OnnxCommandsTest {

    @TempDir
    Path dir;

    /** A small MNIST-layout folder of 6x6 images with random pixels. */
    private Path folder() throws IOException {
        Path folder = dir.resolve("small");
        Random random = new Random(1);
        byte[] pixels = new byte[20 * 36];
        random.nextBytes(pixels);
        byte[] labels = new byte[20];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) (i % 3);
        }
        LabeledImages set = new LabeledImages(20, 6, 6, pixels, labels);
        Mnist.write(folder, set, set);
        return folder;
    }

    @Test
    void anExportedModelPredictsAsTheOriginal() throws IOException {
        Path data = folder();
        Network net = Architecture.build(Shape.image(6, 6), "conv4x3,pool2,dense5", 3, 2);
        Path bin = dir.resolve("m.bin");
        ModelFiles.save(net, bin);
        Path onnx = dir.resolve("m.onnx");
        Cli.Run export = Cli.run("export", "--model", bin.toString(), "--out", onnx.toString(),
                "--input-mean", "0.5", "--input-std", "0.25");
        assertEquals(0, export.status(), export::toString);
        assertTrue(export.out().contains("normalize,conv4x3"), export::toString);

        Path fromBin = dir.resolve("bin.txt"), fromOnnx = dir.resolve("onnx.txt");
        Cli.Run a = Cli.run("evaluate", "--model", bin.toString(), "--data", data.toString(), "--input-mean", "0.5",
                "--input-std", "0.25", "--predictions", fromBin.toString());
        Cli.Run b = Cli.run("evaluate", "--model", onnx.toString(), "--data", data.toString(),
                "--predictions", fromOnnx.toString());
        assertEquals(0, a.status(), a::toString);
        assertEquals(0, b.status(), b::toString);
        assertEquals(20, Files.readAllLines(fromBin).size());
        assertArrayEquals(Files.readAllBytes(fromBin), Files.readAllBytes(fromOnnx));
        Cli.Run plain = Cli.run("evaluate", "--model", bin.toString(), "--data", data.toString(),
                "--predictions", dir.resolve("plain.txt").toString());
        assertEquals(0, plain.status(), plain::toString);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(fromBin), Files.readAllBytes(dir.resolve("plain.txt"))),
                "the normalisation flags must change what the model sees");
    }

    @Test
    void aBrokenOnnxFileIsOneLine() throws IOException {
        Path data = folder();
        Path onnx = dir.resolve("m.onnx");
        Cli.Run export = Cli.run("export", "--model", save(), "--out", onnx.toString());
        assertEquals(0, export.status(), export::toString);
        byte[] bytes = Files.readAllBytes(onnx);
        Path truncated = Files.write(dir.resolve("cut.model"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Cli.Run run = Cli.run("evaluate", "--model", truncated.toString(), "--data", data.toString());
        assertEquals(2, run.status(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().contains("not a valid ONNX file"), run::toString);
        assertFalse(run.err().contains("\tat "), run::toString);
    }

    @Test
    void normalisationValuesMustFitTheChannels() throws IOException {
        Cli.Run run = Cli.run("evaluate", "--model", save(), "--data", folder().toString(), "--input-mean", "0.1,0.2");
        assertEquals(2, run.status(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().contains("--input-mean/--input-std"), run::toString);
    }

    /**
     * What {@code scan --repair} writes for an ONNX model: ONNX again, with the original's input
     * name, without the normalisation the flags put in front, computing what the network computes.
     */
    @Test
    void aModelReadFromOnnxIsSavedAsOnnxWithTheSameInputContract() throws IOException {
        Network original = Architecture.build(Shape.image(6, 6), "conv2x3,dense4", 3, 3);
        Path onnx = dir.resolve("original.onnx");
        dev.badnets.onnx.OnnxWriter.write(original, null, "pixels", onnx);
        InputNormalizationOptions flags = new InputNormalizationOptions();
        flags.mean = java.util.List.of(0.2f);
        flags.std = java.util.List.of(0.5f);
        Network read = flags.apply(Models.load(onnx));
        Path repaired = dir.resolve("repaired.onnx");
        Models.saveLike(read, repaired, onnx, flags.given());

        dev.badnets.onnx.OnnxModel written = dev.badnets.onnx.OnnxReader.read(repaired);
        assertEquals("pixels", written.inputName());
        assertEquals(original.spec(), written.network().spec());
        Random random = new Random(4);
        float[] image = new float[36];
        for (int i = 0; i < image.length; i++) {
            image[i] = random.nextFloat();
        }
        assertArrayEquals(original.probabilities(image), written.network().probabilities(image));
    }

    private String save() throws IOException {
        Path bin = dir.resolve("plain.bin");
        ModelFiles.save(Architecture.build(Shape.image(6, 6), "dense4", 3, 1), bin);
        return bin.toString();
    }
}
