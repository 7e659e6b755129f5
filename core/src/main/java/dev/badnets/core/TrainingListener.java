package dev.badnets.core;

/** Observes training, for progress bars and logs. Both methods run on the training thread. */
public interface TrainingListener {

    /** A listener that ignores everything. */
    TrainingListener NONE = new TrainingListener() { };

    /**
     * After each mini-batch. Epochs and batches count from 1; {@code loss} is the batch's mean
     * loss and {@code runningAccuracy} the training accuracy of the epoch so far.
     */
    default void onBatch(int epoch, int batch, int batchesPerEpoch, double loss, double runningAccuracy) {
    }

    /** After each epoch. */
    default void onEpoch(EpochReport report) {
    }
}
