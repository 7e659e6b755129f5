package dev.badnets.examples.cli;

import dev.badnets.core.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars on stderr, drawn only when a person is watching (a console), so logs and tests
 * see just the report.
 */
final class Progress {

    private Progress() {
    }

    /** True when stdin and stdout are a terminal. */
    static boolean interactive() {
        return System.console() != null;
    }

    static ProgressBar bar(String task, long max, String unit, long unitSize) {
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(stderr()));
        if (unit != null) {
            builder.setUnit(unit, unitSize);
        }
        return builder.build();
    }

    private static PrintStream stderr() {
        return System.err;
    }

    /** A training listener drawing one bar for the whole run: epoch, loss and running accuracy. */
    static final class Training implements TrainingListener, AutoCloseable {
        private final String task;
        private final int epochs;
        private final boolean show;
        private ProgressBar bar;

        Training(String task, int epochs, boolean show) {
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
                bar = bar(task, (long) epochs * batchesPerEpoch, null, 1);
            }
            bar.stepTo((long) (epoch - 1) * batchesPerEpoch + batch);
            bar.setExtraMessage(String.format(Locale.ROOT, "epoch %d/%d loss %.4f acc %.2f%%",
                    epoch, epochs, loss, 100 * runningAccuracy));
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
