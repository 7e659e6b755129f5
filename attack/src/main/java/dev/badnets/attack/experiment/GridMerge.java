package dev.badnets.attack.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CSVs of the shards of one grid as one table, in grid order. Refuses CSVs of different grids,
 * a point in two of them, a grid with points in none of them, and config keys that do not hash to
 * their grid key, so the table is what the unsharded run would have written.
 */
public final class GridMerge {

    private GridMerge() {
    }

    /**
     * @param kind the program that wrote the CSVs, for messages ({@code sweep}, {@code matrix})
     * @param csvs the shards' CSVs
     * @return the header and every point's row, in grid order
     * @throws IllegalArgumentException naming the first problem, then the fix after "; "
     */
    public static GridCsv.Table merge(String kind, List<Path> csvs) throws IOException {
        GridCsv format = new GridCsv(kind);
        List<String> header = null;
        String grid = null;
        int gridPoints = 0;
        Path first = null;
        TreeMap<Integer, Map<String, String>> rows = new TreeMap<>();
        Map<Integer, Path> from = new TreeMap<>();
        for (Path csv : csvs) {
            GridCsv.Table table = format.read(csv);
            for (Map<String, String> row : table.rows()) {
                if (grid == null) {
                    grid = row.get(GridCsv.GRID);
                    header = table.header();
                    first = csv;
                    gridPoints = number(csv, row.get(GridCsv.GRID_POINTS), kind);
                } else if (!grid.equals(row.get(GridCsv.GRID)) || !header.equals(table.header())) {
                    throw new IllegalArgumentException(csv + " holds points of another grid than " + first
                            + "; merge the shards of one " + kind + ": same axes and flags, different --shard only");
                }
                int point = number(csv, row.get(GridCsv.POINT), kind);
                Path earlier = from.put(point, csv);
                if (earlier != null) {
                    throw new IllegalArgumentException("point " + point + " is in both " + earlier + " and " + csv
                            + "; pass each shard's folder once, and shards of one --shard K/N split");
                }
                rows.put(point, row);
            }
        }
        if (grid == null) {
            throw new IllegalArgumentException("the CSVs hold no points; run the shards first, then merge their folders");
        }
        if (rows.size() != gridPoints || rows.firstKey() != 1 || rows.lastKey() != gridPoints) {
            List<Integer> missing = new ArrayList<>();
            for (int n = 1; n <= gridPoints && missing.size() < 10; n++) {
                if (!rows.containsKey(n)) {
                    missing.add(n);
                }
            }
            throw new IllegalArgumentException("the CSVs hold " + rows.size() + " of the grid's " + gridPoints
                    + " points (missing " + missing + (gridPoints - rows.size() > missing.size() ? "..." : "") + ")"
                    + "; finish the shards that lack them (rerun them: they resume), then merge again");
        }
        // the grid key is the hash of every point's config key in order: an edited or mixed-up key shows here
        String recomputed = GridKeys.gridHash(rows.values().stream().map(r -> r.get(GridCsv.CONFIG)).toList());
        if (!recomputed.equals(grid)) {
            throw new IllegalArgumentException("the config keys of the CSVs' points hash to " + recomputed
                    + ", not to their grid " + grid + ": a CSV was edited; merge the CSVs " + kind
                    + " wrote, unedited (rerun an edited shard)");
        }
        return new GridCsv.Table(header, new ArrayList<>(rows.values()));
    }

    private static int number(Path csv, String cell, String kind) {
        try {
            return Integer.parseInt(cell);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(csv + " has '" + cell + "' where a point number belongs; merge the CSVs "
                    + kind + " wrote, unedited");
        }
    }
}
