package dev.badnets.examples.cli;

import dev.badnets.attack.defense.Detector;
import dev.badnets.attack.defense.Detectors;
import dev.badnets.attack.defense.ModelDefense;
import dev.badnets.attack.defense.NeuralCleanse;
import dev.badnets.core.TrainingConfig;
import java.util.Locale;

/** Checks shared by {@code detect} and {@code demo --defend}. */
final class DefenseOptions {

    private DefenseOptions() {
    }

    static Detector detector(String method) {
        return Detectors.byName(method.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * The defense of a trained model named {@code method}, running on the threads and backend of
     * {@code config}; null when the method is not one (then it names a training-set detector).
     */
    static ModelDefense modelDefense(String method, TrainingConfig config) {
        if (method.trim().toLowerCase(Locale.ROOT).equals("neural-cleanse")) {
            return new NeuralCleanse(NeuralCleanse.Settings.defaults().withThreads(config.threads(), config.backend()),
                    2_000, 20_000, NeuralCleanse.Unlearning.defaults().withTraining(NeuralCleanse.Unlearning.defaults().training()
                            .withThreads(config.threads()).withBackend(config.backend())));
        }
        return null;
    }

    static void checkRate(String flag, double rate) {
        if (!(rate > 0 && rate < 0.5)) {
            throw new UserException(flag + " must be in (0, 0.5), got " + rate,
                    "pass the share of training images you suspect are poisoned, e.g. " + flag + " 0.01");
        }
    }
}
