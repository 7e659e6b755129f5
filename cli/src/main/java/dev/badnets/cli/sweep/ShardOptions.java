package dev.badnets.cli.sweep;

import dev.badnets.attack.experiment.Shard;
import dev.badnets.cli.Check;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How a grid runs: which shard, how many points at once, a dry run, and what to do with rows of another grid. */
public final class ShardOptions {

    @Option(names = "--shard", paramLabel = "K/N",
            description = "Run only the K-th of N parts of the grid (points K, K+N, K+2N, ...); merge the parts' "
                    + "CSVs with `sweep merge`.")
    public String shard;

    @Option(names = "--parallel", paramLabel = "N",
            description = "Points trained at once (default: cores / --threads).")
    public Integer parallel;

    @Option(names = "--dry-run", description = "Check every point against the data, list the points and their "
            + "number, then stop.")
    public boolean dryRun;

    @Option(names = "--discard-other-rows", description = "Drop the rows of OUT/sweep.csv that are no point of "
            + "this grid (without it, such rows are refused, exit 2, so that a changed flag never loses finished "
            + "rows).")
    public boolean discardOtherRows;

    /** Parses {@code K/N}; exit 2 naming the problem otherwise. */
    public static Shard parse(String spec) {
        String fix = "pass --shard K/N with 1 <= K <= N, e.g. --shard 1/4";
        String[] parts = spec.trim().split("/", -1);
        int k;
        int n;
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            k = Integer.parseInt(parts[0].trim());
            n = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new UserException("--shard must be K/N, got '" + spec + "'", fix);
        }
        if (n < 1 || k < 1 || k > n) {
            throw new UserException("--shard " + spec + " names no shard: K must be from 1 to N", fix);
        }
        return new Shard(k, n);
    }

    /**
     * For {@code merge}: the CSV {@code file} in each of the shards' output folders {@code dirs}, in
     * order, each added to {@code paths} as an input; exit 2 naming a folder without one, the fix
     * naming {@code command}'s --shard runs.
     */
    public static List<Path> shardCsvs(List<String> dirs, String file, String command, OutputFiles paths) {
        List<Path> csvs = new ArrayList<>();
        for (String dir : dirs) {
            Path csv = Path.of(dir).resolve(file);
            if (!Files.isRegularFile(csv)) {
                throw new UserException("no " + file + " in " + dir,
                        "pass the --out folders of the " + command + " --shard runs");
            }
            paths.input("DIR", csv);
            csvs.add(csv);
        }
        return csvs;
    }

    /** The shard asked for, the whole grid without --shard; exit 2 for a bad --shard or --parallel. */
    public Shard shard() {
        Shard part = shard == null ? Shard.ALL : parse(shard);
        if (parallel != null) {
            Check.atLeast("--parallel", parallel, 1);
        }
        return part;
    }
}
