package dev.badnets.cli;

import dev.badnets.cli.train.Training;

import dev.badnets.attack.ExperimentListener;
import dev.badnets.core.TrainingListener;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars on stderr, drawn only when a person is watching (a console), so logs and tests
 * see just the report.
 */
public final class Progress {

    private Progress() {
    }

    /** True when stdin and stdout are a terminal. */
    public static boolean interactive() {
        return System.console() != null;
    }

    public static ProgressBar bar(String task, long max, String unit, long unitSize) {
        return builder(task, max, unit, unitSize).build();
    }

    private static ProgressBarBuilder builder(String task, long max, String unit, long unitSize) {
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(System.err));
        if (unit != null) {
            builder.setUnit(unit, unitSize);
        }
        return builder;
    }

    /** A training listener drawing one bar for the whole run: epoch, the epoch's mean loss so far, running accuracy. */
    public static final class Training implements TrainingListener, AutoCloseable {
        private final String task;
        private final int epochs;
        private final boolean show;
        private ProgressBar bar;
        private int lossEpoch;
        private double lossSum;

        public Training(String task, int epochs, boolean show) {
            this.task = task;
            this.epochs = epochs;
            this.show = show;
        }

        @Override
        public void onBatch(int epoch, int batch, int batchesPerEpoch, double loss, double runningAccuracy) {
            if (!show) {
                return;
            }
            if (bar == null) {
                // no ETA: it leaves the bar itself room on an 80-column terminal
                bar = builder(task, (long) epochs * batchesPerEpoch, null, 1).hideEta().build();
            }
            if (epoch != lossEpoch) {
                lossEpoch = epoch;
                lossSum = 0;
            }
            lossSum += loss;   // one batch's loss is noisy; show the epoch's mean so far
            bar.stepTo((long) (epoch - 1) * batchesPerEpoch + batch);
            bar.setExtraMessage(String.format(Locale.ROOT, "epoch %d/%d loss %.3f acc %.1f%%",
                    epoch, epochs, lossSum / batch, 100 * runningAccuracy));
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }

    /** An experiment's listener drawing one {@link Training} bar per training: "train", then "retrain". */
    public static class Experiment implements ExperimentListener, AutoCloseable {
        private final int epochs;
        private final boolean show;
        private Training bar;

        public Experiment(int epochs, boolean show) {
            this.epochs = epochs;
            this.show = show;
        }

        @Override
        public void onPhase(Phase phase) {
            close(); // a training is over when the next phase begins
            if (phase == Phase.TRAINING || phase == Phase.RETRAINING) {
                bar = new Training(phase == Phase.TRAINING ? "train" : "retrain", epochs, show);
            }
        }

        @Override
        public void onBatch(Phase phase, int epoch, int batch, int batchesPerEpoch, double loss,
                            double runningAccuracy) {
            bar.onBatch(epoch, batch, batchesPerEpoch, loss, runningAccuracy);
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
