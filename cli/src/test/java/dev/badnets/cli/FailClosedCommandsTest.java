package dev.badnets.cli;

import dev.badnets.cli.serve.ServeCommand;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.Activation;
import dev.badnets.core.Architecture;
import dev.badnets.core.Layer;
import dev.badnets.core.Loss;
import dev.badnets.core.ModelFiles;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.Mnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands fail closed on a broken model and on data too poor for a method: exit 2 and one line
 * naming the problem, never a figure or a "no backdoor found" computed from NaN. Synthetic data (random
 * 28x28 images), so these run without MNIST.
 */
@Timeout(300)
public class FailClosedCommandsTest {

    @TempDir
    static Path dir;

    static Path data;
    static Path oneClass;
    static Path overflowing;
    static Path fine;

    /** {@code n} random 28x28 images, labels cycling through {@code classes}. */
    public static LabeledImages images(int n, int classes, long seed) {
        byte[] pixels = new byte[n * 784];
        new SplittableRandom(seed).nextBytes(pixels);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % classes);
        }
        return new LabeledImages(n, 28, 28, pixels, labels);
    }

    @BeforeAll
    static void writeDataAndModels() throws IOException {
        data = dir.resolve("data");
        Mnist.write(data, images(300, 10, 1), images(100, 10, 2));
        oneClass = dir.resolve("one-class");
        Mnist.write(oneClass, images(300, 1, 3), images(100, 1, 4));
        Network net = Architecture.build(Shape.image(28, 28), "dense16", 10, 1);
        fine = dir.resolve("fine.bin");
        ModelFiles.save(net, fine);
        for (Layer layer : net.layers()) {
            for (Layer.Parameter p : layer.parameters()) {
                float[] v = p.value().data;
                for (int i = 0; i < v.length; i++) {
                    v[i] = i % 2 == 0 ? 3e38f : -3e38f; // finite, so the file is valid; every output overflows
                }
            }
        }
        overflowing = dir.resolve("overflowing.bin");
        ModelFiles.save(net, overflowing);
    }

    /** A version 2 model file: "BDNT", the header's ints, {@code floats} zero parameters, the checksum. */
    static byte[] model(int[] header, int floats) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        java.io.DataOutputStream out = new java.io.DataOutputStream(new java.util.zip.CheckedOutputStream(bytes, crc));
        out.writeBytes("BDNT");
        for (int v : header) {
            out.writeInt(v);
        }
        out.write(new byte[4 * floats]);
        out.flush();
        new java.io.DataOutputStream(bytes).writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }

    private static void assertRefused(Cli.Run run, String says) {
        assertEquals(2, run.status(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().startsWith("badnets: ") && run.err().contains(says), run::toString);
    }

    @Test
    void everyCommandRefusesAModelWhoseOutputsAreNotFinite() throws Exception {
        String m = overflowing.toString();
        String d = data.toString();
        assertRefused(Cli.run("evaluate", "--model", m, "--data", d), "overflows");
        assertRefused(Cli.run("evaluate", "--model", m, "--data", d, "--trigger", "square"), "overflows");
        assertRefused(Cli.run("scan", "--model", m, "--data", d, "--samples", "50", "--steps", "5",
                "--out", dir.resolve("scan-nan").toString()), "overflows");
        assertRefused(Cli.run("strip", "--model", m, "--data", d, "--perturbations", "4"), "overflows");
        assertRefused(Cli.run("detect", "--model", m, "--data", d, "--expected-rate", "0.05"), "overflows");
        // serve loads its models before it binds: the model is refused, the server never starts
        picocli.CommandLine cli = BadnetsCli.commandLine();
        cli.parseArgs("serve", "--model", m);
        ServeCommand serve = (ServeCommand) cli.getSubcommands().get("serve").getCommand();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> serve.loaded("backdoored", overflowing, null, null, null, null));
        assertTrue(e.getMessage().contains("overflows"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("scan-nan")), "nothing written");
    }

    @Test
    void scanAndItsRepairRefuseADataFolderOfOneClass() {
        assertRefused(Cli.run("scan", "--model", fine.toString(), "--data", oneClass.toString(), "--samples", "50",
                "--steps", "5", "--repair", "unlearn", "--out", dir.resolve("scan-one").toString()),
                "at least 2 classes");
    }

    @Test
    void stripRefusesAModelTrainedWithMeanSquaredError() throws IOException {
        Network mse = Network.create(new int[] {784, 16, 10}, Activation.RELU, Activation.IDENTITY,
                Loss.MEAN_SQUARED_ERROR, 1);
        Path file = dir.resolve("mse.bin");
        ModelFiles.save(mse, file);
        assertRefused(Cli.run("strip", "--model", file.toString(), "--data", data.toString(), "--perturbations", "4"),
                "softmax");
    }

    @Test
    void aThreadCountBeyondTheBoundIsRefusedWithTheBound() {
        assertRefused(Cli.run("evaluate", "--model", fine.toString(), "--data", data.toString(), "--threads", "100000"),
                "--threads must be in [1, 1024], got 100000");
    }

    @Test
    void aModelTooLargeForOneSampleIsRefusedWithoutAdvisingAFlagEvaluateLacks() throws IOException {
        // conv 300000 filters, then a conv whose one-sample im2col matrix would hold 784 x 9 x 300000 floats
        int filters = 300_000;
        int floats = (9 + 1) * filters + (9 * filters + 1) + (784 + 1) * 10;
        byte[] file = model(new int[] {2, 0, 1, 28, 28, 4,
            2, filters, 3, 1, 1, 1, 2, 1, 3, 1, 1, 1, 4, 1, 10, 0}, floats);
        Path model = dir.resolve("huge.bin");
        Files.write(model, file);
        Cli.Run run = Cli.run("evaluate", "--model", model.toString(), "--data", data.toString());
        assertEquals(2, run.status(), run::toString);
        assertFalse(run.err().contains("--help") || run.err().contains("smaller batch"), run::toString);
        assertTrue(run.err().contains("floats of buffers"), run::toString);
    }
}
