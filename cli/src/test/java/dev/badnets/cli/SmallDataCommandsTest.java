package dev.badnets.cli;

import dev.badnets.cli.demo.BackdoorPicture;
import dev.badnets.cli.sweep.SweepChart;
import dev.badnets.attack.experiment.GridCsv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.testing.RealMnist;
import dev.badnets.mnist.testing.RequiresMnist;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands on a 6,000-image slice of real MNIST (BADNETS_DATA): fast variants of what the README shows. */
@RequiresMnist
public class SmallDataCommandsTest {

    @TempDir
    static Path dir;

    static Path slice;

    /** 20,000 training images: enough for the defenses, which expect a small poisoned share per class. */
    static Path largerSlice;

    @BeforeAll
    static void writeSlice() throws IOException {
        slice = RealMnist.slice(dir.resolve("slice"), 6000, 1000);
        largerSlice = RealMnist.slice(dir.resolve("larger-slice"), 20000, 2000);
    }

    @Test
    void sweepChartsAsrAgainstPoisonCount() throws IOException {
        Path out = dir.resolve("sweep");
        Cli.Run run = Cli.succeeds("sweep", "--data", slice.toString(), "--out", out.toString(),
                "--poison-counts", "0,300", "--epochs", "3", "--hidden", "32");

        List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
        assertTrue(csv.get(0).startsWith("poison_count,clean_accuracy,attack_success_rate,attack_success_rate_all_images,"
                + "seconds,"), csv.get(0));
        assertEquals(3, csv.size(), csv::toString);
        String[] none = csv.get(1).split(",");
        String[] some = csv.get(2).split(",");
        assertEquals("0", none[0]);
        assertEquals("300", some[0]);
        assertTrue(Double.parseDouble(none[2]) < 0.1, "no poison, no backdoor: " + csv);
        assertTrue(Double.parseDouble(some[2]) > 0.5, "300 poisoned images plant it: " + csv);
        BufferedImage png = ImageIO.read(out.resolve("sweep.png").toFile());
        assertEquals(SweepChart.WIDTH, png.getWidth());
        assertEquals(SweepChart.HEIGHT, png.getHeight());
    }

    /** bench on the slice with one thread and the network flags {@code network}, its figures in dir/{@code json}. */
    private static Cli.Run bench(String json, String... network) {
        List<String> args = new ArrayList<>(List.of("bench", "--data", slice.toString(), "--threads", "1", "--json",
                dir.resolve(json).toString()));
        args.addAll(List.of(network));
        return Cli.succeeds(args.toArray(String[]::new));
    }

    @Test
    void benchCountsTheFlopsOfEveryLayerKind() throws IOException {
        bench("bench-cnn.json", "--layers", "conv4x3,pool2,dense8");
        JsonNode b = new ObjectMapper().readTree(dir.resolve("bench-cnn.json").toFile());
        // multiply-adds per sample: conv 28x28 outputs x 9 inputs x 4 filters, pooling none, dense 14*14*4 x 8, 8 x 10
        long conv = 28 * 28 * 9 * 4;
        long macs = conv + 14 * 14 * 4 * 8 + 8 * 10;
        assertEquals(6.0 * macs, b.get("flops_per_sample").asDouble(), 0.0);
        double skipped = b.get("skipped_multiply_adds_per_sample").asDouble();
        assertEquals(6.0 * macs - 2.0 * conv - 2.0 * skipped, b.get("executed_flops_per_sample").asDouble(), 1e-6,
                "no input gradient for the first conv, and no multiply-adds by all-zero inputs");
        assertEquals("custom", b.get("model").asText());
        assertEquals("[\"conv4x3\",\"pool2\",\"flatten\",\"dense8\",\"dense10:identity\"]", b.get("layers").toString());
    }

