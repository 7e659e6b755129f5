package dev.badnets.attack;

import dev.badnets.core.ByteSamples;
import dev.badnets.core.Network;
import dev.badnets.core.Samples;
import dev.badnets.core.Shape;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.backend.Backends;
import dev.badnets.mnist.LabeledImages;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;

/**
 * Adversarial training (Madry, Makelov, Schmidt, Tsipras, Vladu 2018, "Towards deep learning models
 * resistant to adversarial attacks", ICLR): the network is trained on the worst case within an
 * L-infinity ball around each image instead of the image itself,
 * <pre>
 *   min_theta  E_(x, y) [ max_{||delta||_inf <= eps} loss(f_theta(x + delta), y) ]
 * </pre>
 * the inner maximum approximated by {@link Pgd} against the network's current weights, batch by batch,
 * before each optimiser step. BackdoorBench computes the label-consistent attack's perturbations on such
 * a model (an adversarially trained ResNet-18); {@link LabelConsistentAttack} can do the same. Batch
 * order, learning-rate schedule and optimiser are {@code config}'s, as in {@link Trainer#train}.
 */
final class AdversarialTraining {

    /** PGD steps per batch: a few steps find most of the inner maximum at a fraction of Madry et al.'s 40. */
    static final int STEPS = 5;

    private AdversarialTraining() {
    }

    /**
     * Trains {@code net} in place on the adversarial versions of {@code images}.
     *
     * @param epsilon radius of the ball in grey levels, (0, 255]
     * @param steps   PGD steps per batch, each of {@code 2.5 epsilon / steps}
     */
    static void train(Network net, LabeledImages images, int classes, TrainingConfig config, double epsilon,
                      int steps) {
        ByteSamples clean = ImageSamples.of(images, classes);
        Trainer trainer = new Trainer(net, config);
        int batch = config.batchSize();
        int width = clean.inputWidth();
        Pgd pgd = new Pgd(List.of(net), batch, Backends.create(config.backend(), config.threads()),
                (float) (epsilon / 255), (float) (2.5 * epsilon / steps / 255), steps);
        Perturbed data = new Perturbed(clean, new int[clean.size()], new FMatrixRMaj(batch, width));
        Arrays.fill(data.rowOf, -1);
        FMatrixRMaj x0 = new FMatrixRMaj(batch, width);
        int[] y = new int[batch];
        int n = clean.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom shuffler = new SplittableRandom(config.seed());
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            Trainer.shuffle(order, shuffler);
            for (int from = 0; from < n; from += batch) {
                int count = Math.min(batch, n - from);
                x0.reshape(count, width);
                data.x.reshape(count, width);
                for (int r = 0; r < count; r++) {
                    clean.copyInput(order[from + r], x0.data, r * width);
                    y[r] = clean.label(order[from + r]);
                    data.rowOf[order[from + r]] = r;
                }
                pgd.perturb(x0, y, data.x);
                double loss = trainer.step(data, order, from, count);
                if (!Double.isFinite(loss)) {
                    throw new ArithmeticException("adversarial training diverged (loss " + loss + ") at epoch "
                            + epoch + ": lower the learning rate (now " + config.learningRate() + ")");
                }
                for (int r = 0; r < count; r++) {
                    data.rowOf[order[from + r]] = -1;
                }
            }
        }
    }

    /**
     * The training set as the trainer sees it during one step: the images of the current batch replaced
     * by their perturbations (row {@code rowOf[i]} of {@code x}), the others clean.
     */
    private record Perturbed(ByteSamples clean, int[] rowOf, FMatrixRMaj x) implements Samples {
        @Override
        public int size() {
            return clean.size();
        }

        @Override
        public int inputWidth() {
            return clean.inputWidth();
        }

        @Override
        public Shape inputShape() {
            return clean.inputShape();
        }

        @Override
        public int classes() {
            return clean.classes();
        }

        @Override
        public int label(int index) {
            return clean.label(index);
        }

        @Override
        public void copyInput(int index, float[] dst, int offset) {
            int row = rowOf[index];
            if (row < 0) {
                clean.copyInput(index, dst, offset);
            } else {
                System.arraycopy(x.data, row * x.numCols, dst, offset, x.numCols);
            }
        }
    }
}
