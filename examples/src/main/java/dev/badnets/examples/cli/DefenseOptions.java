package dev.badnets.examples.cli;

import dev.badnets.attack.BackdoorExperiment;
import dev.badnets.attack.defense.Detector;
import dev.badnets.attack.defense.Detectors;
import java.util.Locale;

/**
 * Checks shared by {@code detect}, {@code demo --defend} and {@code sweep --defend}. Defense
 * methods are resolved here only, so a method added here reaches every command.
 */
final class DefenseOptions {

    /** The {@code --defend} value of sweep points that play no defender. */
    static final String NONE = "none";

    private DefenseOptions() {
    }

    static Detector detector(String method) {
        return Detectors.byName(method.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * The method as commands print and key it ({@code none} included); exit 2 for an unknown one.
     */
    static String method(String method) {
        String name = method.trim().toLowerCase(Locale.ROOT);
        if (!name.equals(NONE)) {
            detector(name);
        }
        return name;
    }

    /**
     * {@code experiment} with the defense {@code method} added ({@code null} or {@code none}: as it is).
     *
     * @param expectedRate the share the defender suspects, in (0, 0.5); null for the share actually poisoned
     */
    static BackdoorExperiment defend(BackdoorExperiment experiment, String method, Double expectedRate) {
        if (method == null || method(method).equals(NONE)) {
            return experiment;
        }
        Detector detector = detector(method);
        return expectedRate == null ? experiment.withDefense(detector) : experiment.withDefense(detector, expectedRate);
    }

    static void checkRate(String flag, double rate) {
        if (!(rate > 0 && rate < 0.5)) {
            throw new UserException(flag + " must be in (0, 0.5), got " + rate,
                    "pass the share of training images you suspect are poisoned, e.g. " + flag + " 0.01");
        }
    }
}