    @Test
    void benchReportsThroughputAndFlops() throws IOException {
        Cli.Run run = bench("bench.json", "--model", "mlp");
        assertTrue(run.out().contains("train_samples_per_second"), run::toString);
        JsonNode b = new ObjectMapper().readTree(dir.resolve("bench.json").toFile());
        double sps = b.get("train_samples_per_second").asDouble();
        assertTrue(sps > 0);
        assertEquals(1, b.get("epochs").asInt());
        assertEquals(6.0 * (784 * 128 + 128 * 10), b.get("flops_per_sample").asDouble(), 0.0);
        assertEquals(sps * b.get("flops_per_sample").asDouble() / 1e9, b.get("gflops").asDouble(), 1e-9);
        // The first layer's input gradient is never computed: 2 FLOPs per first-layer weight less; and
        // the SIMD products skip the steps where a block of digits has black pixels only (most of
        // the first layer's forward product and weight gradient).
        double skipped = b.get("skipped_multiply_adds_per_sample").asDouble();
        assertTrue(skipped > 0.3 * 2 * 784 * 128 && skipped < 2 * 784 * 128, "skipped " + skipped + " multiply-adds per sample");
        assertEquals(6.0 * (784 * 128 + 128 * 10) - 2.0 * 784 * 128 - 2.0 * skipped,
                b.get("executed_flops_per_sample").asDouble(), 1e-6);
        assertEquals(100.0, b.get("peak_gflops").asDouble(), 0.0, "one core used");
        assertEquals(b.get("executed_gflops").asDouble() / b.get("peak_gflops").asDouble(),
                b.get("share_of_peak").asDouble(), 1e-12);
        // one epoch: its median is the epoch itself
        double trainImages = sps * b.get("train_seconds").asDouble();
        assertEquals(trainImages / b.get("timings").get("epoch_seconds").get(0).asDouble(),
                b.get("median_epoch_samples_per_second").asDouble(), 1e-6 * sps);
    }

    @Test
    void benchReportsTheMedianEpoch() throws IOException {
        Cli.Run run = bench("bench3.json", "--model", "mlp", "--hidden", "16", "--epochs", "3");
        assertTrue(run.out().contains("median epoch"), run::toString);
        JsonNode b = new ObjectMapper().readTree(dir.resolve("bench3.json").toFile());
        double[] seconds = new double[3];
        for (int e = 0; e < 3; e++) {
            seconds[e] = b.get("timings").get("epoch_seconds").get(e).asDouble();
        }
        java.util.Arrays.sort(seconds);
        double perEpoch = b.get("train_samples_per_second").asDouble() * b.get("train_seconds").asDouble() / 3;
        assertEquals(perEpoch / seconds[1], b.get("median_epoch_samples_per_second").asDouble(),
                1e-6 * b.get("median_epoch_samples_per_second").asDouble());
    }

    @Test
    void demoAllToAllByRate() throws IOException {
        Path out = dir.resolve("a2a");
        Cli.Run run = Cli.succeeds("demo", "--data", slice.toString(), "--out", out.toString(), "--mode", "all-to-all",
                "--poison-rate", "0.1", "--epochs", "3", "--hidden", "32");

        assertTrue(run.out().contains("600 training images (10.00%) got the trigger and the label of the next class"),
                run::toString);
        assertFalse(run.out().contains("all images"), "all-to-all has no separate all-images figure");
        JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals(600, json.get("poisoned_count").asInt());
        assertEquals(0.1, json.get("config").get("poison_rate").asDouble(), 0.0);
        assertEquals("all-to-all", json.get("config").get("mode").asText());
        assertEquals(10, json.get("per_class_attack_success_rate").size(), "every class counts in all-to-all");
    }

    @Test
    void poisonWritesAFolderThatTrainAndEvaluateRead() throws IOException {
        Path poisoned = dir.resolve("poisoned");
        Cli.Run poison = Cli.run("poison", "--data", slice.toString(), "--out", poisoned.toString(),
                "--poison-count", "300", "--trigger-size", "3");
        assertEquals(0, poison.status(), poison::toString);
        assertTrue(Files.exists(poisoned.resolve("manifest.json")));
        MnistData written = Mnist.load(poisoned);
        assertEquals(6000, written.train().count());

        Path model = dir.resolve("poisoned-model.bin");
        Path trainJson = dir.resolve("train.json");
        Cli.Run train = Cli.run("train", "--data", poisoned.toString(), "--out", model.toString(),
                "--epochs", "3", "--hidden", "32", "--json", trainJson.toString());
        assertEquals(0, train.status(), train::toString);
        assertEquals(3, train.out().lines().filter(l -> l.startsWith("epoch ")).count(), train::toString);
        JsonNode t = new ObjectMapper().readTree(trainJson.toFile());
        for (String key : new String[] {"clean_accuracy", "epochs", "train_seconds", "train_samples_per_second"}) {
            assertTrue(t.has(key), key);
        }

        Path evalJson = dir.resolve("eval-poisoned.json");
        Cli.Run evaluate = Cli.run("evaluate", "--model", model.toString(), "--data", slice.toString(),
                "--trigger-size", "3", "--json", evalJson.toString());
        assertEquals(0, evaluate.status(), evaluate::toString);
        JsonNode e = new ObjectMapper().readTree(evalJson.toFile());
        assertTrue(e.get("attack_success_rate").asDouble() > 0.5, e::toString);
        assertEquals(t.get("clean_accuracy").asDouble(), e.get("clean_accuracy").asDouble(), 0.0);
    }

