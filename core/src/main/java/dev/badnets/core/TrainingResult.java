package dev.badnets.core;

import java.util.List;

/**
 * The outcome of {@link Trainer#train}: one report per epoch, total seconds, training throughput in
 * samples per second, and the backend and thread count that ran it.
 */
public record TrainingResult(List<EpochReport> epochs, double seconds, double samplesPerSecond,
                             String backend, int threads) {

    public TrainingResult {
        epochs = List.copyOf(epochs);
    }

    /** The last epoch's report. */
    public EpochReport last() {
        return epochs.get(epochs.size() - 1);
    }
}
