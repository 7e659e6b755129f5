package dev.badnets.cli.scan;

import dev.badnets.attack.defense.MaxMargin;
import dev.badnets.attack.defense.NeuralCleanse;
import dev.badnets.cli.Check;
import dev.badnets.cli.options.BackendOptions;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The flags of {@code scan}'s two detectors: how many images, how many steps, which seed. */
public final class ScanSettingsOptions {

    @Option(names = "--samples", paramLabel = "N",
            description = "Scan with the first N test images (default: all of them).")
    Integer samples;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "600",
            description = "The most optimisation steps (batches of 32) per class; the search stops earlier once "
                    + "the trigger stops shrinking (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the starting masks and the order of the images (default: ${DEFAULT-VALUE}).")
    long seed;

    /** Neural Cleanse's settings from these flags and the backend flags (exit 2 for a bad value). */
    NeuralCleanse.Settings neuralCleanse(BackendOptions run) {
        if (samples != null) {
            Check.atLeast("--samples", samples, 1);
        }
        Check.atLeast("--steps", steps, 1);
        return NeuralCleanse.Settings.defaults().withMaxSteps(steps).withSeed(seed)
                .withThreads(run.threads(), backendName(run));
    }

    /** MM-BD's settings from these flags and the backend flags. */
    MaxMargin.Settings maxMargin(BackendOptions run) {
        return MaxMargin.Settings.defaults().withSeed(seed).withThreads(run.threads(), backendName(run));
    }

    private static String backendName(BackendOptions run) {
        run.create(); // refuses an unknown --backend with the CLI's advice
        return run.backend.trim().toLowerCase(Locale.ROOT);
    }
}
