package dev.badnets.core;

import dev.badnets.core.backend.Backends;
import java.util.Locale;

/**
 * How to train: epochs, mini-batch size, learning rate and its schedule over the steps of training
 * ({@link LearningRateSchedule}), optimiser, L2 weight decay, the seed of the per-epoch shuffle,
 * threads and backend name ("auto", "ejml" or "simd"). Checked on construction: a bad value throws
 * {@link IllegalArgumentException} naming it and its valid range.
 */
public record TrainingConfig(int epochs, int batchSize, float learningRate, LearningRateSchedule learningRateSchedule,
                             OptimizerKind optimizer, float weightDecay, long seed, int threads, String backend) {

    public TrainingConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a finite number > 0, got " + learningRate);
        }
        if (learningRateSchedule == null) {
            throw new IllegalArgumentException("learning-rate schedule must be one of constant, cosine, got null");
        }
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer must be one of sgd, momentum, adam, got null");
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be a finite number >= 0, got " + weightDecay);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (backend == null || !Backends.names().contains(backend.trim().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("backend must be one of " + String.join(", ", Backends.names())
                    + ", got " + backend);
        }
    }

    /** A config with a constant learning rate. */
    public TrainingConfig(int epochs, int batchSize, float learningRate, OptimizerKind optimizer, float weightDecay,
                          long seed, int threads, String backend) {
        this(epochs, batchSize, learningRate, LearningRateSchedule.CONSTANT, optimizer, weightDecay, seed, threads,
                backend);
    }

    /**
     * 5 epochs, batch 64, learning rate 0.001 (constant), Adam, no weight decay, seed 1, every
     * available core ({@link Runtime#availableProcessors()}, as the command line uses), backend
     * "auto". The thread count changes the speed only: the weights are bit-identical for any.
     */
    public static TrainingConfig defaults() {
        return new TrainingConfig(5, 64, 0.001f, LearningRateSchedule.CONSTANT, OptimizerKind.ADAM, 0f, 1L,
                Runtime.getRuntime().availableProcessors(), "auto");
    }

    public TrainingConfig withEpochs(int value) {
        return new TrainingConfig(value, batchSize, learningRate, learningRateSchedule, optimizer, weightDecay, seed,
                threads, backend);
    }

    public TrainingConfig withBatchSize(int value) {
        return new TrainingConfig(epochs, value, learningRate, learningRateSchedule, optimizer, weightDecay, seed,
                threads, backend);
    }

    public TrainingConfig withLearningRate(float value) {
        return new TrainingConfig(epochs, batchSize, value, learningRateSchedule, optimizer, weightDecay, seed,
                threads, backend);
    }

    public TrainingConfig withLearningRateSchedule(LearningRateSchedule value) {
        return new TrainingConfig(epochs, batchSize, learningRate, value, optimizer, weightDecay, seed, threads,
                backend);
    }

    public TrainingConfig withOptimizer(OptimizerKind value) {
        return new TrainingConfig(epochs, batchSize, learningRate, learningRateSchedule, value, weightDecay, seed,
                threads, backend);
    }

    public TrainingConfig withWeightDecay(float value) {
        return new TrainingConfig(epochs, batchSize, learningRate, learningRateSchedule, optimizer, value, seed,
                threads, backend);
    }

    public TrainingConfig withSeed(long value) {
        return new TrainingConfig(epochs, batchSize, learningRate, learningRateSchedule, optimizer, weightDecay, value,
                threads, backend);
    }

    public TrainingConfig withThreads(int value) {
        return new TrainingConfig(epochs, batchSize, learningRate, learningRateSchedule, optimizer, weightDecay, seed,
                value, backend);
    }

    public TrainingConfig withBackend(String value) {
        return new TrainingConfig(epochs, batchSize, learningRate, learningRateSchedule, optimizer, weightDecay, seed,
                threads, value);
    }
}
