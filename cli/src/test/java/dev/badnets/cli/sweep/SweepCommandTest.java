package dev.badnets.cli.sweep;

import dev.badnets.attack.experiment.GridCsv;

import dev.badnets.cli.Child;
import dev.badnets.cli.Cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.mnist.testing.RealMnist;
import dev.badnets.mnist.testing.RequiresMnist;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2 x 2 x 2 grid (poison counts x trigger sizes x seeds) on a slice of real MNIST (BADNETS_DATA):
 * run whole, killed with SIGKILL after its third point and resumed, and as two shards merged. All
 * three give the same rows but for the seconds.
 */
@Timeout(240)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RequiresMnist
public class SweepCommandTest {

    @TempDir
    static Path dir;

    static Path slice;

    /** Rows of the uninterrupted run, seconds blanked. */
    static List<String> whole;

    private static String[] sweep(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("sweep", "--data", slice.toString(), "--out", out.toString(),
                "--poison-counts", "50,300", "--trigger-sizes", "2,3", "--seeds", "1,2", "--model", "mlp",
                "--hidden", "32", "--epochs", "1"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** The CSV's lines with the seconds column emptied: the only cells that differ between equal runs. */
    static List<String> withoutSeconds(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        int seconds = List.of(lines.get(0).split(",")).indexOf(GridCsv.SECONDS);
        List<String> out = new ArrayList<>();
        out.add(lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            cells[seconds] = "";
            out.add(String.join(",", cells));
        }
        return out;
    }

    @BeforeAll
    static void writeSlice() throws Exception {
        slice = RealMnist.slice(dir.resolve("slice"), 10000, 2000);
        if (!RealMnist.isPresent()) {
            return; // RequiresMnist skips every test, naming the reason
        }
        Path out = dir.resolve("whole");
        Cli.Run run = Cli.succeeds(sweep(out));
        whole = withoutSeconds(out.resolve("sweep.csv"));
    }

    @Test
    @Order(1)
    void theWholeGridIsEightRowsInGridOrderAndAChart() throws Exception {
        assertEquals("poison_count,trigger_size,seed,clean_accuracy,attack_success_rate,attack_success_rate_all_images,"
                + "seconds,point,grid_points,config,grid", whole.get(0));
        assertEquals(9, whole.size(), whole::toString);
        List<String> axes = whole.subList(1, 9).stream().map(l -> l.split(",", 4)).map(c -> c[0] + " " + c[1] + " " + c[2])
                .toList();
        assertEquals(List.of("50 2 1", "50 2 2", "50 3 1", "50 3 2", "300 2 1", "300 2 2", "300 3 1", "300 3 2"), axes);
        for (int i = 1; i <= 8; i++) {
            String[] cells = whole.get(i).split(",");
            assertEquals(Integer.toString(i), cells[7]);
            assertEquals("8", cells[8]);
            assertEquals(cells[10], whole.get(1).split(",")[10], "one grid");
        }
        assertEquals(8, whole.stream().skip(1).map(l -> l.split(",")[9]).distinct().count(), "a key per point");
        double few = Double.parseDouble(whole.get(1).split(",")[4]);
        double many = Double.parseDouble(whole.get(7).split(",")[4]);
        assertTrue(many > few, "more poison and a larger trigger, a stronger backdoor: " + whole);
        BufferedImage png = ImageIO.read(dir.resolve("whole").resolve("sweep.png").toFile());
        assertEquals(SweepChart.WIDTH, png.getWidth());
        assertEquals(SweepChart.HEIGHT, png.getHeight());
    }

    @Test
    @Order(2)
    void killedAfterItsThirdPointAndRerunItFinishesWithTheSameRows() throws Exception {
        Path out = dir.resolve("killed");
        Path csv = out.resolve("sweep.csv");
        Process child = Child.start("512m", dir.resolve("logs-killed"), sweep(out, "--parallel", "1"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (rows(csv) < 3 && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(child.isAlive(), "the sweep ended before its third point was in: too fast to kill");
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        int kept = rows(csv);
        assertTrue(kept >= 3 && kept < 8, kept + " rows");
        // whatever the kill interrupted, the file holds whole rows only, each one of the whole run's
        List<String> left = withoutSeconds(csv);
        left.forEach(line -> assertTrue(whole.contains(line), line + " is not a row of the whole run"));

        Cli.Run rerun = Cli.run(sweep(out));
        assertEquals(0, rerun.status(), rerun::toString);
        assertTrue(rerun.out().contains("skipped " + kept + " points already in "), rerun::toString);
        assertEquals(whole, withoutSeconds(csv));
        try (var files = Files.list(out)) {
            assertEquals(List.of(".sweep.csv.lock", ".sweep.png.lock", "sweep.csv", "sweep.png"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file left");
        }
    }

    @Test
    @Order(3)
    void twoShardsMergedAreTheWholeRunAndMergeRefusesWhatDoesNotFit() throws Exception {
        Path one = dir.resolve("shard-1");
        Path two = dir.resolve("shard-2");
        assertEquals(0, Cli.run(sweep(one, "--shard", "1/2")).status());
        assertEquals(0, Cli.run(sweep(two, "--shard", "2/2")).status());
        assertEquals(5, Files.readAllLines(one.resolve("sweep.csv")).size());
        Path merged = dir.resolve("merged");
        Cli.Run run = Cli.succeeds("sweep", "merge", two.toString(), one.toString(), "--out", merged.toString());
        assertEquals(whole, withoutSeconds(merged.resolve("sweep.csv")));
        assertEquals(SweepChart.WIDTH, ImageIO.read(merged.resolve("sweep.png").toFile()).getWidth());

        Path other = dir.resolve("other-grid");
        assertEquals(0, Cli.run(sweep(other, "--shard", "2/2", "--lr", "0.002")).status(), "same axes, another --lr");
        Cli.run("sweep", "merge", one.toString(), other.toString(), "--out", dir.resolve("m2").toString()).assertRefused("holds points of another grid than");
        Cli.run("sweep", "merge", one.toString(), two.toString(), one.toString(), "--out",
                dir.resolve("m3").toString()).assertRefused("is in both");
        Cli.run("sweep", "merge", one.toString(), "--out", dir.resolve("m4").toString()).assertRefused("the CSVs hold 4 of the grid's 8 points (missing [2, 4, 6, 8])");
        assertTrue(!Files.exists(dir.resolve("m2")) && !Files.exists(dir.resolve("m3")));
    }

    @Test
    @Order(4)
    void aRerunWithAChangedConfigurationRerunsOnlyThePointsThatChanged() throws Exception {
        Path out = dir.resolve("changed");
        Files.createDirectories(out);
        Files.copy(dir.resolve("whole").resolve("sweep.csv"), out.resolve("sweep.csv"));
        // seed 1 points are unchanged; seed 2 ones leave the grid, seed 3 ones join it
        String[] args = sweep(out, "--discard-other-rows"); // without it the seed 2 rows are refused, not dropped
        args[List.of(args).indexOf("--seeds") + 1] = "1,3";
        Cli.Run run = Cli.succeeds(args);
        assertTrue(run.out().contains("skipped 4 points already in") && run.out().contains("discarded 4 rows"),
                run::toString);
        assertEquals(4, run.out().lines().filter(l -> l.contains(" seed=3: ")).count(), run::toString);
        List<String> now = withoutSeconds(out.resolve("sweep.csv"));
        for (int i : new int[] {1, 3, 5, 7}) {
            // the kept rows: same figures and key, renumbered in the new grid
            String[] before = whole.get(i).split(",");
            String[] after = now.get(i).split(",");
            assertEquals(List.of(before).subList(0, 7), List.of(after).subList(0, 7));
            assertEquals(before[9], after[9]);
        }
        assertTrue(now.get(2).startsWith("50,2,3,"), now::toString);
    }

    /** Whole rows in the CSV now (0 when it is not there yet). */
    private static int rows(Path csv) throws Exception {
        if (!Files.exists(csv)) {
            return 0;
        }
        String text = Files.readString(csv, StandardCharsets.UTF_8);
        return (int) Math.max(0, text.chars().filter(c -> c == '\n').count() - 1);
    }
}