    /** Runs demo with {@code --defend method} on the larger slice into {@code dir/out}; its results.json. */
    private static JsonNode demoDefended(String out, String method) throws IOException {
        Path folder = dir.resolve(out);
        Cli.Run run = Cli.succeeds("demo", "--data", largerSlice.toString(), "--out", folder.toString(),
                "--poison-count", "200", "--defend", method, "--model", "mlp");
        assertTrue(run.out().contains("Defense: " + method), run::toString);
        return new ObjectMapper().readTree(folder.resolve("results.json").toFile());
    }

    @Test
    void demoDefendRemovesMostPoisonAndTheBackdoor() throws IOException {
        JsonNode json = demoDefended("defend", "spectre");
        JsonNode d = json.get("defense");
        for (String key : new String[] {"method", "flagged_count", "precision", "recall", "clean_accuracy_after",
            "attack_success_rate_after"}) {
            assertTrue(d.has(key), key + " in " + d);
        }
        assertEquals("spectre", d.get("method").asText());
        assertEquals(0.01, d.get("expected_rate").asDouble(), 1e-12, "the share actually poisoned");
        assertTrue(d.get("recall").asDouble() > 0.8, d::toString);
        // backdoor.png gains a third image per class: the triggered digit as the repaired model sees it.
        java.awt.image.BufferedImage picture = javax.imageio.ImageIO.read(dir.resolve("defend").resolve("backdoor.png")
                .toFile());
        assertEquals(BackdoorPicture.width(10, 28, 28, true), picture.getWidth());
        assertTrue(d.get("attack_success_rate_after").asDouble() < json.get("attack_success_rate").asDouble() / 2,
                json::toString);
    }

    @Test
    void detectScoresAPoisonedFolderAgainstItsManifest() throws IOException {
        Path poisoned = dir.resolve("to-detect");
        assertEquals(0, Cli.run("poison", "--data", largerSlice.toString(), "--out", poisoned.toString(),
                "--poison-count", "200").status());
        Path model = dir.resolve("to-detect.bin");
        assertEquals(0, Cli.run("train", "--data", poisoned.toString(), "--out", model.toString(),
                "--model", "mlp", "--epochs", "5").status());

        Path clean = dir.resolve("cleaned");
        Path json = dir.resolve("detect.json");
        Cli.Run run = Cli.succeeds("detect", "--model", model.toString(), "--data", poisoned.toString(),
                "--expected-rate", "0.01", "--write-clean", clean.toString(), "--json", json.toString());

        JsonNode d = new ObjectMapper().readTree(json.toFile());
        int flagged = d.get("flagged_count").asInt();
        assertTrue(flagged > 0, d::toString);
        assertEquals(200, d.get("poisoned_count").asInt());
        assertTrue(d.get("recall").asDouble() > 0.8, d::toString);
        assertEquals(20000 - flagged, Mnist.load(clean).train().count());
    }

    @Test
    void scanFindsTheBackdoorDrawsItAndUnlearnsIt() throws IOException {
        Path demo = dir.resolve("to-scan");
        assertEquals(0, Cli.run("demo", "--data", largerSlice.toString(), "--out", demo.toString(),
                "--poison-count", "200", "--model", "mlp").status());
        Path out = dir.resolve("scan");
        Path json = dir.resolve("scan-copy.json");
        Cli.Run run = Cli.succeeds("scan", "--model", demo.resolve("model.bin").toString(), "--data",
                largerSlice.toString(), "--samples", "500", "--steps", "300", "--out", out.toString(),
                "--json", json.toString(), "--repair", "unlearn", "--repair-samples", "5000", "--trigger", "square");

        assertTrue(run.out().contains("backdoor found: class 0"), run::toString);
        assertTrue(run.out().contains("threshold 2.0"), run::toString);
        JsonNode scan = new ObjectMapper().readTree(out.resolve("scan.json").toFile());
        assertEquals(scan, new ObjectMapper().readTree(json.toFile()));
        assertEquals("[0]", scan.get("flagged_classes").toString());
        assertEquals(10, scan.get("classes").size());
        JsonNode zero = scan.get("classes").get(0);
        assertTrue(zero.get("flagged").asBoolean());
        assertEquals(784, zero.get("mask").size());
        assertEquals(784, zero.get("pattern").size());
        for (String key : new String[] {"class", "mask_l1", "attack_success", "anomaly_index", "max_margin"}) {
            assertTrue(zero.has(key), key);
        }
        JsonNode detectors = scan.get("detectors");
        assertEquals(2.0, detectors.get("neural_cleanse").get("threshold").asDouble());
        assertEquals(10, detectors.get("mm_bd").get("max_margins").size());
        assertEquals(0.05, detectors.get("mm_bd").get("threshold").asDouble());
        assertTrue(scan.get("timings").get("max_margin_seconds").asDouble() > 0, scan::toString);
        JsonNode repair = scan.get("repair");
        assertTrue(repair.get("attack_success_rate_before").asDouble() > 0.9, repair::toString);
        assertTrue(repair.get("attack_success_rate_after").asDouble() < 0.2, repair::toString);
        assertTrue(repair.get("clean_accuracy_after").asDouble() > repair.get("clean_accuracy_before").asDouble() - 0.02,
                repair::toString);
        assertTrue(Files.isRegularFile(out.resolve("repaired.bin")));
        BufferedImage png = ImageIO.read(out.resolve("scan.png").toFile());
        assertTrue(png.getWidth() > 1000 && png.getHeight() > 400, png.getWidth() + "x" + png.getHeight());
    }

