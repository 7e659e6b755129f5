package dev.badnets.cli.sweep;

import dev.badnets.cli.Cli;
import dev.badnets.cli.RandomImages;
import dev.badnets.cli.UserException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.experiment.Grid;
import dev.badnets.attack.experiment.Shard;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The grid's order and its shards: pure functions of the axis flags (a dry run checks them against data too). */
public class SweepGridTest {


    private static Grid<SweepAxis> grid() {
        Map<SweepAxis, List<String>> axes = new EnumMap<>(SweepAxis.class);
        // given out of order on purpose: the enum map orders the axes as the CSV columns do, and the grid keeps it
        axes.put(SweepAxis.SEED, List.of("1", "2"));
        axes.put(SweepAxis.POISON_COUNT, List.of("0", "50", "600"));
        axes.put(SweepAxis.TRIGGER_SIZE, List.of("2", "3"));
        return new Grid<>(axes);
    }

    @Test
    void thePointsAreTheProductFirstAxisSlowestLastFastest() {
        Grid<SweepAxis> grid = grid();
        assertEquals(List.of(SweepAxis.POISON_COUNT, SweepAxis.TRIGGER_SIZE, SweepAxis.SEED), new ArrayList<>(grid.axes().keySet()));
        assertEquals(12, grid.size());
        List<String> seen = grid.points(Shard.ALL).stream().map(Grid.Point::describe).toList();
        assertEquals(List.of(
                "poison_count=0 trigger_size=2 seed=1", "poison_count=0 trigger_size=2 seed=2",
                "poison_count=0 trigger_size=3 seed=1", "poison_count=0 trigger_size=3 seed=2",
                "poison_count=50 trigger_size=2 seed=1", "poison_count=50 trigger_size=2 seed=2",
                "poison_count=50 trigger_size=3 seed=1", "poison_count=50 trigger_size=3 seed=2",
                "poison_count=600 trigger_size=2 seed=1", "poison_count=600 trigger_size=2 seed=2",
                "poison_count=600 trigger_size=3 seed=1", "poison_count=600 trigger_size=3 seed=2"), seen);
        for (int n = 1; n <= 12; n++) {
            assertEquals(n, grid.point(n).number());
        }
    }

    @Test
    void shardsPartitionTheGridInBalancedDeterministicParts() {
        Grid<SweepAxis> grid = grid();
        for (int count = 1; count <= 15; count++) {
            Set<Integer> union = new HashSet<>();
            int smallest = Integer.MAX_VALUE;
            int largest = 0;
            for (int k = 1; k <= count; k++) {
                List<Grid.Point<SweepAxis>> part = grid.points(new Shard(k, count));
                assertEquals(part, grid.points(new Shard(k, count)), "the same shard twice is the same points");
                for (int i = 1; i < part.size(); i++) {
                    assertTrue(part.get(i - 1).number() < part.get(i).number(), "each shard in grid order");
                }
                part.forEach(p -> assertTrue(union.add(p.number()), "point " + p.number() + " in two shards"));
                smallest = Math.min(smallest, part.size());
                largest = Math.max(largest, part.size());
            }
            assertEquals(grid.size(), union.size(), "every point in some shard of " + count);
            assertTrue(largest - smallest <= 1, count + " shards of 12 points: " + smallest + " to " + largest);
        }
        assertEquals(List.of(2, 5, 8, 11), grid.points(new Shard(2, 3)).stream().map(Grid.Point::number).toList());
    }

    @Test
    void shardSpecs() {
        assertEquals(new Shard(3, 4), ShardOptions.parse("3/4"));
        assertEquals(new Shard(1, 1), ShardOptions.parse(" 1 / 1 "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"3/2", "0/2", "1/0", "-1/2", "2", "a/b", "1/2/3", ""})
    void badShardSpecsAreUsageErrors(String spec) {
        UserException e = assertThrows(UserException.class, () -> ShardOptions.parse(spec));
        assertTrue(e.getMessage().startsWith("--shard"), e.getMessage());
    }

    @Test
    void emptyAxesRepeatedValuesAndHugeGridsAreRefused() {
        Map<SweepAxis, List<String>> empty = new EnumMap<>(SweepAxis.class);
        empty.put(SweepAxis.SEED, List.of());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Grid<>(empty)).getMessage()
                .startsWith("--seeds is empty; "));
        Map<SweepAxis, List<String>> twice = new EnumMap<>(SweepAxis.class);
        twice.put(SweepAxis.DEFEND, List.of("none", "spectre", "none"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Grid<>(twice)).getMessage()
                .startsWith("--defend lists none twice; "));
        Map<SweepAxis, List<String>> huge = new EnumMap<>(SweepAxis.class);
        List<String> thousand = java.util.stream.IntStream.range(0, 1000).mapToObj(Integer::toString).toList();
        huge.put(SweepAxis.POISON_COUNT, thousand);
        huge.put(SweepAxis.SEED, thousand);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Grid<>(huge));
        assertTrue(e.getMessage().contains("more than " + Grid.MAX_POINTS), e.getMessage());
    }

    /** Bad grids on the command line: exit 2, one line, before any data is read. */
    @ParameterizedTest
    @ValueSource(strings = {"--models=foo", "--defend=bogus", "--triggers=square,nope", "--shard=3/2", "--shard=0/2",
        "--seeds=1,1", "--poison-rates=2", "--poison-counts=-1", "--trigger-sizes=0", "--seed=3 --seeds=1,2",
        "--poison-counts=1 --poison-rates=0.1", "--epochs=1,0"})
    void badGridsAreOneLineExitTwo(String flags) {
        List<String> args = new ArrayList<>(List.of("sweep", "--dry-run", "--data", "/nonexistent/data"));
        args.addAll(List.of(flags.split(" ")));
        Cli.Run run = Cli.run(args.toArray(String[]::new));
        assertEquals(2, run.status(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().startsWith("badnets: "), run::toString);
    }

    @Test
    void aDryRunListsThePointsOfItsShard(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // a dry run checks every point against the data's size and classes: synthetic data will do
        java.nio.file.Path data = RandomImages.folder(dir.resolve("data"), 200, 20);
        Cli.Run run = Cli.succeeds("sweep", "--dry-run", "--data", data.toString(), "--poison-counts", "0,50",
                "--seeds", "1,2,3", "--shard", "2/4");
        assertEquals(List.of("sweep: 6 points (poison_count 2 x seed 3), shard 2/4: 2 of them",
                "  2  poison_count=0 seed=2", "  6  poison_count=50 seed=3"), List.of(run.out().split("\\R")));
    }
}
