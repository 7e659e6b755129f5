package dev.badnets.cli.scan;

import dev.badnets.cli.Cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.badnets.core.ModelCodec;
import dev.badnets.core.Network;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code badnets strip}: bad input is one line and exit 2; on a slice of real MNIST, the contract's JSON. */
public class StripCommandTest {

    @TempDir
    Path dir;

    private static void assertOneLineUsageError(Cli.Run run, String mustMention) {
        run.assertRefused(mustMention);
        assertEquals("", run.out(), run::toString);
    }

    /** A tiny MNIST-layout folder of 4x4 images, and a model that fits it. */
    private Path smallFolder() throws IOException {
        Path folder = dir.resolve("small");
        LabeledImages set = new LabeledImages(6, 4, 4, new byte[6 * 16], new byte[] {0, 1, 2, 3, 4, 5});
        Mnist.write(folder, set, set);
        return folder;
    }

    private Path model(int inputs) throws IOException {
        Path model = dir.resolve("model-" + inputs + ".bin");
        try (OutputStream out = Files.newOutputStream(model)) {
            ModelCodec.write(Network.mlp(inputs, new int[] {8}, 10, 1), out);
        }
        return model;
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "-0.1", "1.5", "NaN"})
    void anFrrOutsideZeroToOneIsRefused(String frr) throws IOException {
        Cli.Run run = Cli.run("strip", "--model", model(16).toString(), "--data", smallFolder().toString(),
                "--frr", frr);
        assertOneLineUsageError(run, "--frr must be in (0, 1)");
    }

    @Test
    void aModelForAnotherImageSizeIsRefused() throws IOException {
        Cli.Run run = Cli.run("strip", "--model", model(784).toString(), "--data", smallFolder().toString());
        assertOneLineUsageError(run, "takes 784 inputs");
        assertTrue(run.err().contains("4x4"), run::toString);
    }

    @Test
    void aTriggerLargerThanTheImagesIsRefused() throws IOException {
        Cli.Run run = Cli.run("strip", "--model", model(16).toString(), "--data", smallFolder().toString(),
                "--trigger-size", "5");
        assertEquals(2, run.status(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().contains("4x4"), run::toString);
    }

    @Test
    void otherBadValuesAreRefused() throws IOException {
        Path model = model(16);
        Path data = smallFolder();
        assertOneLineUsageError(Cli.run("strip", "--model", model.toString(), "--data", data.toString(),
                "--target", "10"), "--target");
        assertOneLineUsageError(Cli.run("strip", "--model", model.toString(), "--data", data.toString(),
                "--perturbations", "0"), "--perturbations");
        assertOneLineUsageError(Cli.run("strip", "--model", dir.resolve("none.bin").toString(), "--data",
                data.toString()), "no model file");
        assertOneLineUsageError(Cli.run("strip", "--model", model.toString(), "--data",
                dir.resolve("nowhere").toString()), "no MNIST data");
        // The JSON may not overwrite an input.
        Cli.Run over = Cli.run("strip", "--model", model.toString(), "--data", data.toString(), "--json",
                model.toString());
        assertEquals(2, over.status(), over::toString);
    }

    @Test
    void tooFewTestImagesForTheFrrFlagNothingAndSaySo() throws IOException {
        Path json = dir.resolve("few.json");
        Cli.Run run = Cli.succeeds("strip", "--model", model(16).toString(), "--data", smallFolder().toString(),
                "--json", json.toString());
        assertTrue(run.out().contains("note: 2 calibration images are too few to promise a false rejection rate of "
                + "0.01, so nothing is flagged"), run::toString);
        JsonNode s = new ObjectMapper().readTree(json.toFile());
        assertEquals(0.0, s.get("threshold").asDouble(), 0.0);
        assertEquals(0.0, s.get("false_rejection_rate").asDouble(), 0.0);
        assertEquals(0.0, s.get("detection_rate").asDouble(), 0.0);
        assertEquals(3, s.get("clean_count").asInt());
    }

    @Test
    void helpPrintsWithoutWarnings() {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        Cli.Run run;
        try {
            System.setErr(new java.io.PrintStream(warnings, true, StandardCharsets.UTF_8));
            run = Cli.run("strip", "--help");
        } finally {
            System.setErr(saved);
        }
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().startsWith("Usage: badnets strip"), run::toString);
        assertEquals("", warnings.toString(StandardCharsets.UTF_8));
    }

    /** A backdoored mlp from demo on 6,000 training images, then strip twice: the same JSON both times. */
    @Test
    void stripWritesTheContractsKeysAndTheSameFiguresForTheSameSeed() throws IOException {
        MnistData mnist = Mnist.load(Cli.mnist());
        Path slice = dir.resolve("slice");
        Mnist.write(slice, mnist.train().slice(0, 6000), mnist.test().slice(0, 1000));
        Path out = dir.resolve("demo");
        Cli.Run demo = Cli.run("demo", "--data", slice.toString(), "--out", out.toString(), "--poison-count", "300",
                "--model", "mlp", "--hidden", "32", "--epochs", "3");
        assertEquals(0, demo.status(), demo::toString);

        Path json = dir.resolve("strip.json");
        Cli.Run run = Cli.succeeds("strip", "--model", out.resolve("model.bin").toString(), "--data", slice.toString(),
                "--json", json.toString(), "--threads", "1");
        assertTrue(run.out().contains("caught"), run::toString);
        JsonNode s = new ObjectMapper().readTree(json.toFile());
        for (String key : new String[] {"frr_requested", "false_rejection_rate", "detection_rate", "threshold",
            "triggered_count", "clean_count"}) {
            assertTrue(s.has(key), key + " in " + s);
        }
        assertEquals(0.01, s.get("frr_requested").asDouble(), 0.0);
        // 1,000 test images: 200 overlays, 400 calibration, 400 evaluation (the 2:4:4 of 10,000).
        assertEquals(400, s.get("clean_count").asInt());
        assertEquals(400, s.get("calibration_count").asInt());
        assertEquals(200, s.get("overlay_count").asInt());
        int triggered = s.get("triggered_count").asInt();
        assertTrue(triggered > 300 && triggered < 400, s::toString);
        // This small mlp's backdoor lowers the blends' entropy but far less than the cnn's (see the README).
        assertTrue(s.get("triggered_entropy").get("mean").asDouble() < s.get("clean_entropy").get("mean").asDouble(),
                s::toString);
        assertTrue(s.get("false_rejection_rate").asDouble() < 0.05, s::toString);

        Path again = dir.resolve("strip-again.json");
        assertEquals(0, Cli.run("strip", "--model", out.resolve("model.bin").toString(), "--data", slice.toString(),
                "--json", again.toString(), "--threads", "1").status());
        assertEquals(Files.readString(json), Files.readString(again));
        Path other = dir.resolve("strip-seed2.json");
        assertEquals(0, Cli.run("strip", "--model", out.resolve("model.bin").toString(), "--data", slice.toString(),
                "--json", other.toString(), "--threads", "1", "--seed", "2").status());
        assertFalse(Files.readString(json).equals(Files.readString(other)));
    }
}
