package dev.badnets.cli.sweep;

import dev.badnets.cli.UserException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The grid of a sweep: each axis a list of values, the grid their product. Points are numbered in
 * row-major order over the axes in {@link Axis} order (the order of the CSV columns): the first
 * axis varies slowest, the last fastest. Shard K of N holds the points whose number is K modulo N
 * (counting from 1), so every shard gets the grid's size / N points, give or take one, and each
 * shard a mix of every axis value rather than one slow block of it.
 */
public final class SweepGrid {

    /** The most points a grid may have: each is a trained model, and the CSV is rewritten after each. */
    static final int MAX_POINTS = 100_000;

    /** The axes, in grid and column order; a value is kept as text, the way the CSV shows it. */
    enum Axis {
        POISON_COUNT("poison_count", "--poison-counts", true),
        POISON_RATE("poison_rate", "--poison-rates", true),
        TRIGGER_SIZE("trigger_size", "--trigger-sizes", true),
        TRIGGER("trigger", "--triggers", false),
        TARGET("target", "--targets", true),
        MODEL("model", "--models", false),
        EPOCHS("epochs", "--epochs", true),
        SEED("seed", "--seeds", true),
        DEFEND("defend", "--defend", false);

        /** The CSV column. */
        final String column;
        /** The flag listing the values. */
        final String flag;
        /** Whether the values are numbers, so that the chart can use the axis as its x axis. */
        final boolean numeric;

        Axis(String column, String flag, boolean numeric) {
            this.column = column;
            this.flag = flag;
            this.numeric = numeric;
        }

        /** The axis whose CSV column is {@code column}, or null. */
        static Axis ofColumn(String column) {
            for (Axis a : values()) {
                if (a.column.equals(column)) {
                    return a;
                }
            }
            return null;
        }
    }

    /**
     * One point: its number in the grid (1 to size) and the value of every axis of the grid.
     *
     * @param number position in grid order, from 1
     * @param values each axis of the grid to its value
     */
    record Point(int number, Map<Axis, String> values) {
        /** The value of {@code axis}, or null when the grid does not vary it. */
        String get(Axis axis) {
            return values.get(axis);
        }

        /** {@code poison_count=10 seed=2}: the values in axis order. */
        String describe() {
            StringBuilder s = new StringBuilder();
            values.forEach((axis, value) -> s.append(s.length() == 0 ? "" : " ").append(axis.column).append('=')
                    .append(value));
            return s.toString();
        }
    }

    /** {@code --shard K/N}: the K-th of N parts, 1 <= K <= N. */
    record Shard(int index, int count) {
        static final Shard ALL = new Shard(1, 1);

        /** Parses {@code K/N}; exit 2 naming the problem otherwise. */
        static Shard parse(String spec) {
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

        boolean holds(Point p) {
            return (p.number() - 1) % count == index - 1;
        }

        @Override
        public String toString() {
            return index + "/" + count;
        }
    }

    private final Map<Axis, List<String>> axes;
    private final int size;

    /**
     * @param axes each axis of the grid to its values, at least one each, none twice; axes left out
     *             are not varied
     * @throws UserException when an axis is empty or repeats a value, or the grid exceeds {@link #MAX_POINTS}
     */
    SweepGrid(Map<Axis, List<String>> axes) {
        Map<Axis, List<String>> copy = new EnumMap<>(Axis.class);
        long product = 1;
        for (Map.Entry<Axis, List<String>> e : axes.entrySet()) {
            Axis axis = e.getKey();
            List<String> values = List.copyOf(e.getValue());
            if (values.isEmpty()) {
                throw new UserException(axis.flag + " is empty", "list at least one value, e.g. " + axis.flag + " "
                        + (axis.numeric ? "1,2" : "a,b"));
            }
            Set<String> seen = new HashSet<>();
            for (String v : values) {
                if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                    throw new UserException(axis.flag + " lists a value with a line break", "remove it");
                }
                if (!seen.add(v)) {
                    throw new UserException(axis.flag + " lists " + v + " twice", "list each value once");
                }
            }
            product *= values.size();
            if (product > MAX_POINTS) {
                throw new UserException("the grid has more than " + MAX_POINTS + " points",
                        "split it into several sweeps with fewer values per axis");
            }
            copy.put(axis, values);
        }
        this.axes = Collections.unmodifiableMap(copy);
        this.size = (int) product;
    }

    /** The varied axes, in grid order, with their values. */
    Map<Axis, List<String>> axes() {
        return axes;
    }

    /** Number of points: the product of the axes' lengths. */
    int size() {
        return size;
    }

    /** Point {@code number} (from 1): its index in mixed radix, the last axis the fastest digit. */
    Point point(int number) {
        if (number < 1 || number > size) {
            throw new IndexOutOfBoundsException("point " + number + " of " + size);
        }
        Map<Axis, String> values = new EnumMap<>(Axis.class);
        int rest = number - 1;
        List<Axis> order = new ArrayList<>(axes.keySet());
        for (int i = order.size() - 1; i >= 0; i--) {
            List<String> v = axes.get(order.get(i));
            values.put(order.get(i), v.get(rest % v.size()));
            rest /= v.size();
        }
        return new Point(number, Collections.unmodifiableMap(values));
    }

    /** The points of {@code shard}, in grid order. */
    List<Point> points(Shard shard) {
        List<Point> points = new ArrayList<>();
        for (int n = shard.index(); n <= size; n += shard.count()) {
            points.add(point(n));
        }
        return points;
    }
}
