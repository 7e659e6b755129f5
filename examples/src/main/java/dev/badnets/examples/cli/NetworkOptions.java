package dev.badnets.examples.cli;

import dev.badnets.core.LearningRateSchedule;
import dev.badnets.core.OptimizerKind;
import dev.badnets.core.TrainingConfig;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The network and training flags, spelled once for {@code train}, {@code demo}, {@code sweep} and {@code bench}. */
final class NetworkOptions {

    @Option(names = "--hidden", split = ",", paramLabel = "N", defaultValue = "128",
            description = "Hidden layer sizes, input side first (default: ${DEFAULT-VALUE}).")
    int[] hidden;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "5",
            description = "Passes over the training set (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "64",
            description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.001",
            description = "Learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--lr-schedule", paramLabel = "constant|cosine", defaultValue = "constant",
            description = "Learning rate over the run: constant, or cosine decay to 0 (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--optimizer", paramLabel = "sgd|momentum|adam", defaultValue = "adam",
            description = "Optimiser: sgd, momentum or adam (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed for initial weights, shuffling and poisoning (default: ${DEFAULT-VALUE}).")
    long seed;

    OptimizerKind optimizerKind() {
        String name = optimizer.trim().toUpperCase(Locale.ROOT);
        for (OptimizerKind kind : OptimizerKind.values()) {
            if (kind.name().equals(name)) {
                return kind;
            }
        }
        throw new UserException("unknown optimiser '" + optimizer + "'",
                "use --optimizer sgd, momentum or adam");
    }

    /** Checks every value, naming the flag and its valid range. */
    void validate() {
        Check.atLeast("--epochs", epochs, 1);
        Check.atLeast("--batch", batch, 1);
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw new UserException("--lr must be a positive number, got " + lr, "pass e.g. --lr 0.001");
        }
        if (hidden.length == 0) {
            throw new UserException("--hidden needs at least one layer size", "pass e.g. --hidden 128");
        }
        for (int h : hidden) {
            Check.atLeast("--hidden", h, 1);
        }
        optimizerKind();
        LearningRateSchedule.parse(schedule);
    }

    TrainingConfig config(BackendOptions run) {
        validate();
        return new TrainingConfig(epochs, batch, lr, LearningRateSchedule.parse(schedule), optimizerKind(), 0f, seed,
                run.threads(), run.backend);
    }

    /** One line for reports, e.g. {@code 784-128-10 ReLU, adam lr 0.001, batch 64, 5 epochs, seed 1}. */
    String describe(int inputs, int classes, BackendOptions run) {
        return describe(inputs, classes) + ", " + run.describe();
    }

    /** The layer sizes, e.g. {@code 784-128-10}. */
    String layers(int inputs, int classes) {
        StringBuilder layers = new StringBuilder().append(inputs);
        Arrays.stream(hidden).forEach(h -> layers.append('-').append(h));
        return layers.append('-').append(classes).toString();
    }

    /** The network and training only, e.g. {@code 784-128-10 ReLU, adam lr 0.001, batch 64, 5 epochs, seed 1}. */
    String describe(int inputs, int classes) {
        StringBuilder layers = new StringBuilder().append(inputs);
        Arrays.stream(hidden).forEach(h -> layers.append('-').append(h));
        layers.append('-').append(classes);
        String rate = LearningRateSchedule.parse(schedule) == LearningRateSchedule.CONSTANT ? " lr " + lr
                : " lr " + lr + " " + LearningRateSchedule.parse(schedule).cliName();
        return layers + " ReLU, " + optimizer.toLowerCase(Locale.ROOT) + rate + ", batch " + batch
                + ", " + epochs + (epochs == 1 ? " epoch" : " epochs") + ", seed " + seed;
    }
}
