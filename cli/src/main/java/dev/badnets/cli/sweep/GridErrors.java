package dev.badnets.cli.sweep;

import dev.badnets.attack.experiment.GridException;
import dev.badnets.cli.UserException;

/** The command line's advice for a grid's files that do not fit together (sweep's, or any grid command's). */
public final class GridErrors {

    private GridErrors() {
    }

    /**
     * {@code e} as the user's one line: the library's problem, and what to do, naming the flags.
     *
     * @param kind the command whose files they are ({@code sweep}, {@code matrix})
     */
    public static UserException of(GridException e, String kind) {
        String fix = switch (e.reason()) {
            case NOT_A_GRID_CSV -> "pass a " + kind + ".csv that " + kind + " wrote, or move this one away and choose "
                    + "another --out";
            case OTHER_ROWS -> "rerun with the flags that wrote them to resume, choose another --out, or pass "
                    + "--discard-other-rows to drop them";
            case OTHER_GRID -> "merge the shards of one " + kind + ": same axes and flags, different --shard only";
            case POINT_TWICE -> "pass each shard's folder once, and shards of one --shard K/N split";
        };
        return new UserException(e.getMessage(), fix);
    }
}
