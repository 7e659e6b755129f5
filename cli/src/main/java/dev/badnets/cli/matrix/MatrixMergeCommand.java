package dev.badnets.cli.matrix;

import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.sweep.ShardOptions;
import dev.badnets.attack.experiment.MatrixCsv;
import dev.badnets.mnist.AtomicFolder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code badnets matrix merge DIR... --out DIR}: the CSVs of the shards of one matrix as one, in
 * table order, with its table and picture. Refuses rows of different matrices, two rows of one cell
 * that disagree, and missing cells ({@link MatrixCsv#merge}), so what it writes is what the
 * unsharded matrix would have written (the seconds aside).
 */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merge the matrix.csv files of the --shard runs of one matrix into OUT/matrix.csv, in table "
                + "order, and write OUT/matrix.md and OUT/matrix.png.",
                "Refuses (exit 2) CSVs of different matrices, disagreeing rows of one cell and missing cells."})
final class MatrixMergeCommand implements Callable<Integer> {

    static final String MD = "matrix.md";
    /** The files merge writes in {@code --out}; the folder is replaced as one set. */
    static final Set<String> FILES = Set.of(MatrixCsv.FILE, MD, MatrixChart.FILE);

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Output folders of the shards (each holding matrix.csv).")
    List<String> dirs;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Folder for the merged matrix.csv, matrix.md and matrix.png.")
    String out;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        OutputFiles paths = new OutputFiles();
        List<List<MatrixCsv.Row>> shards = new ArrayList<>();
        for (Path csv : ShardOptions.shardCsvs(dirs, MatrixCsv.FILE, "matrix", paths)) {
            shards.add(MatrixCsv.read(csv));
        }
        Path outDir = paths.folder("--out", out).check().path("--out");
        List<MatrixCsv.Row> rows = MatrixCsv.merge(shards);
        try (AtomicFolder written = OutputFiles.begin(outDir, "--out", FILES)) {
            MatrixCommand.writeAll(rows, written.staging().resolve(MatrixCsv.FILE), written.staging().resolve(MD),
                    written.staging().resolve(MatrixChart.FILE));
            written.commit();
        }
        stdout.printf("merged %d cells from %d CSVs into %s%n", rows.size(), shards.size(), outDir);
        stdout.flush();
        return 0;
    }
}
