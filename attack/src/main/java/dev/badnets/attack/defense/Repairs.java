package dev.badnets.attack.defense;

import dev.badnets.core.TrainingConfig;
import java.util.List;

/**
 * The repairing defenses by their command-line names, with their default settings: each takes a
 * trained model and the defender's clean images and hands back a repaired model.
 */
public final class Repairs {

    /** The names {@link #byName} accepts. */
    public static final List<String> NAMES = List.of("fine-tuning", "fine-pruning", "nad", "anp", "i-bau");

    private Repairs() {
    }

    /**
     * @param name    one of {@link #NAMES}
     * @param seed    draws the defender's clean share and seeds the repair's own randomness
     * @param threads backend threads
     * @param backend {@code auto}, {@code ejml} or {@code simd}
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
    public static ModelDefense byName(String name, long seed, int threads, String backend) {
        FineTuning.Settings tuning = FineTuning.Settings.defaults();
        TrainingConfig training = tuning.training().withSeed(seed).withThreads(threads).withBackend(backend);
        tuning = tuning.withTraining(training);
        return switch (name) {
            case "fine-tuning" -> new FineTuning(tuning);
            case "fine-pruning" -> new FinePruning(new FinePruning.Settings(FinePruning.Settings.defaults().maxDrop(),
                    tuning));
            case "nad" -> new Nad(tuning);
            case "anp" -> new Anp(Anp.Settings.defaults().withSeed(seed).withThreads(threads, backend));
            case "i-bau" -> new Ibau(Ibau.Settings.defaults().withSeed(seed).withThreads(threads, backend));
            default -> throw new IllegalArgumentException("unknown repair '" + name + "'; use one of "
                    + String.join(", ", NAMES));
        };
    }
}
