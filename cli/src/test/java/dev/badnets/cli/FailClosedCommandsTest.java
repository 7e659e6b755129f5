package dev.badnets.cli;

import dev.badnets.cli.options.InputNormalizationOptions;
import dev.badnets.cli.serve.ServedModels;

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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @BeforeAll
    static void writeDataAndModels() throws IOException {
        data = RandomImages.folder(dir.resolve("data"), 300, 100);
        oneClass = RandomImages.folder(dir.resolve("one-class"), 300, 100, 28, 1, 3);
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

    @Test
    void everyCommandRefusesAModelWhoseOutputsAreNotFinite() throws Exception {
        String m = overflowing.toString();
        String d = data.toString();
        Cli.run("evaluate", "--model", m, "--data", d).assertRefused("overflows");
        Cli.run("evaluate", "--model", m, "--data", d, "--trigger", "square").assertRefused("overflows");
        Cli.run("scan", "--model", m, "--data", d, "--samples", "50", "--steps", "5",
                "--out", dir.resolve("scan-nan").toString()).assertRefused("overflows");
        Cli.run("strip", "--model", m, "--data", d, "--perturbations", "4").assertRefused("overflows");
        Cli.run("detect", "--model", m, "--data", d, "--expected-rate", "0.05").assertRefused("overflows");
        // serve loads its models before it binds: the model is refused, the server never starts
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServedModels.loaded("backdoored", overflowing, null, null, null, null,
                        new InputNormalizationOptions()));
        assertTrue(e.getMessage().contains("overflows"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("scan-nan")), "nothing written");
    }

    @Test
    void scanAndItsRepairRefuseADataFolderOfOneClass() {
        Cli.run("scan", "--model", fine.toString(), "--data", oneClass.toString(), "--samples", "50",
                "--steps", "5", "--repair", "unlearn", "--out", dir.resolve("scan-one").toString()).assertRefused("at least 2 classes");
    }

    @Test
    void stripRefusesAModelTrainedWithMeanSquaredError() throws IOException {
        Network mse = Network.create(new int[] {784, 16, 10}, Activation.RELU, Activation.IDENTITY,
                Loss.MEAN_SQUARED_ERROR, 1);
        Path file = dir.resolve("mse.bin");
        ModelFiles.save(mse, file);
        Cli.run("strip", "--model", file.toString(), "--data", data.toString(), "--perturbations", "4").assertRefused("softmax");
    }

    @Test
    void aThreadCountBeyondTheBoundIsRefusedWithTheBound() {
        Cli.run("evaluate", "--model", fine.toString(), "--data", data.toString(), "--threads", "100000").assertRefused("--threads must be in [1, 1024], got 100000");
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