    @Test
    void demoDefendNeuralCleanseReportsTheFlaggedClassAndTheUnlearnedModel() throws IOException {
        JsonNode json = demoDefended("defend-nc", "neural-cleanse");
        JsonNode d = json.get("defense");
        assertEquals("neural-cleanse", d.get("method").asText());
        assertEquals(0, d.get("flagged_class").asInt(), d::toString);
        assertTrue(d.get("anomaly_index").asDouble() > 2, d::toString);
        assertFalse(d.has("precision") || d.has("expected_rate"), d::toString);
        assertTrue(d.get("attack_success_rate_after").asDouble() < json.get("attack_success_rate").asDouble() / 2,
                json::toString);
        assertTrue(d.get("clean_accuracy_after").asDouble() > json.get("clean_accuracy").asDouble() - 0.02,
                json::toString);
    }

    @Test
    void demoDefendStripCatchesTriggeredImagesAndLeavesTheModelAsItIs() throws IOException {
        Path out = dir.resolve("defend-strip");
        Cli.Run run = Cli.succeeds("demo", "--data", slice.toString(), "--out", out.toString(),
                "--poison-count", "300", "--defend", "strip", "--model", "mlp", "--epochs", "3");

        assertTrue(run.out().contains("Defense: strip"), run::toString);
        assertTrue(run.out().contains("of the triggered test images, at "), run::toString);
        JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        JsonNode d = json.get("defense");
        assertEquals("strip", d.get("method").asText());
        double caught = d.get("detection_rate").asDouble();
        double rejected = d.get("false_rejection_rate").asDouble();
        assertTrue(caught > 0.5 && rejected < 0.05, d::toString);
        assertTrue(d.get("threshold").asDouble() > 0, d::toString);
        assertFalse(d.has("precision") || d.has("expected_rate") || d.has("flagged_class"), d::toString);
        // STRIP screens inputs: the model after the defense is the model itself
        assertEquals(json.get("clean_accuracy").asDouble(), d.get("clean_accuracy_after").asDouble());
        assertEquals(json.get("attack_success_rate").asDouble(), d.get("attack_success_rate_after").asDouble());
        assertEquals(0, d.get("retrained_on").asInt());
        assertTrue(json.get("attack_success_rate").asDouble() > 0.5, json::toString);
    }

    @Test
    void sweepDefendStripFillsTheDetectionColumns() throws IOException {
        Path out = dir.resolve("sweep-strip");
        Cli.Run run = Cli.succeeds("sweep", "--data", slice.toString(), "--out", out.toString(),
                "--poison-counts", "300", "--epochs", "3", "--hidden", "32", "--defend", "none,strip");

        GridCsv.Table table = new GridCsv("sweep").read(out.resolve("sweep.csv"));
        assertEquals(2, table.rows().size(), table::toString);
        Map<String, String> none = table.rows().get(0);
        Map<String, String> strip = table.rows().get(1);
        assertEquals("none", none.get("defend"));
        assertEquals("", none.get("detection_rate"));
        assertEquals("strip", strip.get("defend"));
        assertEquals("", strip.get("recall")); // a model defense flags no training images
        assertTrue(Double.parseDouble(strip.get("detection_rate")) > Double.parseDouble(
                strip.get("false_rejection_rate")), strip::toString);
        assertEquals(strip.get("attack_success_rate"), strip.get("attack_success_rate_after"));
    }
}
