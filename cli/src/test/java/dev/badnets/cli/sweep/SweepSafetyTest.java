package dev.badnets.cli.sweep;

import dev.badnets.attack.experiment.GridCsv;

import dev.badnets.cli.Cli;
import dev.badnets.cli.RandomImages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sweep checks its whole grid against the data before it touches its CSV or trains anything, never
 * drops finished rows without being told, writes cells no spreadsheet evaluates; {@code sweep merge}
 * reads only sweep CSVs, CRLF ones too, bounded by size, and checks their keys against their grid.
 * Synthetic data (random 28x28 images, 10 classes) and a tiny network, so these run without MNIST.
 */
@Timeout(300)
public class SweepSafetyTest {

    @TempDir
    static Path dir;

    static Path data;

    /** The CSV of a finished 2-point sweep, written once. */
    static Path finished;

    private static String[] sweep(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("sweep", "--data", data.toString(), "--out", out.toString(),
                "--model", "mlp", "--hidden", "4", "--epochs", "1", "--threads", "1", "--parallel", "1"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @BeforeAll
    static void writeDataAndSweep() throws IOException {
        data = RandomImages.folder(dir.resolve("data"), 300, 100);
        Path out = dir.resolve("finished");
        Cli.Run run = Cli.succeeds(sweep(out, "--poison-counts", "5,10"));
        finished = out.resolve("sweep.csv");
    }

    /** A copy of the finished sweep's folder (its CSV), to run against. */
    private static Path copy(String name) throws IOException {
        Path out = dir.resolve(name);
        Files.createDirectories(out);
        Files.copy(finished, out.resolve("sweep.csv"));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"--poison-counts=99999", "--trigger-sizes=29", "--targets=10", "--poison-counts=5,99999"})
    void aDryRunRefusesAPointTheDataCannotHold(String flag) {
        List<String> args = new ArrayList<>(List.of(sweep(dir.resolve("dry"), "--dry-run")));
        args.add(flag);
        Cli.Run run = Cli.run(args.toArray(String[]::new));
        assertEquals(2, run.status(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertEquals("", run.out(), "refused before listing the points");
    }

    @Test
    void aGridThatFailsValidationLeavesTheFinishedRowsAsTheyWere() throws IOException {
        Path out = copy("invalid");
        byte[] before = Files.readAllBytes(out.resolve("sweep.csv"));
        Cli.run(sweep(out, "--poison-counts", "99999,5")).assertRefused("cannot poison 99999");
        assertArrayEquals(before, Files.readAllBytes(out.resolve("sweep.csv")));
        Cli.run(sweep(out, "--poison-counts", "5,10", "--trigger-sizes", "2,29")).assertRefused("trigger_size=29");
        assertArrayEquals(before, Files.readAllBytes(out.resolve("sweep.csv")));
    }

    @Test
    void aChangedFlagIsRefusedRatherThanDroppingFinishedRowsUnlessAskedTo() throws IOException {
        Path out = copy("changed");
        byte[] before = Files.readAllBytes(out.resolve("sweep.csv"));
        Cli.run(sweep(out, "--poison-counts", "5,10", "--lr", "0.01")).assertRefused("--discard-other-rows");
        assertArrayEquals(before, Files.readAllBytes(out.resolve("sweep.csv")));
        Cli.Run run = Cli.succeeds(sweep(out, "--poison-counts", "5,10", "--lr", "0.01", "--discard-other-rows"));
        assertTrue(run.out().contains("discarded 2 rows"), run::toString);
        // the same flags again: both points resume from the CSV
        Cli.Run again = Cli.run(sweep(out, "--poison-counts", "5,10", "--lr", "0.01"));
        assertEquals(0, again.status(), again::toString);
        assertTrue(again.out().contains("skipped 2 points"), again::toString);
    }

    @Test
    void cellsAreWrittenSoThatNoSpreadsheetEvaluatesThemAndReadBackAsTheyWere() throws IOException {
        Path csv = dir.resolve("cells").resolve("sweep.csv");
        List<String> header = List.of("trigger", "seed", "clean_accuracy", GridCsv.POINT, GridCsv.GRID_POINTS,
                GridCsv.CONFIG, GridCsv.GRID);
        List<String> cells = List.of("=cmd|' /C calc'!A0", "-2+3", "+SUM(A1)", "@x", "'quoted", "\tTAB", "a,\"b\"");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String cell : cells) {
            rows.add(Map.of("trigger", cell, "seed", "-1", "clean_accuracy", "0.5", GridCsv.POINT, "1",
                    GridCsv.GRID_POINTS, "1", GridCsv.CONFIG, "0123456789abcdef", GridCsv.GRID, "0123456789abcdef"));
        }
        GridCsv.write(csv, header, rows);
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            String first = line.startsWith("\"") ? line.substring(1) : line;
            assertTrue("=+-@\t".indexOf(first.charAt(0)) < 0, "a cell a spreadsheet evaluates: " + line);
            assertTrue(line.contains(",-1,"), "numbers stay numbers: " + line);
        }
        List<Map<String, String>> read = new GridCsv("sweep").read(csv).rows();
        for (int i = 0; i < cells.size(); i++) {
            assertEquals(cells.get(i), read.get(i).get("trigger"));
            assertEquals("-1", read.get(i).get("seed"));
        }
    }

    @Test
    void mergeReadsACsvWithWindowsLineEnds() throws IOException {
        Path crlf = dir.resolve("crlf");
        Files.createDirectories(crlf);
        String text = Files.readString(finished, StandardCharsets.UTF_8).replace("\n", "\r\n");
        Files.writeString(crlf.resolve("sweep.csv"), text, StandardCharsets.UTF_8);
        Cli.Run run = Cli.succeeds("sweep", "merge", crlf.toString(), "--out", dir.resolve("crlf-merged").toString());
    }

    @Test
    void mergeSaysNotASweepCsvForRandomBytes() throws IOException {
        Path junk = dir.resolve("junk");
        Files.createDirectories(junk);
        byte[] bytes = new byte[4096];
        new SplittableRandom(5).nextBytes(bytes);
        Files.write(junk.resolve("sweep.csv"), bytes);
        Cli.run("sweep", "merge", junk.toString(), "--out", dir.resolve("junk-merged").toString())
                .assertRefused("is not a sweep CSV");
    }

    @Test
    void mergeRefusesAConfigKeyThatIsNotItsGrids() throws IOException {
        Path tampered = dir.resolve("tampered");
        Files.createDirectories(tampered);
        List<String> lines = new ArrayList<>(Files.readAllLines(finished, StandardCharsets.UTF_8));
        int config = List.of(lines.get(0).split(",")).indexOf(GridCsv.CONFIG);
        String[] cells = lines.get(1).split(",", -1);
        cells[config] = "ffffffffffffffff";
        lines.set(1, String.join(",", cells));
        Files.write(tampered.resolve("sweep.csv"), lines, StandardCharsets.UTF_8);
        Cli.run("sweep", "merge", tampered.toString(), "--out", dir.resolve("t-merged").toString())
                .assertRefused("config");
    }

    @Test
    void aCsvLargerThanAnyGridsRowsIsRefusedUnread() throws IOException {
        Path big = dir.resolve("big");
        Files.createDirectories(big);
        try (RandomAccessFile f = new RandomAccessFile(big.resolve("sweep.csv").toFile(), "rw")) {
            f.setLength(100L << 20); // sparse: 100 MB of zeros that take no disk
        }
        long start = System.nanoTime();
        Cli.run("sweep", "merge", big.toString(), "--out", dir.resolve("big-merged").toString()).assertRefused("larger than");
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "refused without reading it");
    }
}
