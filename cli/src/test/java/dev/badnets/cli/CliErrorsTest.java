package dev.badnets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.ModelCodec;
import dev.badnets.core.Network;
import dev.badnets.mnist.Idx;
import dev.badnets.mnist.IdxArray;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.Mnist;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every kind of bad input: one line naming the problem and the fix, exit 2, no stack trace. */
public class CliErrorsTest {

    @TempDir
    Path dir;

    private static void assertOneLineUsageError(Cli.Run run, String mustMention) {
        run.assertRefused(mustMention);
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), run::toString);
        assertEquals("", run.out(), run::toString);
    }

    /** A tiny MNIST-layout folder of 4x4 images. */
    private Path smallFolder() throws IOException {
        Path folder = dir.resolve("small");
        byte[] pixels = new byte[3 * 16];
        LabeledImages set = new LabeledImages(3, 4, 4, pixels, new byte[] {0, 1, 2});
        Mnist.write(folder, set, set);
        return folder;
    }

    @Test
    void unknownFlag() {
        assertOneLineUsageError(Cli.run("demo", "--bogus"), "--bogus");
    }

    @Test
    void unknownCommand() {
        assertOneLineUsageError(Cli.run("frobnicate"), "frobnicate");
    }

    @Test
    void flagWithoutNumber() {
        assertOneLineUsageError(Cli.run("train", "--out", "m.bin", "--epochs", "many"), "many");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--epochs=0", "--batch=0", "--lr=-1", "--threads=0", "--hidden=0",
        "--trigger-size=0", "--trigger-value=300", "--alpha=2", "--poison-rate=1.5", "--poison-count=-3",
        "--optimizer=rmsprop", "--position=middle", "--trigger=star", "--mode=some-to-some", "--backend=gpu",
        "--defend=magic", "--expected-rate=0.7", "--lr-schedule=linear"})
    void outOfRangeValuesAreRefusedBeforeAnyWork(String flag) throws IOException {
        String name = flag.substring(0, flag.indexOf('='));
        Cli.Run run = Cli.run("demo", "--data", smallFolder().toString(), "--out", dir.resolve("o").toString(), flag);
        assertEquals(2, run.status(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().startsWith("badnets: ") && run.err().contains("; "), run::toString);
        assertTrue(run.err().contains(name) || run.err().contains(flag.substring(flag.indexOf('=') + 1)),
                run::toString);
        assertFalse(Files.exists(dir.resolve("o").resolve("results.json")));
    }

    /**
     * Every numeric flag of every attack, just outside its range, as not a number or as the wrong kind of
     * number: exit 2 with one line naming the flag, before any work (on demo and on poison).
     */
    @ParameterizedTest
    @ValueSource(strings = {"sig --sig-delta=0", "sig --sig-delta=256", "sig --sig-delta=NaN", "sig --sig-frequency=-1",
        "sig --sig-test-delta=256", "sig --sig-test-delta=-1", "sig --sig-frequency=1e9", "sig --sig-frequency=Infinity", "wanet --wanet-k=1", "wanet --wanet-k=4.5",
        "wanet --wanet-k=65", "wanet --wanet-s=-0.1", "wanet --wanet-s=101", "wanet --wanet-grid-rescale=0",
        "wanet --wanet-grid-rescale=2.5", "wanet --wanet-cross-ratio=-1", "wanet --wanet-cross-ratio=11",
        "trojannn --trojan-size=0", "trojannn --trojan-size=65", "trojannn --trojan-neurons=0",
        "trojannn --trojan-neurons=2.5", "trojannn --trojan-target-value=0", "trojannn --trojan-target-value=1e5",
        "trojannn --trojan-steps=0", "trojannn --trojan-steps=10001", "label-consistent --lc-epsilon=-1",
        "label-consistent --lc-epsilon=256", "label-consistent --lc-steps=0", "label-consistent --lc-steps=1001",
        "label-consistent --lc-amplitude=0", "label-consistent --lc-amplitude=1.5", "label-consistent --lc-models=0",
        "label-consistent --lc-models=9", "label-consistent --lc-models=1.5", "label-consistent --lc-robust-epsilon=-1",
        "label-consistent --lc-robust-epsilon=256", "label-consistent --lc-robust-epsilon=NaN", "adaptive-patch --cover-rate=-0.1",
        "adaptive-patch --cover-rate=0.6", "adaptive-patch --cover-rate=NaN"})
    void anAttacksOutOfRangeValueIsRefusedNamingItsFlag(String attackAndFlag) throws IOException {
        String attack = attackAndFlag.substring(0, attackAndFlag.indexOf(' '));
        String flag = attackAndFlag.substring(attack.length() + 1);
        String name = flag.substring(0, flag.indexOf('='));
        for (String command : new String[] {"demo", "poison"}) {
            Cli.Run run = Cli.run(command, "--data", smallFolder().toString(), "--out", dir.resolve("o").toString(),
                    "--attack", attack, flag);
            assertOneLineUsageError(run, name);
            assertFalse(Files.exists(dir.resolve("o").resolve(command.equals("demo") ? "results.json"
                    : "manifest.json")), "nothing written");
        }
    }

    @Test
    void anAttacksFlagWithAnotherAttackOrAnUnknownAttackIsRefused() throws IOException {
        assertOneLineUsageError(Cli.run("demo", "--data", smallFolder().toString(), "--out",
                dir.resolve("o").toString(), "--attack", "sig", "--wanet-k", "4"), "--wanet-k does not apply to --attack sig");
        assertOneLineUsageError(Cli.run("demo", "--data", smallFolder().toString(), "--out",
                dir.resolve("o").toString(), "--wanet-k", "4"), "--wanet-k does not apply to --attack badnets");
        assertOneLineUsageError(Cli.run("poison", "--data", smallFolder().toString(), "--out",
                dir.resolve("o").toString(), "--attack", "sigg"), "unknown attack 'sigg'");
        assertOneLineUsageError(Cli.run("poison", "--data", smallFolder().toString(), "--out",
                dir.resolve("o").toString(), "--attack", "blended", "--trigger", "pixel"), "--attack blended");
    }

    /** Model defenses flag no training images, so a share of them to suspect means nothing: exit 2 before any work. */
    @ParameterizedTest
    @ValueSource(strings = {"neural-cleanse", "strip"})
    void anExpectedRateWithAModelDefenseIsRefused(String method) throws IOException {
        Cli.Run run = Cli.run("demo", "--data", smallFolder().toString(), "--out", dir.resolve("o").toString(),
                "--defend", method, "--expected-rate", "0.01");
        assertOneLineUsageError(run, "--expected-rate is for defenses that flag training images, not " + method);
        assertFalse(Files.exists(dir.resolve("o").resolve("results.json")));
    }

    /** The libraries' messages name no flag (LibraryMessagesTest); the command line's do. */
    @ParameterizedTest
    @ValueSource(strings = {"--trigger-size=0", "--trigger-value=300", "--alpha=2", "--poison-rate=1.5",
        "--poison-count=-3", "--target=-1"})
    void aValueTheLibraryRefusesIsNamedByItsFlag(String flag) throws IOException {
        Cli.Run run = Cli.run("poison", "--data", smallFolder().toString(), "--out", dir.resolve("p").toString(), flag);
        assertOneLineUsageError(run, flag.substring(0, flag.indexOf('=')) + " must be");
    }

    @Test
    void missingTriggerPictureSaysWhichFlag() throws IOException {
        Path missing = dir.resolve("none.png");
        Cli.Run run = Cli.run("poison", "--data", smallFolder().toString(), "--out", dir.resolve("p").toString(),
                "--trigger", "png:" + missing);
        assertOneLineUsageError(run, "trigger picture " + missing + " does not exist");
        assertTrue(run.err().contains("; pass a readable PNG as --trigger png:FILE"), run::toString);
    }

    @Test
    void targetOutsideTheClasses() throws IOException {
        Cli.Run run = Cli.run("poison", "--data", smallFolder().toString(), "--out", dir.resolve("p").toString(),
                "--target", "7", "--poison-count", "1");
        assertOneLineUsageError(run, "--target");
    }

    @Test
    void missingDataFolder() {
        Path nowhere = dir.resolve("no-such-folder");
        Cli.Run run = Cli.run("train", "--data", nowhere.toString(), "--out", dir.resolve("m.bin").toString());
        assertOneLineUsageError(run, "no MNIST data in " + nowhere);
        assertTrue(run.err().contains("run `./badnets download` or pass --data DIR"), run::toString);
    }

    /** Issue 11, case 11: a failed download is a failure at run time (exit 1) in demo as in download. */
    @Test
    void demoWithoutDataAndWithoutNetworkSaysWhatToRun() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        // port 9 (discard) on the loopback: nothing listens, so the download fails at once
        Cli.Run run = Cli.run("demo", "--data", empty.toString(), "--out", dir.resolve("o").toString(),
                "--mirror", "http://127.0.0.1:9/");
        assertEquals(1, run.status(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().startsWith("badnets: no MNIST data in " + empty), run::toString);
        assertTrue(run.err().contains("run `./badnets download` when online, or pass --data DIR"), run::toString);
        assertFalse(run.err().contains("\tat "), run::toString);
        try (var files = Files.list(empty)) {
            assertEquals(0, files.count(), "no partial download left behind");
        }
    }

    @Test
    void downloadFromADeadMirrorIsARuntimeFailure() {
        Cli.Run run = Cli.run("download", "--data", dir.resolve("d").toString(), "--mirror", "http://127.0.0.1:9/");
        assertEquals(1, run.status(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().startsWith("badnets: "), run::toString);
    }

    @Test
    void badMirrorUrlIsUsage() {
        Cli.Run run = Cli.run("download", "--data", dir.resolve("d").toString(), "--mirror", "ftp://example");
        assertOneLineUsageError(run, "--mirror");
    }

    /**
     * Folders whose files are each well-formed but disagree with one another: image and label
     * counts, a test label the training set has no class for, train and test images of different
     * shapes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"counts", "unknown-test-class", "shapes"})
    void inconsistentDataFolders(String kind) throws IOException {
        Path folder = dir.resolve(kind);
        Files.createDirectories(folder);
        byte[] labels = {0, 1, 2};
        IdxArray trainImages = IdxArray.ofUnsignedBytes(new byte[3 * 16], 3, 4, 4);
        IdxArray testImages = kind.equals("shapes") ? IdxArray.ofUnsignedBytes(new byte[3 * 25], 3, 5, 5) : trainImages;
        IdxArray trainLabels = kind.equals("counts") ? IdxArray.ofUnsignedBytes(new byte[] {0, 1}, 2)
                : IdxArray.ofUnsignedBytes(labels, 3);
        IdxArray testLabels = kind.equals("unknown-test-class") ? IdxArray.ofUnsignedBytes(new byte[] {0, 1, 7}, 3)
                : IdxArray.ofUnsignedBytes(labels, 3);
        Idx.write(folder.resolve(Mnist.TRAIN_IMAGES), trainImages);
        Idx.write(folder.resolve(Mnist.TRAIN_LABELS), trainLabels);
        Idx.write(folder.resolve(Mnist.TEST_IMAGES), testImages);
        Idx.write(folder.resolve(Mnist.TEST_LABELS), testLabels);

        Cli.Run run = Cli.run("train", "--data", folder.toString(), "--out", dir.resolve("m.bin").toString());
        assertOneLineUsageError(run, folder.toString());
        assertFalse(Files.exists(dir.resolve("m.bin")), "no model written");
    }

    @Test
    void unwritableOutputFolder() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a folder");
        Cli.Run run = Cli.run("demo", "--data", smallFolder().toString(), "--out", file.resolve("out").toString());
        assertOneLineUsageError(run, "cannot write to the output folder");
        assertTrue(run.err().contains("--out"), run::toString);
    }

    @Test
    void modelForAnotherImageSize() throws IOException {
        Path model = dir.resolve("model-784.bin");
        try (OutputStream out = Files.newOutputStream(model)) {
            ModelCodec.write(Network.mlp(784, new int[] {8}, 10, 1), out);
        }
        Cli.Run run = Cli.run("evaluate", "--model", model.toString(), "--data", smallFolder().toString());
        assertOneLineUsageError(run, "takes 784 inputs");
        assertTrue(run.err().contains("4x4"), run::toString);
    }

    @Test
    void scanRefusesAModelAndAFolderOfDifferentImageSizes() throws IOException {
        Path model784 = dir.resolve("scan-784.bin");
        Path model16 = dir.resolve("scan-16.bin");
        try (OutputStream a = Files.newOutputStream(model784); OutputStream b = Files.newOutputStream(model16)) {
            ModelCodec.write(Network.mlp(784, new int[] {8}, 10, 1), a);
            ModelCodec.write(Network.mlp(16, new int[] {8}, 3, 1), b);
        }
        Cli.Run small = Cli.run("scan", "--model", model784.toString(), "--data", smallFolder().toString(),
                "--out", dir.resolve("scan-out").toString());
        assertOneLineUsageError(small, "takes 784 inputs");
        assertTrue(small.err().contains("4x4"), small::toString);

        Path mnistSized = dir.resolve("mnist-sized");
        LabeledImages set = new LabeledImages(2, 28, 28, new byte[2 * 784], new byte[] {0, 1});
        Mnist.write(mnistSized, set, set);
        Cli.Run large = Cli.run("scan", "--model", model16.toString(), "--data", mnistSized.toString(),
                "--out", dir.resolve("scan-out").toString());
        assertOneLineUsageError(large, "28x28");
        assertFalse(Files.exists(dir.resolve("scan-out").resolve("scan.json")), "nothing written");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--samples=0", "--steps=0", "--repair=prune", "--repair-samples=0"})
    void scanRefusesBadValuesBeforeAnyWork(String flag) throws IOException {
        Path model = dir.resolve("scan-any.bin");
        try (OutputStream out = Files.newOutputStream(model)) {
            ModelCodec.write(Network.mlp(16, new int[] {8}, 3, 1), out);
        }
        assertOneLineUsageError(Cli.run("scan", "--model", model.toString(), "--data", smallFolder().toString(),
                "--out", dir.resolve("scan-bad").toString(), flag), flag.substring(0, flag.indexOf('=')));
    }

    /** Issue 11, case 8: a valid checksum over NaN weights used to report "ASR 100%, the backdoor works". */
    @Test
    void modelWithNonFiniteWeights() throws IOException {
        Network net = Network.mlp(16, new int[] {8}, 10, 1);
        ((dev.badnets.core.DenseLayer) net.layer(0)).weights().data[3] = Float.NaN;
        Path model = dir.resolve("nan.bin");
        try (OutputStream out = Files.newOutputStream(model)) {
            ModelCodec.write(net, out);
        }
        Cli.Run run = Cli.run("evaluate", "--model", model.toString(), "--data", smallFolder().toString());
        assertOneLineUsageError(run, "layer 0 has a NaN parameter");
    }

    /** Issue 11, case 10: bytes after a model's checksum are refused, as after an IDX payload. */
    @Test
    void modelFileThatGoesOnAfterItsChecksum() throws IOException {
        Path model = dir.resolve("trailing.bin");
        try (OutputStream out = Files.newOutputStream(model)) {
            ModelCodec.write(Network.mlp(16, new int[] {8}, 10, 1), out);
            out.write(0);
        }
        Cli.Run run = Cli.run("evaluate", "--model", model.toString(), "--data", smallFolder().toString());
        assertOneLineUsageError(run, "the file goes on after the model's checksum");
    }

    /** Issue 11, case 5: a network no model file may hold (here 16-20000-20000-10) is refused before training. */
    @Test
    void networkLargerThanAModelFileHolds() throws IOException {
        Path model = dir.resolve("huge.bin");
        Cli.Run run = Cli.run("train", "--data", smallFolder().toString(), "--out", model.toString(), "--hidden", "20000,20000");
        assertOneLineUsageError(run, "more than 100000000 parameters");
        assertFalse(Files.exists(model));
        Cli.Run spec = Cli.run("train", "--data", smallFolder().toString(), "--out", model.toString(), "--layers",
                "conv8x3,pool9");
        assertOneLineUsageError(spec, "layer 'pool9' (2nd in \"conv8x3,pool9\"): a 9x9 window does not fit its input of 8x4x4");
    }

    @Test
    void corruptModelFile() throws IOException {
        Path model = Files.write(dir.resolve("junk.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Cli.Run run = Cli.run("evaluate", "--model", model.toString(), "--data", smallFolder().toString());
        assertEquals(2, run.status(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertFalse(run.err().contains("\tat "), run::toString);
    }

    @Test
    void verboseAddsTheStackTrace() {
        Path nowhere = dir.resolve("no-such-folder");
        Cli.Run run = Cli.run("train", "--verbose", "--data", nowhere.toString(), "--out", "m.bin");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.errLines().size() > 1 && run.err().contains("\tat "), run::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"inspect", "download", "train", "evaluate", "poison", "demo", "sweep", "matrix", "bench",
        "detect", "export"})
    void everyCommandHasHelp(String command) {
        // picocli reports badly formatted help text (a lone %) on System.err, not the command's writer
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        Cli.Run run;
        try {
            System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
            run = Cli.run(command, "--help");
        } finally {
            System.setErr(saved);
        }
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().startsWith("Usage: badnets " + command), run::toString);
        assertEquals("", warnings.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void versionNamesTheProject() {
        Cli.Run run = Cli.succeeds("--version");
        assertTrue(run.out().startsWith("badnets "), run::toString);
    }
}
