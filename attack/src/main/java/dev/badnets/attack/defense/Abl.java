package dev.badnets.attack.defense;

import dev.badnets.attack.ImageSamples;
import dev.badnets.core.ByteSamples;
import dev.badnets.core.Evaluator;
import dev.badnets.core.LearningRateSchedule;
import dev.badnets.core.Network;
import dev.badnets.core.Optimizer;
import dev.badnets.core.OptimizerKind;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.mnist.LabeledImages;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Anti-Backdoor Learning (ABL; Li, Lyu, Koren, Lyu, Li and Ma, "Anti-Backdoor Learning: Training
 * Clean Models on Poisoned Data", NeurIPS 2021): a defense of the <em>training</em>, not of a
 * trained model. Poisoned images are learnt faster than clean ones (the trigger is a simpler
 * feature than a digit), so early in training their loss is the lowest. ABL trains in three phases:
 * <ol>
 *   <li><b>isolation</b>: train a fresh network on the poisoned training set with the local gradient
 *       ascent loss {@code L = sign(CE - γ) · CE} (a batch whose mean loss falls below γ is pushed back
 *       up to it: clean images cannot get that low that fast, poisoned ones keep falling), then take
 *       the {@code isolation} share of the images with the lowest loss;</li>
 *   <li><b>training on the rest</b>: keep training the same network on the other images;</li>
 *   <li><b>unlearning</b>: gradient ascent on the isolated images ({@code L = -CE}), which breaks the
 *       link between trigger and target.</li>
 * </ol>
 *
 * <p>Parameters and sources: γ = 0.5, an isolation share of 1%, unlearning by SGD with momentum 0.9
 * and weight decay 1e-4 at 5e-4 for 20 epochs (BackdoorBench's {@code config/defense/abl/config.yaml}:
 * {@code gamma: 0.5}, {@code isolation_ratio: 0.01}, {@code lr_unlearning_init: 5.0e-4},
 * {@code unlearning_epochs: 20}, {@code momentum: 0.9}, {@code weight_decay: 1.0e-4}; the paper's
 * local gradient ascent rather than BackdoorBench's default flooding). Deviations, for MNIST on two
 * cores: the isolation and the training on the rest each take the model's own training (its epochs,
 * optimiser and learning rate) instead of 20 and 60 epochs of SGD.
 *
 * <p>On MNIST the isolation misses the poison, so the backdoor survives (measured on the default
 * BadNets training set, 1% poison, cnn, seed 1, counting with the poison's known indices): after the
 * model's one epoch the lowest-loss 1% (600 images) held 57 of the 600 poisoned ones; after the
 * paper's 20 epochs of LGA (Adam at 0.002 held constant, as the reference code holds its rate) only
 * 69, and 20 unlearning epochs on those left the attack success rate at 100%. Under LGA the batch mean
 * stays near γ while MNIST's many easy digits fall to a loss as low as the poison's.
 */
public final class Abl {

    /**
     * @param gamma            the LGA threshold γ on a batch's mean cross-entropy, > 0
     * @param isolation        the share of the training set isolated as suspect, in (0, 0.5)
     * @param unlearningEpochs passes of gradient ascent over the isolated images
     * @param unlearningRate   their SGD learning rate
     */
    public record Settings(float gamma, double isolation, int unlearningEpochs, float unlearningRate) {
        public Settings {
            if (!(gamma > 0) || !(isolation > 0 && isolation < 0.5) || unlearningEpochs < 1 || !(unlearningRate > 0)) {
                throw new IllegalArgumentException("ABL needs γ > 0, an isolation share in (0, 0.5), at least one"
                        + " unlearning epoch and a learning rate > 0, got " + gamma + ", " + isolation + ", "
                        + unlearningEpochs + " and " + unlearningRate);
            }
        }

        /** γ 0.5, 1% isolated, 20 unlearning epochs at 5e-4. */
        public static Settings defaults() {
            return new Settings(0.5f, 0.01, 20, 5e-4f);
        }
    }

    /** The trained network and the indices of the training images it isolated, ascending. */
    public record Result(Network network, int[] isolated) {
    }

    private Abl() {
    }

    /**
     * Trains {@code fresh} (initialised, not trained) in place on {@code poisoned} with the three phases.
     *
     * @param training the model's own training: epochs, batch, optimiser, learning rate, seed, threads
     */
    public static Result train(Network fresh, LabeledImages poisoned, int classes, TrainingConfig training,
                               Settings settings) {
        Objects.requireNonNull(settings, "settings");
        ByteSamples all = ImageSamples.of(poisoned, classes);
        MatrixBackend backend = Backends.create(training.backend(), training.threads());
        // 1. isolation, with the local gradient ascent loss
        epochs(fresh, all, training, backend, settings.gamma(), false);
        float[] probabilities = Evaluator.probabilities(fresh, all, backend);
        int n = all.size();
        double[] loss = new double[n];
        for (int i = 0; i < n; i++) {
            loss[i] = -Math.log(Math.max(1e-12, probabilities[i * classes + all.label(i)]));
        }
        int isolatedCount = (int) Math.max(1, Math.round(settings.isolation() * n));
        int[] byLoss = IntStream.range(0, n).boxed()
                .sorted((a, b) -> loss[a] != loss[b] ? Double.compare(loss[a], loss[b]) : Integer.compare(a, b))
                .mapToInt(Integer::intValue).toArray();
        int[] isolated = Arrays.copyOf(byLoss, isolatedCount);
        Arrays.sort(isolated);
        int[] rest = Arrays.copyOfRange(byLoss, isolatedCount, n);
        Arrays.sort(rest);
        // 2. the rest, as the model trains
        Trainer.train(fresh, ImageSamples.of(Defense.keep(poisoned, rest), classes), training, null);
        // 3. unlearning: gradient ascent on the isolated images
        ByteSamples suspect = ImageSamples.of(Defense.keep(poisoned, isolated), classes);
        TrainingConfig ascent = new TrainingConfig(settings.unlearningEpochs(), training.batchSize(),
                settings.unlearningRate(), LearningRateSchedule.CONSTANT, OptimizerKind.MOMENTUM, 1e-4f,
                training.seed(), training.threads(), training.backend());
        epochs(fresh, suspect, ascent, backend, 0f, true);
        return new Result(fresh, isolated);
    }

    /**
     * Trains {@code net} in place on {@code data}: with {@code ascend}, on {@code -CE} (gradient ascent);
     * without, on LGA's {@code sign(CE - γ) · CE} per batch (plain training while the batch's mean loss is
     * above γ, ascent below it).
     */
    private static void epochs(Network net, ByteSamples data, TrainingConfig config, MatrixBackend backend,
                               float gamma, boolean ascend) {
        int n = data.size();
        LayerPass pass = new LayerPass(net, Math.min(config.batchSize(), n), backend);
        Optimizer optimizer = pass.optimizer(config.optimizer(), config.learningRate(), config.weightDecay());
        Epochs.run(n, config, backend, (order, from, count, rate) -> {
            pass.load(data, order, from, count);
            pass.forward();
            double loss = pass.loss(ascend ? -1f : 1f);
            if (!ascend && loss < gamma) {
                pass.loss(-1f); // below γ: the sign flips
            }
            pass.backward(null, null);
            optimizer.step(rate);
            return loss;
        });
    }

}
