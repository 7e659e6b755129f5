package dev.badnets.cli.sweep;

import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.UserException;

import dev.badnets.mnist.AtomicFolder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code badnets sweep merge DIR... --out DIR}: the CSVs of the shards of one grid as one, in grid
 * order, and its chart. Refuses CSVs of different grids, a point in two of them, and a grid with
 * points in none of them, so what it writes is what the unsharded sweep would have written.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merge the sweep.csv files of the --shard runs of one grid into OUT/sweep.csv, in grid "
                + "order, and draw OUT/sweep.png.",
                "Refuses (exit 2) CSVs of different grids, a point found twice, missing points, and config keys that "
                        + "do not hash to their grid."})
public final class SweepMergeCommand implements Callable<Integer> {

    static final String PNG = "sweep.png";
    /** The files merge writes in {@code --out}; the folder is replaced as one set. */
    static final Set<String> FILES = Set.of(SweepCsv.FILE, PNG);

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Output folders of the shards (each holding sweep.csv).")
    List<String> dirs;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Folder for the merged sweep.csv and sweep.png.")
    String out;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        OutputFiles paths = new OutputFiles();
        List<Path> csvs = new ArrayList<>();
        for (String dir : dirs) {
            Path csv = Path.of(dir).resolve(SweepCsv.FILE);
            if (!Files.isRegularFile(csv)) {
                throw new UserException("no " + SweepCsv.FILE + " in " + dir,
                        "pass the --out folders of the sweep --shard runs");
            }
            paths.input("DIR", csv);
            csvs.add(csv);
        }
        Path outDir = paths.folder("--out", out).check().path("--out");

        List<String> header = null;
        String grid = null;
        int gridPoints = 0;
        Path first = null;
        TreeMap<Integer, Map<String, String>> rows = new TreeMap<>();
        Map<Integer, Path> from = new TreeMap<>();
        for (Path csv : csvs) {
            SweepCsv.Table table = SweepCsv.read(csv);
            for (Map<String, String> row : table.rows()) {
                if (grid == null) {
                    grid = row.get(SweepCsv.GRID);
                    header = table.header();
                    first = csv;
                    gridPoints = number(csv, row.get(SweepCsv.GRID_POINTS));
                } else if (!grid.equals(row.get(SweepCsv.GRID)) || !header.equals(table.header())) {
                    throw new UserException(csv + " holds points of another grid than " + first,
                            "merge the shards of one sweep: same axes and flags, different --shard only");
                }
                int point = number(csv, row.get(SweepCsv.POINT));
                Path earlier = from.put(point, csv);
                if (earlier != null) {
                    throw new UserException("point " + point + " is in both " + earlier + " and " + csv,
                            "pass each shard's folder once, and shards of one --shard K/N split");
                }
                rows.put(point, row);
            }
        }
        if (grid == null) {
            throw new UserException("the CSVs hold no points", "run the shards first, then merge their folders");
        }
        if (rows.size() != gridPoints || rows.firstKey() != 1 || rows.lastKey() != gridPoints) {
            List<Integer> missing = new ArrayList<>();
            for (int n = 1; n <= gridPoints && missing.size() < 10; n++) {
                if (!rows.containsKey(n)) {
                    missing.add(n);
                }
            }
            throw new UserException("the CSVs hold " + rows.size() + " of the grid's " + gridPoints
                    + " points (missing " + missing + (gridPoints - rows.size() > missing.size() ? "..." : "") + ")",
                    "finish the shards that lack them (rerun them: they resume), then merge again");
        }

        // the grid key is the hash of every point's config key in order: an edited or mixed-up key shows here
        String recomputed = SweepCommand.gridHash(rows.values().stream().map(r -> r.get(SweepCsv.CONFIG)).toList());
        if (!recomputed.equals(grid)) {
            throw new UserException("the config keys of the CSVs' points hash to " + recomputed + ", not to their grid "
                    + grid + ": a CSV was edited", "merge the CSVs sweep wrote, unedited (rerun an edited shard)");
        }

        try (AtomicFolder written = OutputFiles.begin(outDir, "--out", FILES)) {
            SweepCsv.write(written.staging().resolve(SweepCsv.FILE), header, rows.values());
            SweepChart.write(SweepChart.chart(header, new ArrayList<>(rows.values())), written.staging().resolve(PNG));
            written.commit();
        }
        stdout.printf("merged %d points from %d CSVs into %s and %s%n", rows.size(), csvs.size(),
                outDir.resolve(SweepCsv.FILE), outDir.resolve(PNG));
        stdout.flush();
        return 0;
    }

    private static int number(Path csv, String cell) {
        try {
            return Integer.parseInt(cell);
        } catch (NumberFormatException e) {
            throw new UserException(csv + " has '" + cell + "' where a point number belongs",
                    "merge the CSVs sweep wrote, unedited");
        }
    }
}
