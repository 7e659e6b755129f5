package dev.badnets.attack.defense;

import dev.badnets.core.EpochReport;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingResult;
import dev.badnets.core.backend.MatrixBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The loop of the defenses' own trainings, whose batch update is more than core's {@link Trainer}
 * step (NAD's attention distillation, ABL's local gradient ascent and unlearning): {@code epochs}
 * passes over the samples, each in an order shuffled as {@link Trainer#shuffle} does from the
 * config's seed, in batches, each batch at the learning rate the config's schedule gives its step
 * (of {@code epochs x batches per epoch}).
 */
final class Epochs {

    /** One batch's update. */
    @FunctionalInterface
    interface Update {
        /**
         * Trains on samples {@code order[from .. from+count)} at learning rate {@code rate}.
         *
         * @return the batch's mean loss
         */
        double step(int[] order, int from, int count, float rate);
    }

    private Epochs() {
    }

    /**
     * Runs {@code config.epochs()} epochs over {@code n} samples in batches of
     * {@code min(config.batchSize(), n)}.
     *
     * @param backend the backend {@code update} runs on, named in the result
     * @return each epoch's mean loss and seconds (no accuracy: {@code NaN})
     */
    static TrainingResult run(int n, TrainingConfig config, MatrixBackend backend, Update update) {
        int batch = Math.min(config.batchSize(), n);
        int[] order = IntStream.range(0, n).toArray();
        SplittableRandom shuffler = new SplittableRandom(config.seed());
        long steps = (long) config.epochs() * ((n + batch - 1) / batch), step = 0;
        List<EpochReport> reports = new ArrayList<>();
        long start = System.nanoTime();
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            Trainer.shuffle(order, shuffler);
            double lossSum = 0;
            for (int from = 0; from < n; from += batch) {
                int count = Math.min(batch, n - from);
                float rate = config.learningRateSchedule().rate(config.learningRate(), step++, steps);
                lossSum += update.step(order, from, count, rate) * count;
            }
            reports.add(new EpochReport(epoch, lossSum / n, Double.NaN, (System.nanoTime() - epochStart) / 1e9));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new TrainingResult(reports, seconds, (double) n * config.epochs() / seconds, backend.name(),
                backend.threads());
    }
}
