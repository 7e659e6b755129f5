package dev.badnets.cli.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.cli.Cli;
import dev.badnets.mnist.testing.RealMnist;
import dev.badnets.mnist.testing.RequiresMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code matrix} and {@code matrix merge} on a 3,000-image slice of real MNIST, with a small network. */
@RequiresMnist
class MatrixCommandTest {

    @TempDir
    static Path dir;

    static Path slice;

    @BeforeAll
    static void writeSlice() throws IOException {
        slice = RealMnist.slice(dir.resolve("slice"), 3000, 500);
    }

    private static Cli.Run matrix(Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("matrix", "--data", slice.toString(), "--out",
                out.toString(), "--attacks", "badnets,blended", "--defenses", "fine-tuning", "--seeds", "1,2",
                "--layers", "conv4x3,pool2,dense16", "--poison-count", "60"));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(new String[0]));
    }

    @Test
    void writesTheTableAndItsShardsMergeToIt() throws IOException {
        Path whole = dir.resolve("whole");
        Cli.Run run = matrix(whole);
        assertEquals(0, run.status(), run::toString);
        List<String> csv = Files.readAllLines(whole.resolve("matrix.csv"));
        assertEquals("attack,defense,seed,clean_accuracy,attack_success_rate,robust_accuracy,der,seconds,cell,cells,"
                + "config,matrix,failure", csv.get(0));
        assertEquals(1 + 2 * 2 * 2, csv.size(), "a row per attack, defense (none included) and seed");
        assertTrue(Files.readString(whole.resolve("matrix.md")).contains("| fine-tuning |"));
        assertTrue(Files.size(whole.resolve("matrix.png")) > 1000);

        for (int k = 1; k <= 2; k++) {
            assertEquals(0, matrix(dir.resolve("part" + k), "--shard", k + "/2").status());
        }
        Path merged = dir.resolve("merged");
        Cli.Run merge = Cli.run("matrix", "merge", dir.resolve("part1").toString(), dir.resolve("part2").toString(),
                "--out", merged.toString());
        assertEquals(0, merge.status(), merge::toString);
        assertEquals(withoutSeconds(csv), withoutSeconds(Files.readAllLines(merged.resolve("matrix.csv"))));

        Cli.Run half = Cli.run("matrix", "merge", dir.resolve("part1").toString(), "--out",
                dir.resolve("half").toString());
        assertEquals(2, half.status(), "a missing shard is refused: " + half);
    }

    /** A model whose loss becomes NaN: every cell fails, the outputs are still written, the exit status is 1. */
    @Test
    void failedCellsAreWrittenAndMakeTheExitStatusOne() throws IOException {
        Path out = dir.resolve("nan");
        Cli.Run run = Cli.run("matrix", "--data", slice.toString(), "--out", out.toString(), "--attacks", "badnets",
                "--defenses", "fine-tuning", "--layers", "conv4x3,pool2,dense16", "--poison-count", "60",
                "--lr", "1e30");
        assertEquals(1, run.status(), run::toString);
        assertTrue(run.err().contains("2 of the 2 cells failed") && run.err().contains("rerun"), run::toString);
        List<String> csv = Files.readAllLines(out.resolve("matrix.csv"));
        assertTrue(csv.get(1).startsWith("badnets,none,1,,,,,") && csv.get(1).contains("loss became NaN"), csv::toString);
        assertTrue(Files.readString(out.resolve("matrix.md")).contains("| fine-tuning | failed |"));
    }

    @Test
    void refusesAnUnknownDefenseBeforeTraining() {
        Cli.Run run = Cli.run("matrix", "--data", slice.toString(), "--out", dir.resolve("bad").toString(),
                "--defenses", "fine-tuning,magic");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("magic"), run::toString);
    }

    private static List<String> withoutSeconds(List<String> lines) {
        return lines.stream().map(l -> {
            String[] c = l.split(",", -1);
            c[7] = "";
            return String.join(",", c);
        }).toList();
    }
}
