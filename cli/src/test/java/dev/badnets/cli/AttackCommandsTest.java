package dev.badnets.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.badnets.attack.Attacks;
import dev.badnets.attack.PoisonManifest;
import dev.badnets.attack.PoisonedDataset;
import dev.badnets.attack.Poisoning;
import dev.badnets.attack.Triggers;
import dev.badnets.mnist.Idx;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --attack} on poison, demo, evaluate and sweep, on a small random data folder (no MNIST needed). */
class AttackCommandsTest {

    @TempDir
    static Path dir;

    static Path data;

    @BeforeAll
    static void writeData() throws IOException {
        data = RandomImages.folder(dir.resolve("data"), 400, 60, 12, 3, 1);
    }

    @Test
    void poisonWritesEachAttacksFolderWithItsAttackedTestImages() throws IOException {
        MnistData clean = Mnist.load(data);
        for (String attack : Attacks.names()) {
            Path out = dir.resolve("poison-" + attack);
            List<String> args = new java.util.ArrayList<>(List.of("poison", "--data", data.toString(), "--out",
                    out.toString(), "--attack", attack, "--poison-count", "20", "--layers", "dense8", "--threads", "1"));
            switch (attack) {
                case "trojannn" -> args.addAll(List.of("--trojan-steps", "20"));
                case "label-consistent" -> args.addAll(List.of("--lc-steps", "2"));
                case "adaptive-patch" -> args.addAll(List.of("--cover-rate", "0.05"));
                default -> { }
            }
            Cli.Run run = Cli.run(args.toArray(String[]::new));
            assertEquals(0, run.status(), attack + ": " + run);
            PoisonManifest m = PoisonedDataset.verify(out).orElseThrow();
            boolean plain = attack.equals("badnets") || attack.equals("blended");
            assertEquals(plain ? null : attack, m.attack(), attack);
            byte[] attacked = Idx.read(out.resolve(PoisonedDataset.ATTACKED_TEST_IMAGES)).bytes();
            assertArrayEquals(Poisoning.stampAll(clean.test(), Triggers.fromDescription(m.trigger(), 12, 12)).pixels(),
                    attacked, attack + ": the test images with the manifest's trigger, in order");
            if (attack.equals("sig") || attack.equals("label-consistent")) {
                assertArrayEquals(clean.train().labels(), Mnist.load(out).train().labels(), attack + " keeps labels");
            }
        }
    }

    @Test
    void demoRecordsTheAttackAndDrawsTheAmplifiedDifference() throws IOException {
        Path out = dir.resolve("demo-sig");
        Cli.Run run = Cli.succeeds("demo", "--data", data.toString(), "--out", out.toString(), "--attack", "sig",
                "--sig-delta", "30", "--poison-count", "50", "--layers", "dense8", "--threads", "1");
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals("sig", results.path("attack").path("name").asText(), results::toString);
        assertEquals(30.0, results.path("attack").path("parameters").path("delta").asDouble());
        assertEquals("sig delta=30.0 f=6.0", results.path("config").path("trigger").asText());
        BufferedImage withDifference = ImageIO.read(out.resolve("backdoor.png").toFile());

        Path plain = dir.resolve("demo-plain");
        run = Cli.run("demo", "--data", data.toString(), "--out", plain.toString(), "--poison-count", "50",
                "--layers", "dense8", "--threads", "1");
        assertEquals(0, run.status(), run::toString);
        assertFalse(new ObjectMapper().readTree(plain.resolve("results.json").toFile()).has("attack"),
                "without --attack, results.json is as before");
        BufferedImage pairs = ImageIO.read(plain.resolve("backdoor.png").toFile());
        assertTrue(withDifference.getWidth() > pairs.getWidth(), "a third image per class: the difference");
    }

