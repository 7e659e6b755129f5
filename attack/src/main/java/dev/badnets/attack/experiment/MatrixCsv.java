package dev.badnets.attack.experiment;

import dev.badnets.mnist.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * {@code matrix.csv}: a header, then one row per cell (attack, defense, seed) in table order. The
 * columns: {@link #HEADER}: {@code attack}, {@code defense}, {@code seed}, {@code clean_accuracy},
 * {@code attack_success_rate}, {@code robust_accuracy}, {@code der}, {@code seconds}, then the
 * bookkeeping that makes resuming and merging safe: {@code cell} (the cell's number in table order,
 * from 1), {@code cells} (how many the whole matrix has), {@code config} (a hash of everything that
 * decides the cell's figures) and {@code matrix} (a hash of the whole matrix's configuration, shared
 * by its shards). Figures are written as Java prints a double, so a row read back is the row
 * written, bit for bit. Files are only ever replaced whole ({@link AtomicFiles}).
 */
public final class MatrixCsv {

    public static final String FILE = "matrix.csv";
    public static final List<String> HEADER = List.of("attack", "defense", "seed", "clean_accuracy",
            "attack_success_rate", "robust_accuracy", "der", "seconds", "cell", "cells", "config", "matrix");
    /** Larger files are refused before they are read: far above the largest matrix's rows. */
    static final long MAX_BYTES = 16L << 20;

    private MatrixCsv() {
    }

    /** One row: a cell's figures and its bookkeeping. */
    public record Row(String attack, String defense, long seed, CellMetrics metrics, double der, double seconds,
                      int cell, int cells, String config, String matrix) {

        String line() {
            return String.join(",", attack, defense, Long.toString(seed), Double.toString(metrics.cleanAccuracy()),
                    Double.toString(metrics.attackSuccessRate()), Double.toString(metrics.robustAccuracy()),
                    Double.toString(der), Double.toString(seconds), Integer.toString(cell), Integer.toString(cells),
                    config, matrix);
        }

        /** This row as cell {@code number} of a matrix of {@code total} cells hashed {@code matrixHash}. */
        public Row placed(int number, int total, String matrixHash) {
            return new Row(attack, defense, seed, metrics, der, seconds, number, total, config, matrixHash);
        }

        /** This row without its timing, for comparing runs. */
        public Row withoutSeconds() {
            return new Row(attack, defense, seed, metrics, der, 0, cell, cells, config, matrix);
        }
    }

    /** Replaces {@code file} with the header and {@code rows}, whole or not at all. */
    public static void write(Path file, Collection<Row> rows) throws IOException {
        StringBuilder text = new StringBuilder(String.join(",", HEADER)).append('\n');
        for (Row row : rows) {
            text.append(row.line()).append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    static void writeCell(Path file, Row row) throws IOException {
        write(file, List.of(row));
    }

    /** The row of a cell file; null when there is none yet. */
    static Row readCell(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        List<Row> rows = read(file);
        if (rows.size() != 1) {
            throw new IllegalArgumentException(file + " should hold one cell's row, but holds " + rows.size()
                    + "; delete it to run the cell again");
        }
        return rows.get(0);
    }

    /**
     * The rows of a matrix CSV.
     *
     * @throws IllegalArgumentException naming the file and the problem when it is not one this class wrote
     */
    public static List<Row> read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IllegalArgumentException(file + " is larger than a matrix CSV can be (" + (MAX_BYTES >> 20)
                    + " MB); pass the matrix.csv a matrix run wrote");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(String.join(",", HEADER))) {
            throw new IllegalArgumentException(file + " is not a matrix CSV: its header is not "
                    + String.join(",", HEADER) + "; pass the matrix.csv a matrix run wrote");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] c = lines.get(i).split(",", -1);
            if (c.length != HEADER.size()) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + " has " + c.length + " cells, expected "
                        + HEADER.size() + "; pass the matrix.csv a matrix run wrote");
            }
            try {
                rows.add(new Row(c[0], c[1], Long.parseLong(c[2]), new CellMetrics(Double.parseDouble(c[3]),
                        Double.parseDouble(c[4]), Double.parseDouble(c[5])), Double.parseDouble(c[6]),
                        Double.parseDouble(c[7]), Integer.parseInt(c[8]), Integer.parseInt(c[9]), c[10], c[11]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + " holds a malformed number ("
                        + e.getMessage() + "); pass the matrix.csv a matrix run wrote");
            }
        }
        return rows;
    }

    /**
     * The rows of the shards of one matrix, joined in table order.
     *
     * @throws IllegalArgumentException when the files hold rows of different matrices, two rows of
     *                                  one cell that disagree, or not every cell
     */
    public static List<Row> merge(List<List<Row>> shards) {
        List<Row> all = new ArrayList<>();
        shards.forEach(all::addAll);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("the shard files hold no rows; pass the matrix.csv of each shard");
        }
        String matrix = all.get(0).matrix();
        int cells = all.get(0).cells();
        Row[] byCell = new Row[cells];
        for (Row row : all) {
            if (!row.matrix().equals(matrix) || row.cells() != cells) {
                throw new IllegalArgumentException("the files hold rows of different matrices (matrix " + matrix
                        + " and " + row.matrix() + "); merge the shards of one matrix run");
            }
            if (row.cell() < 1 || row.cell() > cells) {
                throw new IllegalArgumentException("cell " + row.cell() + " is outside 1 to " + cells);
            }
            Row seen = byCell[row.cell() - 1];
            if (seen != null && !seen.withoutSeconds().equals(row.withoutSeconds())) {
                throw new IllegalArgumentException("two rows of cell " + row.cell() + " (" + row.attack() + ", "
                        + row.defense() + ", seed " + row.seed() + ") disagree; rerun that cell");
            }
            byCell[row.cell() - 1] = seen != null ? seen : row;
        }
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < cells; i++) {
            if (byCell[i] == null) {
                missing.add(i + 1);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the shards miss " + missing.size() + " of the " + cells + " cells (first: "
                    + missing.get(0) + "); run the missing shards, then merge again");
        }
        List<Row> rows = new ArrayList<>(List.of(byCell));
        rows.sort(Comparator.comparingInt(Row::cell));
        return rows;
    }
}
