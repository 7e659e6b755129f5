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
 * by its shards); last {@code failure}: empty for a measured cell, else why the cell could not be
 * computed, and then the four figures are empty (never a number that was not measured). Figures are
 * written as Java prints a double, so a row read back is the row written, bit for bit. Files are
 * only ever replaced whole ({@link AtomicFiles}). Files written before the {@code failure} column
 * existed (the same header without it) are read as measured rows.
 */
public final class MatrixCsv {

    public static final String FILE = "matrix.csv";
    public static final List<String> HEADER = List.of("attack", "defense", "seed", "clean_accuracy",
            "attack_success_rate", "robust_accuracy", "der", "seconds", "cell", "cells", "config", "matrix", "failure");
    /** The header before the {@code failure} column: still read, so that older runs' folders resume. */
    static final List<String> HEADER_WITHOUT_FAILURE = HEADER.subList(0, HEADER.size() - 1);
    /** A failure's reason is cut to this many characters: a line of the table, not a stack trace. */
    static final int MAX_REASON = 160;
    /** Larger files are refused before they are read: far above the largest matrix's rows. */
    static final long MAX_BYTES = 16L << 20;

    private MatrixCsv() {
    }

    /**
     * One row: a cell's figures and its bookkeeping.
     *
     * @param metrics the cell's figures; null when the cell failed
     * @param der     its DER; NaN when the cell failed
     * @param failure empty for a measured cell; else why it could not be computed (one line, no commas)
     */
    public record Row(String attack, String defense, long seed, CellMetrics metrics, double der, double seconds,
                      int cell, int cells, String config, String matrix, String failure) {

        public Row {
            java.util.Objects.requireNonNull(failure, "failure");
            if (failure.isEmpty()) {
                if (metrics == null || !finite(metrics) || !Double.isFinite(der)) {
                    throw new IllegalArgumentException("a measured cell needs finite figures, got " + metrics + " and DER "
                            + der + "; record the cell as failed instead");
                }
            } else if (metrics != null || !Double.isNaN(der) || !failure.equals(reason(failure))) {
                throw new IllegalArgumentException("a failed cell has no figures and a one-line reason without commas");
            }
        }

        /** A measured cell. */
        public Row(String attack, String defense, long seed, CellMetrics metrics, double der, double seconds,
                   int cell, int cells, String config, String matrix) {
            this(attack, defense, seed, metrics, der, seconds, cell, cells, config, matrix, "");
        }

        /** A cell that could not be computed, and why ({@link MatrixCsv#reason} makes it one line). */
        public static Row failed(String attack, String defense, long seed, String why, double seconds, int cell,
                                 int cells, String config, String matrix) {
            return new Row(attack, defense, seed, null, Double.NaN, seconds, cell, cells, config, matrix, reason(why));
        }

        /** Whether the cell could not be computed (then it has no figures). */
        public boolean failed() {
            return !failure.isEmpty();
        }

        String line() {
            CellMetrics m = metrics;
            return String.join(",", attack, defense, Long.toString(seed),
                    m == null ? "" : Double.toString(m.cleanAccuracy()),
                    m == null ? "" : Double.toString(m.attackSuccessRate()),
                    m == null ? "" : Double.toString(m.robustAccuracy()), m == null ? "" : Double.toString(der),
                    Double.toString(seconds), Integer.toString(cell), Integer.toString(cells), config, matrix, failure);
        }

        /** This row as cell {@code number} of a matrix of {@code total} cells hashed {@code matrixHash}. */
        public Row placed(int number, int total, String matrixHash) {
            return new Row(attack, defense, seed, metrics, der, seconds, number, total, config, matrixHash, failure);
        }

        /** This row without its timing, for comparing runs. */
        public Row withoutSeconds() {
            return new Row(attack, defense, seed, metrics, der, 0, cell, cells, config, matrix, failure);
        }

        private static boolean finite(CellMetrics m) {
            return Double.isFinite(m.cleanAccuracy()) && Double.isFinite(m.attackSuccessRate())
                    && Double.isFinite(m.robustAccuracy());
        }
    }

    /**
     * {@code why} as a failure's reason: its first line, commas turned to semicolons (the CSV has no
     * quoting), cut to {@link #MAX_REASON} characters; "failed" when nothing is left.
     */
    public static String reason(String why) {
        String text = why == null ? "" : why.strip();
        int newline = text.indexOf('\n');
        if (newline >= 0) {
            text = text.substring(0, newline).strip();
        }
        text = text.replace(',', ';').replace('\r', ' ');
        if (text.length() > MAX_REASON) {
            text = text.substring(0, MAX_REASON - 3) + "...";
        }
        return text.isEmpty() ? "failed" : text;
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
        boolean withFailure = !lines.isEmpty() && lines.get(0).equals(String.join(",", HEADER));
        if (!withFailure && (lines.isEmpty() || !lines.get(0).equals(String.join(",", HEADER_WITHOUT_FAILURE)))) {
            throw new IllegalArgumentException(file + " is not a matrix CSV: its header is not "
                    + String.join(",", HEADER) + "; pass the matrix.csv a matrix run wrote");
        }
        int columns = withFailure ? HEADER.size() : HEADER_WITHOUT_FAILURE.size();
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] c = lines.get(i).split(",", -1);
            if (c.length != columns) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + " has " + c.length + " cells, expected "
                        + columns + "; pass the matrix.csv a matrix run wrote");
            }
            String failure = withFailure ? c[12] : "";
            try {
                CellMetrics metrics = failure.isEmpty() ? new CellMetrics(Double.parseDouble(c[3]),
                        Double.parseDouble(c[4]), Double.parseDouble(c[5])) : null;
                if (!failure.isEmpty() && !(c[3] + c[4] + c[5] + c[6]).isEmpty()) {
                    throw new IllegalArgumentException("a failed cell with figures");
                }
                rows.add(new Row(c[0], c[1], Long.parseLong(c[2]), metrics,
                        failure.isEmpty() ? Double.parseDouble(c[6]) : Double.NaN, Double.parseDouble(c[7]),
                        Integer.parseInt(c[8]), Integer.parseInt(c[9]), c[10], c[11], failure));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + " holds a malformed number ("
                        + e.getMessage() + "); pass the matrix.csv a matrix run wrote");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + " is not a row a matrix run writes ("
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
