package dev.badnets.attack.experiment;

import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.DefenseOutcome;
import dev.badnets.attack.ExperimentResult;
import dev.badnets.attack.defense.ModelDefense;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/** An experiment's figures as the cells of a grid CSV row: fractions with six decimals, seconds with three. */
public final class ResultCells {

    /** The figures of every run: clean accuracy and attack success rate (non-target images, then all). */
    public static final List<String> RESULTS = List.of("clean_accuracy", "attack_success_rate",
            "attack_success_rate_all_images");
    /**
     * The defense's figures, when a grid defends; empty on undefended rows. A model-level defense
     * flags no training images, so it has no {@code recall}; only a run-time detector has
     * {@code detection_rate} and {@code false_rejection_rate}.
     */
    public static final List<String> DEFENSE = List.of("clean_accuracy_after", "attack_success_rate_after", "recall",
            "detection_rate", "false_rejection_rate");

    private ResultCells() {
    }

    /** {@link #RESULTS}, then {@link #DEFENSE} when {@code defended}. */
    public static List<String> figures(boolean defended) {
        return defended ? concat(RESULTS, DEFENSE) : RESULTS;
    }

    /**
     * The cells of {@code result}: {@link #RESULTS}, {@link #DEFENSE} when {@code defended} (empty
     * cells for an undefended result), and {@link GridCsv#SECONDS}.
     */
    public static Map<String, String> of(ExperimentResult result, boolean defended) {
        Map<String, String> row = new LinkedHashMap<>();
        BackdoorReport r = result.backdoor();
        row.put("clean_accuracy", figure(r.cleanAccuracy()));
        row.put("attack_success_rate", figure(r.attackSuccessRate()));
        row.put("attack_success_rate_all_images", figure(r.attackSuccessRateAllImages()));
        if (defended) {
            DefenseOutcome d = result.defense();
            row.put("clean_accuracy_after", d == null ? "" : figure(d.backdoor().cleanAccuracy()));
            row.put("attack_success_rate_after", d == null ? "" : figure(d.backdoor().attackSuccessRate()));
            row.put("recall", d == null || d.metrics() == null ? "" : figure(d.metrics().recall()));
            ModelDefense.Figures f = d == null ? null : d.figures();
            row.put("detection_rate", f == null ? "" : figure(f.detectionRate()));
            row.put("false_rejection_rate", f == null ? "" : figure(f.falseRejectionRate()));
        }
        row.put(GridCsv.SECONDS, String.format(Locale.ROOT, "%.3f", result.seconds()));
        return row;
    }

    /** A fraction as a cell: six decimals. */
    public static String figure(double value) {
        return String.format(Locale.ROOT, "%.6f", value);
    }

    /** {@link #figure(double)} of a figure a defense may not produce; empty when it does not. */
    public static String figure(OptionalDouble value) {
        return value.isPresent() ? figure(value.getAsDouble()) : "";
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
