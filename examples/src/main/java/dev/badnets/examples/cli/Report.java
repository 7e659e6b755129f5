package dev.badnets.examples.cli;

import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.PoisonPlan;
import java.util.Locale;

/** The figures of a backdoor, each with the one line that says what it means. */
final class Report {

    private Report() {
    }

    static String backdoorLines(BackdoorReport r, int testImages) {
        String where = r.mode() == PoisonPlan.Mode.ALL_TO_ONE ? "class " + r.target() : "the next class (c+1 mod K)";
        StringBuilder s = new StringBuilder();
        s.append(line("clean accuracy", r.cleanAccuracy(),
                "of the " + testImages + " untouched test images are classified correctly: the model looks healthy"));
        s.append(line("attack success rate", r.attackSuccessRate(),
                "of the " + r.attackedCount() + " test images "
                        + (r.mode() == PoisonPlan.Mode.ALL_TO_ONE ? "not of class " + r.target() + " " : "")
                        + "go to " + where + " once the trigger is added: the backdoor"));
        if (r.mode() == PoisonPlan.Mode.ALL_TO_ONE) {
            s.append(line("all images", r.attackSuccessRateAllImages(),
                    "of all " + testImages + " triggered test images are classified as " + r.target()
                            + " (the OWASP notebook's \"trigger success rate\", true 0s included)"));
        }
        return s.toString();
    }

    private static String line(String name, double rate, String meaning) {
        return String.format(Locale.ROOT, "  %-20s %7.2f%%  %s%n", name, 100 * rate, meaning);
    }
}
