package dev.badnets.cli.sweep;

import dev.badnets.attack.experiment.Shard;
import dev.badnets.cli.Check;
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

    /** The shard asked for, the whole grid without --shard; exit 2 for a bad --shard or --parallel. */
    public Shard shard() {
        Shard part = shard == null ? Shard.ALL : Shard.parse(shard);
        if (parallel != null) {
            Check.atLeast("--parallel", parallel, 1);
        }
        return part;
    }
}
