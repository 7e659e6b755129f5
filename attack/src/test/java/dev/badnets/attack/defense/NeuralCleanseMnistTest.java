package dev.badnets.attack.defense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.BackdoorExperiment;
import dev.badnets.attack.BackdoorExperiment.NetworkFactory;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Triggers;
import dev.badnets.core.Architecture;
import dev.badnets.core.LearningRateSchedule;
import dev.badnets.core.Network;
import dev.badnets.core.OptimizerKind;
import dev.badnets.core.TrainingConfig;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.testing.RealMnist;
import dev.badnets.mnist.testing.RequiresMnist;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Neural Cleanse on real MNIST ({@link RealMnist}; each test skipped, with the reason, without it), on the
 * default demo's network (cnn, 1 epoch, Adam 0.002 cosine, seed 1) with and without the default
 * poisoning (600 images, 2x2 white square at the top left, target 0). Shorter than the command's
 * scan: 1,000 test images and at most 300 steps per class.
 */
@RequiresMnist
class NeuralCleanseMnistTest {

    private static final TrainingConfig CNN = new TrainingConfig(1, 64, 0.002f, LearningRateSchedule.COSINE,
            OptimizerKind.ADAM, 0f, 1L, 2, "auto");
    private static final NeuralCleanse.Settings SETTINGS =
            NeuralCleanse.Settings.defaults().withMaxSteps(300).withThreads(2, "auto");

    private static MnistData mnist;

    @BeforeAll
    static void load() throws Exception {
        mnist = RealMnist.loadIfPresent(); // null: RequiresMnist skips every test, naming the reason
    }

    private static Network train(int poisonCount) {
        return BackdoorExperiment.of(mnist.train(), mnist.test(), mnist.classes(), PoisonPlan.ofCount(poisonCount),
                Triggers.defaultTrigger(), NetworkFactory.architecture(Architecture.CNN), CNN).run(null).network();
    }

    private static ScanResult scan(Network net) {
        ScanResult scan = NeuralCleanse.scan(net, mnist.test().slice(0, 1_000), SETTINGS, null);
        System.out.printf(Locale.ROOT, "scan in %.1f s: L1 %s, anomaly indices %s, flagged %s%n", scan.seconds(),
                Arrays.toString(Arrays.stream(scan.l1Norms()).map(v -> Math.round(v * 10) / 10.0).toArray()),
                Arrays.toString(Arrays.stream(scan.anomalyIndices()).map(v -> Math.round(v * 100) / 100.0).toArray()),
                Arrays.toString(scan.flagged()));
        return scan;
    }

    @Test
    void flagsTheTargetOfTheDefaultBackdoorAndDrawsItsTriggerInTheCorner() {
        Network backdoored = train(600);
        ScanResult scan = scan(backdoored);
        assertArrayEquals(new int[] {0}, scan.flagged());
        assertTrue(scan.anomalyIndices()[0] >= NeuralCleanse.ANOMALY_THRESHOLD);
        int inCorner = 0;
        for (int pixel : scan.triggers().get(0).strongestPixels(4)) {
            inCorner += pixel / 28 < 3 && pixel % 28 < 3 ? 1 : 0;
        }
        assertTrue(inCorner >= 3, inCorner + " of the 4 strongest mask pixels lie in the 3x3 top-left corner");

        // unlearning on training images the scan did not see, measured on the rest of the test set
        LabeledImages repairSet = mnist.train().slice(0, 20_000);
        NeuralCleanse.Repair repair = NeuralCleanse.unlearn(backdoored, scan, repairSet,
                NeuralCleanse.Unlearning.defaults().withTraining(TrainingConfig.defaults().withEpochs(3).withThreads(2)));
        LabeledImages held = mnist.test().slice(1_000, mnist.test().count());
        var before = dev.badnets.attack.BackdoorMetrics.measure(backdoored, held, Triggers.defaultTrigger(),
                PoisonPlan.Mode.ALL_TO_ONE, 0);
        var after = dev.badnets.attack.BackdoorMetrics.measure(repair.network(), held, Triggers.defaultTrigger(),
                PoisonPlan.Mode.ALL_TO_ONE, 0);
        System.out.printf(Locale.ROOT, "unlearning: ASR %.4f -> %.4f, clean accuracy %.4f -> %.4f%n",
                before.attackSuccessRate(), after.attackSuccessRate(), before.cleanAccuracy(), after.cleanAccuracy());
        assertTrue(after.attackSuccessRate() <= 0.05, "ASR after unlearning " + after.attackSuccessRate());
        assertTrue(after.cleanAccuracy() >= before.cleanAccuracy() - 0.01, "clean accuracy " + after.cleanAccuracy());
    }

    @Test
    void flagsNoClassOfACleanModel() {
        assertArrayEquals(new int[0], scan(train(0)).flagged());
    }
}
