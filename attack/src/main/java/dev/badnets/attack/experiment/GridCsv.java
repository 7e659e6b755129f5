package dev.badnets.attack.experiment;


import dev.badnets.mnist.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The long-form CSV of a grid ({@code sweep.csv}, {@code matrix.csv}): a header, then one row per
 * point in grid order. The columns: the grid's axes ({@link Grid.Axis#column}), the figures, then
 * the bookkeeping columns that make resuming and merging safe ({@link #BOOKKEEPING}). The file is
 * only ever replaced whole ({@link AtomicFiles}), so a reader, or a run killed at any moment, sees
 * the rows of the last write, never half a row.
 */
public final class GridCsv {

    /** The seconds a point took. */
    public static final String SECONDS = "seconds";
    /** The point's number in grid order (from 1). */
    public static final String POINT = "point";
    /** How many points the whole grid has, shards included. */
    public static final String GRID_POINTS = "grid_points";
    /** A hash of everything that decides the point's figures: the key by which a rerun skips it. */
    public static final String CONFIG = "config";
    /** A hash of every point's configuration in order: shards of one grid share it. */
    public static final String GRID = "grid";
    /** The bookkeeping columns, last in every row. */
    public static final List<String> BOOKKEEPING = List.of(POINT, GRID_POINTS, CONFIG, GRID);

    /**
     * Larger files are refused before any byte is read: the largest grid ({@link Grid#MAX_POINTS}
     * rows) at 640 bytes a row, about four times a defended row with long trigger names. Reading holds
     * one line at a time and the cells of the rows, so the memory a CSV costs is bounded by this too.
     */
    public static final long MAX_BYTES = 64L << 20;
    /** The longest line a grid CSV holds, far above any row written. */
    public static final int MAX_LINE = 64 << 10;

    /** A header and rows, each row a map from column to cell. */
    public record Table(List<String> header, List<Map<String, String>> rows) {}

    /** What the file holds, for messages ("sweep": "is not a sweep CSV", "pass a sweep.csv that sweep wrote"). */
    private final String kind;

    /** @param kind the program that writes this kind of CSV, for messages: {@code sweep}, {@code matrix} */
    public GridCsv(String kind) {
        this.kind = kind;
    }

    /**
     * The header of a grid: the axes' columns (in grid order), {@code figures}, {@link #SECONDS},
     * then {@link #BOOKKEEPING}.
     */
    public static List<String> header(Collection<? extends Grid.Axis> axes, List<String> figures) {
        List<String> header = new ArrayList<>();
        axes.forEach(a -> header.add(a.column()));
        header.addAll(figures);
        header.add(SECONDS);
        header.addAll(BOOKKEEPING);
        return header;
    }

    /** Replaces {@code file} with {@code header} and {@code rows}, whole or not at all. */
    public static void write(Path file, List<String> header, Collection<Map<String, String>> rows) throws IOException {
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
     * Reads a grid CSV written by {@link #write}, line by line: lines end in {@code \n} or
     * {@code \r\n}; a last line without its end is ignored (this program never leaves one, but a copy
     * cut short might). Bounded: at most {@link #MAX_BYTES}, lines of at most {@link #MAX_LINE}
     * characters, {@link Grid#MAX_POINTS} rows.
     *
     * @throws IllegalArgumentException when the file is not such a CSV (not UTF-8 text, no bookkeeping
     *                                  columns, ragged rows, too large): the problem, then the fix after "; "
     */
    public Table read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw notOurs(file, "is not a regular file");
        }
        if (Files.size(file) > MAX_BYTES) {
            throw notOurs(file, "is larger than " + (MAX_BYTES >> 20) + " MB, more than the largest grid's rows");
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> header = null;
        List<Map<String, String>> rows = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), utf8))) {
            StringBuilder line = new StringBuilder();
            for (int number = 1; readLine(in, line, file, number); number++) {
                if (header == null) {
                    header = split(line);
                    if (header.size() == 1 && header.get(0).isEmpty()) {
                        throw notOurs(file, "has no header");
                    }
                    if (!header.containsAll(BOOKKEEPING)) {
                        throw notOurs(file, "lacks the columns " + String.join(", ", BOOKKEEPING));
                    }
                    continue;
                }
                if (rows.size() == Grid.MAX_POINTS) {
                    throw notOurs(file, "has more rows than the largest grid's " + Grid.MAX_POINTS + " points");
                }
                List<String> cells = split(line);
                if (cells.size() != header.size()) {
                    throw notOurs(file, "has " + cells.size() + " cells on line " + number + " under a header of "
                            + header.size());
                }
                Map<String, String> row = new LinkedHashMap<>();
                for (int c = 0; c < header.size(); c++) {
                    row.put(header.get(c), unescaped(cells.get(c)));
                }
                rows.add(row);
            }
        } catch (CharacterCodingException e) {
            throw notOurs(file, "is not UTF-8 text");
        }
        if (header == null) {
            throw notOurs(file, "has no header");
        }
        return new Table(List.copyOf(header), rows);
    }

    /**
     * Reads the next whole line into {@code line}, without its end ({@code \n} or {@code \r\n}, so a CSV
     * saved by a Windows tool reads the same). False at the end of the file, and for a last line without
     * its line end, which this program never leaves but a copy cut short might.
     */
    private boolean readLine(BufferedReader in, StringBuilder line, Path file, int number) throws IOException {
        line.setLength(0);
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                if (line.length() > 0 && line.charAt(line.length() - 1) == '\r') {
                    line.setLength(line.length() - 1);
                }
                return true;
            }
            if (c == 0) {
                throw notOurs(file, "holds a NUL byte on line " + number + ", so it is not text");
            }
            if (line.length() == MAX_LINE) {
                throw notOurs(file, "has a line " + number + " longer than " + MAX_LINE + " characters");
            }
            line.append((char) c);
        }
        return false;
    }

    private IllegalArgumentException notOurs(Path file, String problem) {
        return new IllegalArgumentException(file + " is not a " + kind + " CSV: it " + problem + "; pass a " + kind
                + ".csv that " + kind + " wrote, or move this one away and choose another --out");
    }

    /**
     * A cell as CSV that no spreadsheet evaluates: a cell a spreadsheet would read as a formula
     * (starting with {@code = + - @}, a tab or a carriage return, and not a number such as {@code -1})
     * gets a leading {@code '}, as does a cell that already starts with one, so that
     * {@link #unescaped} gives back exactly the cell; then quotes, doubled inside, when it holds a
     * comma, a quote or a line end.
     */
    public static String quoted(String cell) {
        String text = cell;
        if (!text.isEmpty() && ("=+-@\t\r'".indexOf(text.charAt(0)) >= 0) && !isNumber(text)) {
            text = "'" + text;
        }
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
            return text;
        }
        return '"' + text.replace("\"", "\"\"") + '"';
    }

    /** The cell {@link #quoted} was given: one leading {@code '} removed. */
    public static String unescaped(String cell) {
        return cell.startsWith("'") ? cell.substring(1) : cell;
    }

    private static boolean isNumber(String text) {
        try {
            Double.parseDouble(text);
            return Character.isDigit(text.charAt(text.length() - 1)) || text.endsWith(".");
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The cells of one line written by {@link #quoted}. */
    private static List<String> split(CharSequence line) {
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
