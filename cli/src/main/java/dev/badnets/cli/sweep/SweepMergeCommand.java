package dev.badnets.cli.sweep;

import dev.badnets.attack.experiment.GridCsv;
import dev.badnets.attack.experiment.GridException;
import dev.badnets.attack.experiment.GridMerge;
import dev.badnets.cli.OutputFiles;

import dev.badnets.mnist.AtomicFolder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    static final Set<String> FILES = Set.of(SweepCommand.CSV, PNG);

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
        List<Path> csvs = ShardOptions.shardCsvs(dirs, SweepCommand.CSV, "sweep", paths);
        Path outDir = paths.folder("--out", out).check().path("--out");

        GridCsv.Table merged;
        try {
            merged = GridMerge.merge("sweep", csvs);
        } catch (GridException e) {
            throw GridErrors.of(e, "sweep");
        }
        List<String> header = merged.header();
        List<Map<String, String>> rows = merged.rows();

        try (AtomicFolder written = OutputFiles.begin(outDir, "--out", FILES)) {
            GridCsv.write(written.staging().resolve(SweepCommand.CSV), header, rows);
            SweepChart.write(SweepChart.chart(header, rows), written.staging().resolve(PNG));
            written.commit();
        }
        stdout.printf("merged %d points from %d CSVs into %s and %s%n", rows.size(), csvs.size(),
                outDir.resolve(SweepCommand.CSV), outDir.resolve(PNG));
        stdout.flush();
        return 0;
    }
}
