package dev.badnets.cli;

import dev.badnets.mnist.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sweep.csv}, long form: a header, then one row per point of the grid in grid order. The
 * columns: the grid's axes ({@link SweepGrid.Axis#column}), {@link #RESULTS}, {@link #DEFENSE} when
 * the grid defends, {@code seconds}, then the bookkeeping columns that make resuming and merging
 * safe ({@link #BOOKKEEPING}). The file is only ever replaced whole ({@link AtomicFiles}), so a
 * reader, or a run killed at any moment, sees the rows of the last write, never half a row.
 */
final class SweepCsv {

    static final String FILE = "sweep.csv";
    static final List<String> RESULTS = List.of("clean_accuracy", "attack_success_rate",
            "attack_success_rate_all_images");
    /** The defense's figures; empty on rows of {@code --defend none}. */
    static final List<String> DEFENSE = List.of("clean_accuracy_after", "attack_success_rate_after", "recall",
            "detection_rate", "false_rejection_rate");
    static final String SECONDS = "seconds";
    /** The point's number in grid order (from 1). */
    static final String POINT = "point";
    /** How many points the whole grid has, shards included. */
    static final String GRID_POINTS = "grid_points";
    /** A hash of everything that decides the point's figures: the key by which a rerun skips it. */
    static final String CONFIG = "config";
    /** A hash of every point's configuration in order: shards of one grid share it. */
    static final String GRID = "grid";
    static final List<String> BOOKKEEPING = List.of(POINT, GRID_POINTS, CONFIG, GRID);

    /** Larger files are refused rather than read: the largest grid's rows fit many times over. */
    static final long MAX_BYTES = 256L << 20;

    /** A header and rows, each row a map from column to cell. */
    record Table(List<String> header, List<Map<String, String>> rows) {}

    private SweepCsv() {
    }

    /** The header of a grid with {@code axes} (in grid order); {@code defended}: whether any point defends. */
    static List<String> header(Collection<SweepGrid.Axis> axes, boolean defended) {
        List<String> header = new ArrayList<>();
        axes.forEach(a -> header.add(a.column));
        header.addAll(RESULTS);
        if (defended) {
            header.addAll(DEFENSE);
        }
        header.add(SECONDS);
        header.addAll(BOOKKEEPING);
        return header;
    }

    /** Replaces {@code file} with {@code header} and {@code rows}, whole or not at all. */
    static void write(Path file, List<String> header, Collection<Map<String, String>> rows) throws IOException {
        StringBuilder text = new StringBuilder(String.join(",", header)).append('\n');
        for (Map<String, String> row : rows) {
            for (int i = 0; i < header.size(); i++) {
                text.append(i == 0 ? "" : ",").append(quoted(row.getOrDefault(header.get(i), "")));
            }
            text.append('\n');
        }
        AtomicFiles.write(file, out -> out.write(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Reads a sweep CSV written by {@link #write}. A last line without its newline is ignored: this
     * program never leaves one, but a copy cut short might.
     *
     * @throws UserException when the file is not a sweep CSV of this program (exit 2)
     */
    static Table read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw notOurs(file, "is larger than " + (MAX_BYTES >> 20) + " MB");
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        List<String> lines = end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
            throw notOurs(file, "has no header");
        }
        List<String> header = split(lines.get(0));
        if (!header.containsAll(BOOKKEEPING)) {
            throw notOurs(file, "lacks the columns " + String.join(", ", BOOKKEEPING));
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            List<String> cells = split(lines.get(i));
            if (cells.size() != header.size()) {
                throw notOurs(file, "has " + cells.size() + " cells on line " + (i + 1) + " under a header of "
                        + header.size());
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < header.size(); c++) {
                row.put(header.get(c), cells.get(c));
            }
            rows.add(row);
        }
        return new Table(List.copyOf(header), rows);
    }

    private static UserException notOurs(Path file, String problem) {
        return new UserException(file + " is not a sweep CSV of badnets: it " + problem,
                "move it away, or choose another --out");
    }

    /** A cell as CSV: in quotes, with quotes doubled, when it holds a comma or quote (no cell holds a line break). */
    private static String quoted(String cell) {
        if (cell.indexOf(',') < 0 && cell.indexOf('"') < 0) {
            return cell;
        }
        return '"' + cell.replace("\"", "\"\"") + '"';
    }

    /** The cells of one line written by {@link #quoted}. */
    private static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean inQuotes = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (inQuotes) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    inQuotes = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                inQuotes = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
