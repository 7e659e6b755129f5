package dev.badnets.cli.sweep;

import dev.badnets.attack.experiment.Grid;

/** The axes of a sweep, in grid and column order; each listed by its flag. */
public enum SweepAxis implements Grid.Axis {
    POISON_COUNT("poison_count", "--poison-counts", true),
    POISON_RATE("poison_rate", "--poison-rates", true),
    ATTACK("attack", "--attacks", false),
    TRIGGER_SIZE("trigger_size", "--trigger-sizes", true),
    TRIGGER("trigger", "--triggers", false),
    TARGET("target", "--targets", true),
    MODEL("model", "--models", false),
    EPOCHS("epochs", "--epochs", true),
    SEED("seed", "--seeds", true),
    DEFEND("defend", "--defend", false);

    private final String column;
    private final String flag;
    private final boolean numeric;

    SweepAxis(String column, String flag, boolean numeric) {
        this.column = column;
        this.flag = flag;
        this.numeric = numeric;
    }

    @Override
    public String column() {
        return column;
    }

    @Override
    public String flag() {
        return flag;
    }

    @Override
    public boolean numeric() {
        return numeric;
    }

    /** The axis whose CSV column is {@code column}, or null. */
    static SweepAxis ofColumn(String column) {
        for (SweepAxis a : values()) {
            if (a.column.equals(column)) {
                return a;
            }
        }
        return null;
    }
}
