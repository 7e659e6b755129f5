package dev.badnets.cli.options;

import dev.badnets.cli.UserException;

import dev.badnets.attack.BackdoorExperiment;
import dev.badnets.attack.defense.Detector;
import dev.badnets.attack.defense.Detectors;
import dev.badnets.attack.defense.ModelDefense;
import dev.badnets.attack.defense.NeuralCleanse;
import dev.badnets.attack.defense.Repairs;
import dev.badnets.attack.defense.Strip;
import dev.badnets.attack.defense.StripDefense;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.backend.Backends;
import java.util.Locale;

/**
 * Checks shared by {@code detect}, {@code demo --defend} and {@code sweep --defend}. Defense
 * methods are resolved here only, so a method added here reaches every command.
 */
public final class DefenseOptions {

    /** The {@code --defend} value of sweep points that play no defender. */
    public static final String NONE = "none";
    public static final String NEURAL_CLEANSE = "neural-cleanse";
    public static final String STRIP = "strip";
    /** The false rejection rate {@code demo --defend strip} sets STRIP's threshold for ({@code strip}'s default). */
    static final double STRIP_FRR = 0.01;

    private DefenseOptions() {
    }

    public static Detector detector(String method) {
        return Detectors.byName(method.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * The method as commands print and key it ({@code none} included); exit 2 for an unknown one.
     */
    public static String method(String method) {
        String name = method.trim().toLowerCase(Locale.ROOT);
        if (!name.equals(NONE) && !isModelDefense(name)) {
            detector(name);
        }
        return name;
    }

    /** Whether {@code method} looks at the trained model rather than flagging training images. */
    public static boolean isModelDefense(String method) {
        String name = method.trim().toLowerCase(Locale.ROOT);
        return name.equals(NEURAL_CLEANSE) || name.equals(STRIP) || Repairs.NAMES.contains(name);
    }

    /**
     * {@code experiment} with the defense {@code method} added ({@code null} or {@code none}: as it is).
     *
     * @param expectedRate the share a training-set detector suspects, in (0, 0.5); null for the share actually
     *                     poisoned; model defenses flag no training images and ignore it
     * @param config       the threads and backend a model defense runs on
     */
    public static BackdoorExperiment defend(BackdoorExperiment experiment, String method, Double expectedRate,
                                     TrainingConfig config) {
        if (method == null || method(method).equals(NONE)) {
            return experiment;
        }
        if (isModelDefense(method)) {
            return experiment.withDefense(modelDefense(method, config));
        }
        Detector detector = detector(method);
        return expectedRate == null ? experiment.withDefense(detector) : experiment.withDefense(detector, expectedRate);
    }

    /**
     * The defense of a trained model named {@code method}, running on the threads and backend of
     * {@code config}: Neural Cleanse scans with 2,000 clean training images and unlearns on the next
     * 20,000; STRIP (the seed {@code config}'s, the other settings {@code strip}'s defaults) blends with
     * 2,000 clean training images, sets its threshold at 1% false rejections on 4,000 others, and
     * measures on 4,000 clean and 4,000 triggered test images. The repairs ({@link Repairs#NAMES}) run with
     * their defaults, seeded with {@code config}'s seed.
     */
    public static ModelDefense modelDefense(String method, TrainingConfig config) {
        String name = method.trim().toLowerCase(Locale.ROOT);
        if (Repairs.NAMES.contains(name)) {
            return Repairs.byName(name, config.seed(), config.threads(), config.backend());
        }
        if (name.equals(STRIP)) {
            return new StripDefense(Strip.Settings.defaults(config.seed()), STRIP_FRR,
                    Backends.create(config.backend(), config.threads()));
        }
        NeuralCleanse.Unlearning unlearning = NeuralCleanse.Unlearning.defaults();
        return new NeuralCleanse(NeuralCleanse.Settings.defaults().withThreads(config.threads(), config.backend()),
                2_000, 20_000, unlearning.withTraining(unlearning.training()
                        .withThreads(config.threads()).withBackend(config.backend())));
    }

    public static void checkRate(String flag, double rate) {
        if (!(rate > 0 && rate < 0.5)) {
            throw new UserException(flag + " must be in (0, 0.5), got " + rate,
                    "pass the share of training images you suspect are poisoned, e.g. " + flag + " 0.01");
        }
    }
}
