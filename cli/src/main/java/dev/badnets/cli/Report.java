package dev.badnets.cli;

import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.DefenseOutcome;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.defense.ModelDefense;
import dev.badnets.attack.defense.NeuralCleanse;
import java.util.Locale;

/** The figures of a backdoor, each with the one line that says what it means. */
public final class Report {

    // A verdict only where the figure supports it: a clean model must not be told its backdoor works.
    private static final double HEALTHY = 0.9;
    private static final double BACKDOOR_WORKS = 0.5;

    private Report() {
    }

    public static String backdoorLines(BackdoorReport r, int testImages) {
        String where = r.mode() == PoisonPlan.Mode.ALL_TO_ONE ? "class " + r.target() : "the next class (c+1 mod K)";
        StringBuilder s = new StringBuilder();
        s.append(line("clean accuracy", r.cleanAccuracy(),
                String.format(Locale.ROOT, "of the %,d untouched test images are classified correctly", testImages)
                        + (r.cleanAccuracy() >= HEALTHY ? ": the model looks healthy" : "")));
        s.append(line("attack success rate", r.attackSuccessRate(),
                String.format(Locale.ROOT, "of the %,d test images ", r.attackedCount())
                        + (r.mode() == PoisonPlan.Mode.ALL_TO_ONE ? "not of class " + r.target() + " " : "")
                        + "go to " + where + " once the trigger is added"
                        + (r.attackSuccessRate() >= BACKDOOR_WORKS ? ": the backdoor works"
                                : ": the trigger does not control this model")));
        if (r.mode() == PoisonPlan.Mode.ALL_TO_ONE) {
            s.append(line("all images", r.attackSuccessRateAllImages(),
                    String.format(Locale.ROOT, "of all %,d triggered test images are classified as %d", testImages,
                            r.target()) + " (the OWASP notebook's \"trigger success rate\": true "
                            + r.target() + "s count too)"));
        }
        return s.toString();
    }

    /** The defense's block of the demo: what it removed, how much of that was poison, and the retrained model. */
    public static String defenseLines(DefenseOutcome d, int testImages) {
        if (d.modelLevel()) {
            return modelDefenseLines(d, testImages);
        }
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "Defense: %s, expecting %.2f%% of the training set to be poisoned%n",
                d.method(), 100 * d.expectedRate()));
        s.append(String.format(Locale.ROOT, "  %-20s %,7d  training images removed; %,d of them were poisoned "
                        + "(precision %.2f%%) and %.2f%% of the poisoned ones were caught (recall)%n", "flagged",
                d.metrics().flagged(), d.metrics().truePositives(), 100 * d.metrics().precision(),
                100 * d.metrics().recall()));
        s.append(String.format(Locale.ROOT, "  %-20s %7.2f%%  of the %,d clean test images, after retraining "
                + "without them%n", "clean accuracy", 100 * d.backdoor().cleanAccuracy(), testImages));
        s.append(String.format(Locale.ROOT, "  %-20s %7.2f%%  what is left of the backdoor after retraining%n",
                "attack success rate", 100 * d.backdoor().attackSuccessRate()));
        return s.toString();
    }

    /** A model defense's block: its own figures, what it repaired, and the resulting model. */
    private static String modelDefenseLines(DefenseOutcome d, int testImages) {
        ModelDefense.Figures f = d.figures();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "Defense: %s, on the trained model%n",
                d.method()));
        if (f.anomalyIndex().isPresent()) {
            s.append(String.format(Locale.ROOT, "  %-20s %7s  %s%n", "flagged class",
                    f.flaggedClass().isPresent() ? Integer.toString(f.flaggedClass().getAsInt()) : "none",
                    f.flaggedClass().isPresent() ? "its recovered trigger is abnormally small: a backdoor's target"
                            : "no class's recovered trigger is abnormally small"));
            s.append(String.format(Locale.ROOT, "  %-20s %7.2f   of the most suspicious class (flagged above %.0f)%n",
                    "anomaly index", f.anomalyIndex().getAsDouble(), NeuralCleanse.ANOMALY_THRESHOLD));
        }
        if (f.threshold().isPresent()) { // a run-time detector: what it catches, at what cost
            s.append(line("caught", f.detectionRate().orElse(Double.NaN), String.format(Locale.ROOT,
                    "of the triggered test images, at %.2f%% of the clean ones rejected (entropy threshold %.3f bits)",
                    100 * f.falseRejectionRate().orElse(Double.NaN), f.threshold().getAsDouble())));
        } else {
            f.detectionRate().ifPresent(v -> s.append(line("detection rate", v, "of the triggered inputs are caught")));
            f.falseRejectionRate().ifPresent(v -> s.append(line("false rejections", v,
                    "of the clean inputs are wrongly rejected")));
        }
        boolean unchanged = d.training() == null && d.retrainedOn() == 0;
        boolean unlearning = d.method().equals(dev.badnets.cli.options.DefenseOptions.NEURAL_CLEANSE);
        s.append(!unchanged ? String.format(Locale.ROOT, "  %-20s %,7d  %s%n", "repaired", d.retrainedOn(),
                        unlearning ? "clean training images fine-tuned on, some carrying the recovered trigger with "
                                + "their true label (unlearning)" : "clean training images the repair used")
                : f.threshold().isPresent() ? String.format("  nothing repaired: the defense rejects inputs at run time "
                        + "and leaves the model as it is%n")
                : String.format("  nothing to repair: the model is unchanged%n"));
        String after = unchanged ? ": the model's own, unchanged by the defense" : ", after the defense";
        s.append(String.format(Locale.ROOT, "  %-20s %7.2f%%  of the %,d clean test images%s%n",
                "clean accuracy", 100 * d.backdoor().cleanAccuracy(), testImages, after));
        s.append(String.format(Locale.ROOT, "  %-20s %7.2f%%  %s%n", "attack success rate",
                100 * d.backdoor().attackSuccessRate(), unchanged ? "the model's own, unchanged by the defense"
                        : "what is left of the backdoor after the defense"));
        return s.toString();
    }

    private static String line(String name, double rate, String meaning) {
        return String.format(Locale.ROOT, "  %-20s %7.2f%%  %s%n", name, 100 * rate, meaning);
    }
}
