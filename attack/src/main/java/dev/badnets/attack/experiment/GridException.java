package dev.badnets.attack.experiment;

/**
 * A grid's files do not fit together: a CSV that is not a grid's, rows of another grid, a point in
 * two shards. The message names the problem in the library's terms; {@link #reason()} tells a
 * caller which advice to add (a command line names its own flags).
 */
public final class GridException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** What does not fit. */
    public enum Reason {
        /** The file is not a CSV of this kind of grid (or too large, or not text). */
        NOT_A_GRID_CSV,
        /** The CSV holds finished rows whose configuration is no point of this grid. */
        OTHER_ROWS,
        /** CSVs to merge come from different grids. */
        OTHER_GRID,
        /** A point is in two of the CSVs to merge. */
        POINT_TWICE
    }

    private final Reason reason;

    GridException(Reason reason, String problem) {
        super(problem);
        this.reason = reason;
    }

    /** Which kind of problem this is. */
    public Reason reason() {
        return reason;
    }
}
