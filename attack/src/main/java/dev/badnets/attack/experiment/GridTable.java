package dev.badnets.attack.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rows of one grid's CSV while the grid runs: {@link #resume} keeps the finished rows of an
 * earlier run whose configuration is a point of this grid, {@link #put} adds a point's row and
 * rewrites the file whole, so a kill loses only the points in flight and a rerun skips every point
 * already in the file. Thread-safe: points finishing on several threads may {@link #put} at once.
 *
 * <p>Use: build it with every point's config key in grid order, {@link #resume} (which writes the
 * kept rows), run the points it returns, {@link #put} each one's figures as it ends.
 */
public final class GridTable {

    private final GridCsv format;
    private final String kind;
    private final Path csv;
    private final List<String> header;
    private final List<String> configs;
    private final String gridKey;
    private final List<? extends Grid.Axis> knownAxes;
    private final TreeMap<Integer, Map<String, String>> rows = new TreeMap<>();

    /** What {@link #resume} found: the points still to run, and how many earlier rows it kept and dropped. */
    public record Resumed<A extends Grid.Axis>(List<Grid.Point<A>> todo, int kept, int discarded) {}

    /**
     * @param kind      the program writing the CSV, for messages ({@code sweep}, {@code matrix})
     * @param csv       the file, replaced whole on every write
     * @param header    its columns ({@link GridCsv#header})
     * @param configs   every point's config key ({@link GridKeys#hash} of its settings), in grid order
     * @param knownAxes every axis such a grid may have, to name an earlier row in messages
     */
    public GridTable(String kind, Path csv, List<String> header, List<String> configs,
                     List<? extends Grid.Axis> knownAxes) {
        this.format = new GridCsv(kind);
        this.kind = kind;
        this.csv = csv;
        this.header = List.copyOf(header);
        this.configs = List.copyOf(configs);
        this.gridKey = GridKeys.gridHash(configs);
        this.knownAxes = List.copyOf(knownAxes);
    }

    /**
     * Reads the earlier rows of the CSV, if it exists, keeps those whose config key is a point of
     * the grid (whatever its shard), and writes the file with the kept rows only.
     *
     * @param points        every point of the grid, in grid order (their config keys as given)
     * @param shard         the part of the grid this run trains
     * @param discardOthers drop earlier rows that are no point of this grid, instead of refusing them
     * @return the points of {@code shard} not yet in the file, in grid order
     * @throws IllegalArgumentException when the file holds rows of another grid and
     *                                  {@code discardOthers} is false, or is not such a CSV
     */
    public synchronized <A extends Grid.Axis> Resumed<A> resume(List<Grid.Point<A>> points, Shard shard,
                                                                boolean discardOthers) throws IOException {
        Map<String, Map<String, String>> earlier = new LinkedHashMap<>();
        if (Files.exists(csv)) {
            format.read(csv).rows().forEach(row -> earlier.put(row.get(GridCsv.CONFIG), row));
        }
        List<Grid.Point<A>> todo = new ArrayList<>();
        int kept = 0;
        for (Grid.Point<A> p : points) {
            Map<String, String> old = earlier.remove(configs.get(p.number() - 1));
            if (old == null) {
                if (shard.holds(p)) {
                    todo.add(p);
                }
            } else {
                Map<String, String> row = p.cells();
                for (String c : header) {
                    if (!row.containsKey(c) && !GridCsv.BOOKKEEPING.contains(c)) {
                        row.put(c, old.getOrDefault(c, ""));
                    }
                }
                rows.put(p.number(), bookkeeping(row, p.number()));
                kept++;
            }
        }
        if (!earlier.isEmpty() && !discardOthers) {
            Map<String, String> first = earlier.values().iterator().next();
            throw new IllegalArgumentException(csv + " holds " + earlier.size() + " finished "
                    + (earlier.size() == 1 ? "row" : "rows") + " that are no point of this " + kind + " (the first: "
                    + describe(first) + "), which rewriting it would lose; rerun with the flags that wrote "
                    + "them to resume, choose another --out, or pass --discard-other-rows to drop them");
        }
        GridCsv.write(csv, header, rows.values()); // the header first, and no row of another configuration
        return new Resumed<>(todo, kept, earlier.size());
    }

    /**
     * Adds the row of a finished point and rewrites the file.
     *
     * @param point   the point
     * @param figures its figure cells and {@link GridCsv#SECONDS}, by column
     */
    public synchronized void put(Grid.Point<?> point, Map<String, String> figures) throws IOException {
        Map<String, String> row = point.cells();
        row.putAll(figures);
        rows.put(point.number(), bookkeeping(row, point.number()));
        GridCsv.write(csv, header, rows.values());
    }

    /** The rows so far, in grid order (a copy). */
    public synchronized List<Map<String, String>> rows() {
        return new ArrayList<>(rows.values());
    }

    /** The header of the file. */
    public List<String> header() {
        return header;
    }

    private Map<String, String> bookkeeping(Map<String, String> row, int number) {
        row.put(GridCsv.POINT, Integer.toString(number));
        row.put(GridCsv.GRID_POINTS, Integer.toString(configs.size()));
        row.put(GridCsv.CONFIG, configs.get(number - 1));
        row.put(GridCsv.GRID, gridKey);
        return row;
    }

    /** A row's axis values, as {@link Grid.Point#describe} shows them. */
    private String describe(Map<String, String> row) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, String> e : row.entrySet()) {
            if (knownAxes.stream().anyMatch(a -> a.column().equals(e.getKey()))) {
                s.append(s.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(e.getValue());
            }
        }
        return s.length() == 0 ? "config " + row.get(GridCsv.CONFIG) : s.toString();
    }
}
