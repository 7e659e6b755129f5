package dev.badnets.attack.experiment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A grid of experiments: each axis a list of values, the grid their product. Points are numbered
 * from 1 in row-major order over the axes in the order given (the order of the CSV columns): the
 * first axis varies slowest, the last fastest. Values are kept as text, the way the CSV shows them.
 * {@link Shard} splits the points among machines.
 *
 * @param <A> the kind of axis (a sweep's, a matrix's)
 */
public final class Grid<A extends Grid.Axis> {

    /** The most points a grid may have: each is a trained model, and the CSV is rewritten after each. */
    public static final int MAX_POINTS = 100_000;

    /** One axis of a grid. */
    public interface Axis {
        /** The CSV column of its values. */
        String column();

        /** The name its values were listed under (a command-line flag), for messages. */
        String flag();

        /** Whether its values are numbers (so that a chart can plot against it). */
        boolean numeric();
    }

    /**
     * One point: its number in the grid (1 to size) and the value of every axis of the grid.
     *
     * @param number position in grid order, from 1
     * @param values each axis of the grid to its value, in grid order
     */
    public record Point<A extends Axis>(int number, Map<A, String> values) {
        /** The value of {@code axis}, or null when the grid does not vary it. */
        public String get(A axis) {
            return values.get(axis);
        }

        /** {@code poison_count=10 seed=2}: the values in axis order. */
        public String describe() {
            StringBuilder s = new StringBuilder();
            values.forEach((axis, value) -> s.append(s.length() == 0 ? "" : " ").append(axis.column()).append('=')
                    .append(value));
            return s.toString();
        }

        /** The point's cells of a CSV row: each axis's column to its value, in grid order. */
        public Map<String, String> cells() {
            Map<String, String> row = new LinkedHashMap<>();
            values.forEach((axis, value) -> row.put(axis.column(), value));
            return row;
        }
    }

    private final Map<A, List<String>> axes;
    private final int size;

    /**
     * @param axes each axis of the grid to its values, at least one each, none twice, in grid order
     *             (an ordered map); axes left out are not varied
     * @throws IllegalArgumentException when an axis is empty or repeats a value, or the grid exceeds
     *                                  {@link #MAX_POINTS} (problem, then the fix after "; ")
     */
    public Grid(Map<A, List<String>> axes) {
        Map<A, List<String>> copy = new LinkedHashMap<>();
        long product = 1;
        for (Map.Entry<A, List<String>> e : axes.entrySet()) {
            A axis = e.getKey();
            List<String> values = List.copyOf(e.getValue());
            if (values.isEmpty()) {
                throw new IllegalArgumentException(axis.flag() + " is empty; list at least one value, e.g. "
                        + axis.flag() + " " + (axis.numeric() ? "1,2" : "a,b"));
            }
            Set<String> seen = new HashSet<>();
            for (String v : values) {
                if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                    throw new IllegalArgumentException(axis.flag() + " lists a value with a line break; remove it");
                }
                if (!seen.add(v)) {
                    throw new IllegalArgumentException(axis.flag() + " lists " + v + " twice; list each value once");
                }
            }
            product *= values.size();
            if (product > MAX_POINTS) {
                throw new IllegalArgumentException("the grid has more than " + MAX_POINTS + " points; "
                        + "split it into several sweeps with fewer values per axis");
            }
            copy.put(axis, values);
        }
        this.axes = Collections.unmodifiableMap(copy);
        this.size = (int) product;
    }

    /** The varied axes, in grid order, with their values. */
    public Map<A, List<String>> axes() {
        return axes;
    }

    /** Number of points: the product of the axes' lengths. */
    public int size() {
        return size;
    }

    /** Point {@code number} (from 1): its index in mixed radix, the last axis the fastest digit. */
    public Point<A> point(int number) {
        if (number < 1 || number > size) {
            throw new IndexOutOfBoundsException("point " + number + " of " + size);
        }
        List<A> order = new ArrayList<>(axes.keySet());
        String[] chosen = new String[order.size()];
        int rest = number - 1;
        for (int i = order.size() - 1; i >= 0; i--) {
            List<String> v = axes.get(order.get(i));
            chosen[i] = v.get(rest % v.size());
            rest /= v.size();
        }
        Map<A, String> values = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            values.put(order.get(i), chosen[i]);
        }
        return new Point<>(number, Collections.unmodifiableMap(values));
    }

    /** The points of {@code shard}, in grid order. */
    public List<Point<A>> points(Shard shard) {
        List<Point<A>> points = new ArrayList<>();
        for (int n = shard.index(); n <= size; n += shard.count()) {
            points.add(point(n));
        }
        return points;
    }

    /** {@code poison_count 2 x trigger_size 2 x seed 2}. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        axes.forEach((axis, values) -> s.append(s.length() == 0 ? "" : " x ").append(axis.column()).append(' ')
                .append(values.size()));
        return s.toString();
    }
}
