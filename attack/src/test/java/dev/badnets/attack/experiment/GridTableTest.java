package dev.badnets.attack.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A grid run from code: resume, shards and merge, with an axis kind of the test's own. */
public class GridTableTest {

    /** An axis of the test's own: a record's accessors are the interface's three methods. */
    record Axis(String column, String flag, boolean numeric) implements Grid.Axis {
    }

    /** The axes of a small attack x seed grid. */
    private static final Axis ATTACK = new Axis("attack", "--attacks", false);
    private static final Axis SEED = new Axis("seed", "--seeds", true);

    private static final List<String> FIGURES = List.of("clean_accuracy");

    private static Grid<Axis> grid() {
        Map<Axis, List<String>> axes = new LinkedHashMap<>();
        axes.put(ATTACK, List.of("badnets", "blended"));
        axes.put(SEED, List.of("1", "2", "3"));
        return new Grid<>(axes);
    }

    private static List<String> configs(Grid<Axis> grid, String salt) {
        return grid.points(Shard.ALL).stream().map(p -> GridKeys.hash(salt + p.describe())).toList();
    }

    private static GridTable table(Path csv, Grid<Axis> grid, String salt) {
        return new GridTable("matrix", csv, GridCsv.header(grid.axes().keySet(), FIGURES), configs(grid, salt),
                List.of(ATTACK, SEED));
    }

    /** Runs the points of {@code shard} not yet in the file; the figure is the point's number. */
    private static int run(Path csv, Grid<Axis> grid, Shard shard) throws IOException {
        GridTable table = table(csv, grid, "");
        GridTable.Resumed<Axis> resumed = table.resume(grid.points(Shard.ALL), shard, false);
        for (Grid.Point<Axis> p : resumed.todo()) {
            table.put(p, Map.of("clean_accuracy", Integer.toString(p.number()), GridCsv.SECONDS, "0.5"));
        }
        return resumed.todo().size();
    }

    @Test
    void aRerunSkipsWhatIsDoneAndShardsMergeIntoTheWholeGrid(@TempDir Path dir) throws IOException {
        Grid<Axis> grid = grid();
        Path whole = dir.resolve("whole.csv");
        assertEquals(6, run(whole, grid, Shard.ALL));
        assertEquals(0, run(whole, grid, Shard.ALL), "a rerun finds every point done");

        Path one = dir.resolve("one.csv");
        Path two = dir.resolve("two.csv");
        assertEquals(3, run(one, grid, new Shard(1, 2)));
        assertEquals(3, run(two, grid, new Shard(2, 2)));
        GridCsv.Table merged = GridMerge.merge("matrix", List.of(two, one));
        assertEquals(new GridCsv("matrix").read(whole), merged, "the shards merged are the unsharded run");
        assertEquals("attack=blended seed=2", grid.point(5).describe());
        assertEquals("5", merged.rows().get(4).get("clean_accuracy"), "point 5's row is fifth");

        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> GridMerge.merge("matrix", List.of(one, one)));
        assertTrue(twice.getMessage().startsWith("point 1 is in both"), twice.getMessage());
        IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
                () -> GridMerge.merge("matrix", List.of(one)));
        assertTrue(half.getMessage().startsWith("the CSVs hold 3 of the grid's 6 points (missing [2, 4, 6])"),
                half.getMessage());
        Files.writeString(two, Files.readString(two).replaceFirst(",[0-9a-f]{16},", ",0123456789abcdef,"));
        IllegalArgumentException edited = assertThrows(IllegalArgumentException.class,
                () -> GridMerge.merge("matrix", List.of(one, two)));
        assertTrue(edited.getMessage().contains("a CSV was edited"), edited.getMessage());
    }

    @Test
    void rowsOfAnotherGridAreRefusedUnlessDiscarded(@TempDir Path dir) throws IOException {
        Grid<Axis> grid = grid();
        Path csv = dir.resolve("matrix.csv");
        run(csv, grid, Shard.ALL);
        GridTable other = table(csv, grid, "other flags;");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> other.resume(grid.points(Shard.ALL), Shard.ALL, false));
        assertTrue(e.getMessage().contains("holds 6 finished rows that are no point of this matrix (the first: "
                + "attack=badnets seed=1)"), e.getMessage());
        GridTable.Resumed<Axis> resumed = other.resume(grid.points(Shard.ALL), Shard.ALL, true);
        assertEquals(6, resumed.todo().size());
        assertEquals(6, resumed.discarded());
        assertEquals(1, Files.readAllLines(csv).size(), "the file keeps its header only");
    }
}
