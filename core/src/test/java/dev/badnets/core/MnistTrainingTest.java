package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.testing.RealMnist;
import dev.badnets.mnist.testing.RequiresMnist;
import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The accuracy the README promises, on real MNIST where the command line finds it ({@link RealMnist};
 * each test is skipped, with the reason, without it). The backend is "auto" unless the system property {@code badnets.backend} names one;
 * the seed (network initialisation and shuffle) is 1 unless {@code badnets.seed} gives another,
 * which is how the README's figures for other seeds were measured.
 */
@RequiresMnist
class MnistTrainingTest {

    private static MnistData mnist;

    @BeforeAll
    static void load() throws IOException {
        mnist = RealMnist.loadIfPresent(); // null: RequiresMnist skips every test, naming the reason
    }

    private static Samples samples(LabeledImages images) {
        return new ByteSamples(images.pixels(), images.labels(), images.rows() * images.cols(), mnist.classes());
    }

    /** Trains a network of the given hidden layers with {@code config} on the backend and seed under test. */
    private static double trainAndTest(int[] hidden, TrainingConfig config) {
        return trainAndTest(hidden, config, System.getProperty("badnets.backend", "auto"));
    }

    private static double trainAndTest(int[] hidden, TrainingConfig config, String backend) {
        long seed = Long.parseLong(System.getProperty("badnets.seed", "1"));
        Network net = Network.mlp(784, hidden, 10, seed);
        config = config.withBackend(backend).withSeed(seed);
        Samples test = samples(mnist.test());
        TrainingResult result = Trainer.train(net, samples(mnist.train()), config, new TrainingListener() {
            @Override
            public void onEpoch(EpochReport r) {
                System.out.printf("%s seed %d epoch %d: loss %.4f, train accuracy %.4f, test accuracy %.4f, %.1f s%n",
                        net, seed, r.epoch(), r.loss(), r.accuracy(), Evaluator.evaluate(net, test).accuracy(),
                        r.seconds());
            }
        });
        double accuracy = Evaluator.evaluate(net, test).accuracy();
        System.out.printf("%s on %s x%d: test accuracy %.4f, %.1f s, %.0f samples/s%n", net, result.backend(),
                result.threads(), accuracy, result.seconds(), result.samplesPerSecond());
        return accuracy;
    }

    /** The defaults: Adam at a constant lr 0.001, batch 64, 5 epochs, seed 1 (97.63%). */
    @Test
    void oneHiddenLayerOf128ReachesAtLeast97Point5PercentInFiveEpochs() {
        double accuracy = trainAndTest(new int[] {128}, TrainingConfig.defaults());
        assertTrue(accuracy >= 0.975, "test accuracy " + accuracy);
    }

    /**
     * The readable EJML path, which BACKPROP.md follows, trains the defaults to the same bar (it
     * sums in another order than the SIMD kernels, so the last digits may differ).
     */
    @Test
    void theEjmlReferenceBackendReachesTheSameBar() {
        double accuracy = trainAndTest(new int[] {128}, TrainingConfig.defaults(), "ejml");
        assertTrue(accuracy >= 0.975, "test accuracy " + accuracy);
    }

    /**
     * Adam lr 0.001 with a cosine schedule, batch 64, 10 epochs, seed 1. At a constant rate this
     * network overfits after about 5 epochs and ends between 97.4% and 98.0%; decaying the rate
     * lets the last epochs settle, and seeds 1 to 5 end between 98.26% and 98.37% (seed 1:
     * 98.31%). See core/README.md.
     */
    @Test
    void hiddenLayersOf256And128ReachAtLeast98PercentInTenEpochs() {
        TrainingConfig config = TrainingConfig.defaults().withEpochs(10)
                .withLearningRateSchedule(LearningRateSchedule.COSINE);
        double accuracy = trainAndTest(new int[] {256, 128}, config);
        assertTrue(accuracy >= 0.98, "test accuracy " + accuracy);
    }
}
