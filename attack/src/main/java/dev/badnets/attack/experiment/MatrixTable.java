package dev.badnets.attack.experiment;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * {@code matrix.md}: the matrix as BackdoorBench lays it out, a row per defense ({@code none}
 * first) and, for each attack, the columns C-Acc, ASR, R-Acc (in percent) and DER; each figure the
 * mean over the seeds, {@code ± the sample standard deviation} when there are several. A last column
 * gives the defense's mean seconds per cell. Drawn from the rows alone, so a merge of shards draws
 * what the unsharded run would.
 *
 * <p>A cell with a failed seed ({@link MatrixCsv.Row#failed()}) shows {@code failed} in its four
 * columns ({@code failed k/n} when k of its n seeds failed), not a mean of the seeds that did not:
 * the figure over all seeds was not measured. Each failed row's reason is listed under the table.
 */
public final class MatrixTable {

    private MatrixTable() {
    }

    /** The table of {@code rows} (of one matrix), in the order the attacks and defenses first appear. */
    public static String markdown(List<MatrixCsv.Row> rows) {
        Set<String> attacks = new LinkedHashSet<>(), defenses = new LinkedHashSet<>();
        rows.forEach(r -> {
            attacks.add(r.attack());
            defenses.add(r.defense());
        });
        StringBuilder md = new StringBuilder("| Defense |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String attack : attacks) {
            for (String column : List.of("C-Acc", "ASR", "R-Acc", "DER")) {
                md.append(' ').append(attack).append(' ').append(column).append(" |");
                rule.append("---:|");
            }
        }
        md.append(" seconds |\n").append(rule).append("---:|\n");
        for (String defense : defenses) {
            md.append("| ").append(defense).append(" |");
            List<MatrixCsv.Row> mine = new ArrayList<>();
            for (String attack : attacks) {
                List<MatrixCsv.Row> cell = rows.stream()
                        .filter(r -> r.attack().equals(attack) && r.defense().equals(defense)).toList();
                mine.addAll(cell);
                long failed = cell.stream().filter(MatrixCsv.Row::failed).count();
                if (failed > 0) {
                    String text = failed == cell.size() ? "failed" : "failed " + failed + "/" + cell.size();
                    md.append((" " + text + " |").repeat(4));
                    continue;
                }
                md.append(' ').append(percent(cell, r -> r.metrics().cleanAccuracy())).append(" |")
                        .append(' ').append(percent(cell, r -> r.metrics().attackSuccessRate())).append(" |")
                        .append(' ').append(percent(cell, r -> r.metrics().robustAccuracy())).append(" |")
                        .append(' ').append(defense.equals(Matrix.NONE) ? "-" : plain(cell, MatrixCsv.Row::der, 3))
                        .append(" |");
            }
            md.append(' ').append(String.format(Locale.ROOT, "%.0f", mean(mine, MatrixCsv.Row::seconds))).append(" |\n");
        }
        List<MatrixCsv.Row> failures = rows.stream().filter(MatrixCsv.Row::failed).toList();
        if (!failures.isEmpty()) {
            md.append("\nFailed cells (no figures: the defense or the measurement could not be computed):\n\n");
            for (MatrixCsv.Row r : failures) {
                md.append("- ").append(r.attack()).append(", ").append(r.defense()).append(", seed ").append(r.seed())
                        .append(": ").append(r.failure()).append('\n');
            }
        }
        return md.toString();
    }

    private static String percent(List<MatrixCsv.Row> rows, ToDoubleFunction<MatrixCsv.Row> figure) {
        return format(rows, r -> 100 * figure.applyAsDouble(r), 2);
    }

    private static String plain(List<MatrixCsv.Row> rows, ToDoubleFunction<MatrixCsv.Row> figure, int digits) {
        return format(rows, figure, digits);
    }

    private static String format(List<MatrixCsv.Row> rows, ToDoubleFunction<MatrixCsv.Row> figure, int digits) {
        if (rows.isEmpty()) {
            return "";
        }
        String pattern = "%." + digits + "f";
        String text = String.format(Locale.ROOT, pattern, mean(rows, figure));
        return rows.size() < 2 ? text : text + " ± " + String.format(Locale.ROOT, pattern, sd(rows, figure));
    }

    static double mean(List<MatrixCsv.Row> rows, ToDoubleFunction<MatrixCsv.Row> figure) {
        return rows.stream().mapToDouble(figure).average().orElse(Double.NaN);
    }

    /** The sample standard deviation (n - 1). */
    static double sd(List<MatrixCsv.Row> rows, ToDoubleFunction<MatrixCsv.Row> figure) {
        double mean = mean(rows, figure), sum = 0;
        for (MatrixCsv.Row r : rows) {
            double d = figure.applyAsDouble(r) - mean;
            sum += d * d;
        }
        return Math.sqrt(sum / (rows.size() - 1));
    }
}
