package dev.badnets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.ModelCodec;
import dev.badnets.core.Network;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.Mnist;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, property 8: for random output paths built from symbolic links and {@code ..} segments,
 * many of them leading into, onto or around the data folder, no command changes a byte of the data
 * folder or adds or removes anything in it.
 */
@Timeout(300)
public class DataFolderSafetyTest {

    @TempDir
    Path root;

    private static final String[] SEGMENTS = {"links/toData", "links/toRoot", "links/absData", "work", "..", ".",
        "data", "data/up", "links"};
    private static final String[] LAST = {"", "out", "model.bin", Mnist.TRAIN_IMAGES, Mnist.TEST_LABELS + ".gz",
        "manifest.json", "links/dangling", "links/danglingDir", "new/deeper"};

    private List<String> listing(Path folder) throws Exception {
        try (Stream<Path> all = Files.walk(folder)) {
            return all.map(p -> folder.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void noOutputPathReachesTheDataFolder() throws Exception {
        Path data = root.resolve("data");
        byte[] pixels = new byte[30 * 16];
        new Random(3).nextBytes(pixels);
        byte[] labels = new byte[30];
        for (int i = 0; i < 30; i++) {
            labels[i] = (byte) (i % 3);
        }
        LabeledImages set = new LabeledImages(30, 4, 4, pixels, labels);
        Mnist.write(data, set, set.slice(0, 6));
        Files.createDirectories(root.resolve("work"));
        Path links = Files.createDirectories(root.resolve("links"));
        Files.createSymbolicLink(links.resolve("toData"), Path.of("../data"));
        Files.createSymbolicLink(links.resolve("toRoot"), Path.of(".."));
        Files.createSymbolicLink(links.resolve("absData"), data);
        Files.createSymbolicLink(links.resolve("dangling"), Path.of("../data/new-file"));
        Files.createSymbolicLink(links.resolve("danglingDir"), Path.of("../data/new-folder"));
        Files.createSymbolicLink(data.resolve("up"), Path.of(".."));
        Path model = root.resolve("model-in.bin");
        try (OutputStream out = Files.newOutputStream(model)) {
            ModelCodec.write(Network.mlp(16, new int[] {4}, 3, 1), out);
        }
        Map<String, String> sums = SafeOutputsTest.checksums(data);
        List<String> names = listing(data);
        String[] dataSpellings = {data.toString(), root + "/links/toData", root + "/links/absData",
            root + "/work/../data", root + "/data/up/data/."};

        Random random = new Random(11);
        int refused = 0;
        int written = 0;
        for (int trial = 0; trial < 80; trial++) {
            StringBuilder path = new StringBuilder(root.toString());
            for (int k = 1 + random.nextInt(4); k > 0; k--) {
                path.append('/').append(SEGMENTS[random.nextInt(SEGMENTS.length)]);
            }
            String last = LAST[random.nextInt(LAST.length)];
            String p = last.isEmpty() ? path.toString() : path + "/" + last;
            String d = dataSpellings[random.nextInt(dataSpellings.length)];
            String[] args = switch (random.nextInt(7)) {
                case 0 -> new String[] {"poison", "--data", d, "--out", p, "--poison-count", "2"};
                case 1 -> new String[] {"train", "--data", d, "--out", p, "--epochs", "1", "--hidden", "2"};
                case 2 -> new String[] {"train", "--data", d, "--out", root + "/work/m" + trial + ".bin", "--json", p,
                    "--epochs", "1", "--hidden", "2"};
                case 3 -> new String[] {"detect", "--model", model.toString(), "--data", d, "--write-clean", p,
                    "--expected-rate", "0.1"};
                case 4 -> new String[] {"evaluate", "--model", model.toString(), "--data", d, "--json", p};
                case 5 -> new String[] {"sweep", "--data", d, "--out", p, "--poison-counts", "0", "--epochs", "1",
                    "--hidden", "2"};
                default -> new String[] {"demo", "--data", d, "--out", p, "--epochs", "1", "--hidden", "2",
                    "--poison-count", "2"};
            };
            Cli.Run run = Cli.run(args);
            String what = String.join(" ", args) + "\n" + run;
            assertTrue(run.status() == 0 || run.status() == 2, what);
            assertEquals(names, listing(data), "nothing added to or removed from the data folder: " + what);
            assertEquals(sums, SafeOutputsTest.checksums(data), "no byte of the data folder changed: " + what);
            if (run.status() == 0) {
                written++;
            } else {
                refused++;
            }
        }
        System.out.println("data folder safety: " + written + " commands wrote elsewhere, " + refused + " were refused");
        assertTrue(written > 5 && refused > 5, "both kinds of paths were tried: " + written + " / " + refused);
    }
}
