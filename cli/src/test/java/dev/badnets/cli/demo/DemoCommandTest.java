package dev.badnets.cli.demo;

import dev.badnets.cli.Cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.core.Architecture;
import dev.badnets.core.ModelPreset;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo on real MNIST (BADNETS_DATA), as the README promises it. */
public class DemoCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void defaultDemoPlantsTheBackdoorAndEvaluateReproducesIt() throws IOException {
        Path mnist = Cli.mnist();
        Path out = dir.resolve("out");

        Cli.Run demo = Cli.run("demo", "--data", mnist.toString(), "--out", out.toString());

        assertEquals(0, demo.status(), demo::toString);
        assertEquals("", demo.err(), demo::toString);
        for (String expected : new String[] {"Configuration", "600 training images (1.00%) got the trigger and the label 0",
            "square size=2 value=255 position=top-left", "cnn " + Architecture.CNN + "-10 ReLU, adam lr 0.002 cosine, batch 64, "
                    + ModelPreset.CNN.epochs() + " epoch",
            "clean accuracy", "attack success rate", "all images", "Files", "results.json", "model.bin",
            "backdoor.png"}) {
            assertTrue(demo.out().contains(expected), () -> "report lacks '" + expected + "':\n" + demo);
        }

        JsonNode results = JSON.readTree(out.resolve("results.json").toFile());
        double clean = results.get("clean_accuracy").asDouble();
        double asr = results.get("attack_success_rate").asDouble();
        // Above the OWASP notebook's SimpleCNN on its own experiment (98.4-98.6% clean, 99.9% of triggered images to 0).
        assertTrue(clean >= 0.985, "clean accuracy " + clean);
        assertTrue(asr >= 0.998, "attack success rate " + asr);
        assertTrue(results.get("attack_success_rate_all_images").asDouble() >= 0.9987, results::toString);
        assertEquals(600, results.get("poisoned_count").asInt());
        assertEquals(ModelPreset.CNN.epochs(), results.get("epochs").asInt());
        assertEquals("cnn", results.get("config").get("model").asText());
        assertEquals("1x28x28", results.get("config").get("input_shape").asText());
        assertEquals(Architecture.CNN,
                String.join(",", JSON.convertValue(results.get("config").get("layers"), String[].class))
                        .replace(",flatten", "").replace(",dense10:identity", ""));
        assertEquals(9, results.get("per_class_attack_success_rate").size(), "every class but the target");
        assertTrue(results.get("train_seconds").asDouble() > 0);
        assertTrue(results.get("train_samples_per_second").asDouble() > 0);

        BufferedImage picture = ImageIO.read(out.resolve("backdoor.png").toFile());
        assertEquals(BackdoorPicture.width(10, 28, 28, false), picture.getWidth());
        assertEquals(BackdoorPicture.height(10, 28, 28), picture.getHeight());

        Path evalJson = dir.resolve("eval.json");
        Cli.Run evaluate = Cli.run("evaluate", "--model", out.resolve("model.bin").toString(),
                "--data", mnist.toString(), "--json", evalJson.toString());
        assertEquals(0, evaluate.status(), evaluate::toString);
        assertEquals(clean, JSON.readTree(evalJson.toFile()).get("clean_accuracy").asDouble(), 0.0);

        Path asrJson = dir.resolve("asr.json");
        Cli.Run withTrigger = Cli.run("evaluate", "--model", out.resolve("model.bin").toString(),
                "--data", mnist.toString(), "--trigger", "square", "--json", asrJson.toString());
        assertEquals(0, withTrigger.status(), withTrigger::toString);
        JsonNode triggered = JSON.readTree(asrJson.toFile());
        assertEquals(clean, triggered.get("clean_accuracy").asDouble(), 0.0);
        assertEquals(asr, triggered.get("attack_success_rate").asDouble(), 0.0);
    }

    /** The notebook's own network and training: 1 epoch of SimpleCNN reproduces PyTorch's result. */
    @Test
    void seedCnnForOneEpochMatchesPyTorch() throws IOException {
        Path out = dir.resolve("seed");
        Cli.Run demo = Cli.run("demo", "--data", Cli.mnist().toString(), "--out", out.toString(), "--model", "seed-cnn",
                "--epochs", "1");
        assertEquals(0, demo.status(), demo::toString);
        JsonNode results = JSON.readTree(out.resolve("results.json").toFile());
        assertTrue(results.get("clean_accuracy").asDouble() >= 0.983, results::toString);
        assertTrue(results.get("attack_success_rate").asDouble() >= 0.998, results::toString);
        assertEquals("seed-cnn", results.get("config").get("model").asText());
    }

    /** The dense network's figures are those the README has quoted since before convolutions. */
    @Test
    void mlpKeepsItsFigures() throws IOException {
        Path out = dir.resolve("mlp");
        Cli.Run demo = Cli.run("demo", "--data", Cli.mnist().toString(), "--out", out.toString(), "--model", "mlp");
        assertEquals(0, demo.status(), demo::toString);
        assertTrue(demo.out().contains("784-128-10 ReLU, adam lr 0.001, batch 64, 5 epochs, seed 1"), demo::toString);
        JsonNode results = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(0.9762, results.get("clean_accuracy").asDouble(), 0.0);
        assertEquals(0.9841, results.get("attack_success_rate").asDouble(), 5e-5);
    }

    /** A model file written before format version 2 (784-32-10, 1 epoch) evaluates as it did then: 93.13%. */
    @Test
    void aVersion1ModelFileStillEvaluatesTheSame() throws IOException {
        Path model = Path.of("..", "core", "src", "test", "resources", "dev", "badnets", "core", "mlp-784-32-10-v1.bin");
        Path json = dir.resolve("v1.json");
        Cli.Run evaluate = Cli.run("evaluate", "--model", model.toString(), "--data", Cli.mnist().toString(),
                "--json", json.toString());
        assertEquals(0, evaluate.status(), evaluate::toString);
        assertEquals(0.9313, JSON.readTree(json.toFile()).get("clean_accuracy").asDouble(), 0.0);
    }

    @Test
    void sameSeedAndThreadsGiveIdenticalResultsAndModel() throws IOException {
        Path mnist = Cli.mnist();
        // The defaults (the default CNN on all of MNIST), with the thread count pinned.
        String[] pinned = {"--threads", "2"};
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertEquals(0, Cli.run(concat("demo", "--data", mnist.toString(), "--out", a.toString(), pinned)).status());
        assertEquals(0, Cli.run(concat("demo", "--data", mnist.toString(), "--out", b.toString(), pinned)).status());

        assertEquals(withoutTimings(a), withoutTimings(b));
        assertArrayEquals(Files.readAllBytes(a.resolve("model.bin")), Files.readAllBytes(b.resolve("model.bin")));
        assertArrayEquals(Files.readAllBytes(a.resolve("backdoor.png")), Files.readAllBytes(b.resolve("backdoor.png")));
    }

    private static JsonNode withoutTimings(Path out) throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(out.resolve("results.json").toFile());
        json.remove("timings");
        json.remove("train_seconds");
        json.remove("train_samples_per_second");
        json.remove("files");   // the output folder differs by design
        return json;
    }

    private static String[] concat(String command, String d, String data, String o, String out, String[] rest) {
        String[] all = new String[5 + rest.length];
        all[0] = command;
        all[1] = d;
        all[2] = data;
        all[3] = o;
        all[4] = out;
        System.arraycopy(rest, 0, all, 5, rest.length);
        return all;
    }
}