    /** TrojanNN and label-consistent train a clean model first; the demo reports the experiment's training only. */
    @Test
    void demoRunsTheAttacksThatTrainACleanModelFirst() throws IOException {
        for (String[] attack : new String[][] {{"trojannn", "--trojan-steps", "10"}, {"label-consistent", "--lc-steps",
            "2"}}) {
            Path out = dir.resolve("demo-" + attack[0]);
            Cli.Run run = Cli.succeeds("demo", "--data", data.toString(), "--out", out.toString(), "--attack",
                    attack[0], attack[1], attack[2], "--poison-count", "40", "--layers", "dense8", "--threads", "1");
            assertTrue(run.out().contains("training a clean model first"), run::toString);
            JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
            assertEquals(attack[0], results.path("attack").path("name").asText(), results::toString);
        }
    }

    @Test
    void sweepVariesTheAttackAsAnAxis() throws IOException {
        Path out = dir.resolve("sweep");
        Cli.Run run = Cli.succeeds("sweep", "--data", data.toString(), "--out", out.toString(), "--attacks",
                "badnets,sig,wanet", "--poison-counts", "20", "--layers", "dense8", "--threads", "1", "--parallel", "1");
        List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
        assertTrue(csv.get(0).startsWith("poison_count,attack,clean_accuracy,"), csv.get(0));
        assertEquals(4, csv.size(), csv::toString);
        assertTrue(csv.get(1).startsWith("20,badnets,") && csv.get(2).startsWith("20,sig,")
                && csv.get(3).startsWith("20,wanet,"), csv::toString);

        Cli.Run both = Cli.run("sweep", "--data", data.toString(), "--out", dir.resolve("s2").toString(), "--attacks",
                "sig", "--attack", "sig", "--dry-run");
        assertEquals(2, both.status(), both::toString);
        assertTrue(both.err().contains("--attack and --attacks both given"), both::toString);
        Cli.Run foreign = Cli.run("sweep", "--data", data.toString(), "--out", dir.resolve("s3").toString(),
                "--attacks", "badnets,wanet", "--sig-delta", "30", "--dry-run");
        assertEquals(2, foreign.status(), foreign::toString);
        assertTrue(foreign.err().contains("--sig-delta does not apply"), foreign::toString);
        Cli.Run tooMany = Cli.run("sweep", "--data", data.toString(), "--out", dir.resolve("s4").toString(),
                "--attacks", "sig", "--poison-counts", "200", "--dry-run");
        assertEquals(2, tooMany.status(), "a clean-label attack draws from the target class only: " + tooMany);
    }

    @Test
    void evaluateMeasuresTheAttacksTriggerAndTrojanNnsComesFromTheManifest() throws IOException {
        Path out = dir.resolve("demo-wanet");
        Cli.Run run = Cli.succeeds("demo", "--data", data.toString(), "--out", out.toString(), "--attack", "wanet",
                "--poison-count", "40", "--layers", "dense8", "--threads", "1");
        Cli.Run evaluated = Cli.run("evaluate", "--model", out.resolve("model.bin").toString(), "--data",
                data.toString(), "--attack", "wanet");
        assertEquals(0, evaluated.status(), evaluated::toString);
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        String asr = String.format(java.util.Locale.ROOT, "%.2f%%", 100 * results.path("attack_success_rate").asDouble());
        assertTrue(evaluated.out().contains(asr), "evaluate measures the demo's ASR " + asr + ": " + evaluated);

        Cli.Run noManifest = Cli.run("evaluate", "--model", out.resolve("model.bin").toString(), "--data",
                data.toString(), "--attack", "trojannn");
        assertEquals(2, noManifest.status(), noManifest::toString);
        assertTrue(noManifest.err().contains("computes its trigger while poisoning"), noManifest::toString);
        Path folder = dir.resolve("poison-trojannn-eval");
        assertEquals(0, Cli.run("poison", "--data", data.toString(), "--out", folder.toString(), "--attack",
                "trojannn", "--poison-count", "20", "--layers", "dense8", "--trojan-steps", "10", "--threads", "1")
                .status());
        Cli.Run fromManifest = Cli.run("evaluate", "--model", out.resolve("model.bin").toString(), "--data",
                folder.toString(), "--attack", "trojannn");
        assertEquals(0, fromManifest.status(), fromManifest::toString);
    }
}
