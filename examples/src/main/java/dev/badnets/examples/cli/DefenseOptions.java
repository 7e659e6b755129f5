package dev.badnets.examples.cli;

import dev.badnets.attack.defense.Detector;
import dev.badnets.attack.defense.Detectors;
import java.util.Locale;

/** Checks shared by {@code detect} and {@code demo --defend}. */
final class DefenseOptions {

    private DefenseOptions() {
    }

    static Detector detector(String method) {
        return Detectors.byName(method.trim().toLowerCase(Locale.ROOT));
    }

    static void checkRate(String flag, double rate) {
        if (!(rate > 0 && rate < 0.5)) {
            throw new UserException(flag + " must be in (0, 0.5), got " + rate,
                    "pass the share of training images you suspect are poisoned, e.g. " + flag + " 0.01");
        }
    }
}
