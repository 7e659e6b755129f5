package dev.badnets.attack.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.BackdoorMetrics;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Triggers;
import dev.badnets.core.Network;
import dev.badnets.mnist.LabeledImages;
import java.util.List;
import org.junit.jupiter.api.Test;

class CellMetricsTest {

    @Test
    void derIsBackdoorBenchsRatingOfItsOwnFineTuningRow() {
        // BackdoorBench, CIFAR-10, PreAct-ResNet18, BadNets 1%: none 91.32 / 95.03, fine-tuning 89.96 / 1.48
        CellMetrics none = new CellMetrics(0.9132, 0.9503, 0.0467);
        CellMetrics ft = new CellMetrics(0.8996, 0.0148, 0.8939);
        assertEquals((0.9355 - 0.0136 + 1) / 2, CellMetrics.der(none, ft), 1e-12);
        assertEquals(0.5, CellMetrics.der(none, none), 1e-12, "no change rates 0.5");
        // a defense that raises the accuracy and the ASR gets no credit for either: 0.5
        assertEquals(0.5, CellMetrics.der(ft, none), 1e-12);
    }

    @Test
    void robustAccuracyCountsTriggeredNonTargetImagesKeptInTheirTrueClass() {
        // 4 images of 4 pixels, classes 0..3; a "network" that answers the class of the brightest pixel
        byte[] pixels = new byte[16];
        for (int i = 0; i < 4; i++) {
            pixels[i * 4 + i] = (byte) 200;
        }
        LabeledImages test = new LabeledImages(4, 2, 2, pixels, new byte[] {0, 1, 2, 3});
        Network net = dev.badnets.core.Network.create(new int[] {4, 4}, dev.badnets.core.Activation.RELU,
                dev.badnets.core.Activation.IDENTITY, dev.badnets.core.Loss.SOFTMAX_CROSS_ENTROPY, 1);
        var dense = (dev.badnets.core.DenseLayer) net.layer(0);
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                dense.weights().set(r, c, r == c ? 1 : 0);
            }
            dense.bias().set(0, r, 0);
        }
        // a 1x1 trigger of 255 at the top left makes pixel 0 the brightest: every image goes to class 0
        var report = BackdoorMetrics.measure(net, test, Triggers.parse("square", 1, 255, "top-left", 0.2),
                PoisonPlan.Mode.ALL_TO_ONE, 0);
        CellMetrics m = CellMetrics.of(report, test);
        assertEquals(1.0, m.cleanAccuracy());
        assertEquals(1.0, m.attackSuccessRate());
        assertEquals(0.0, m.robustAccuracy(), "no triggered non-target image keeps its class");
    }

    @Test
    void theTableShowsMeanAndSampleDeviationOverSeeds() {
        List<MatrixCsv.Row> rows = List.of(
                new MatrixCsv.Row("badnets", "none", 1, new CellMetrics(0.99, 1.0, 0.0), 0.5, 10, 1, 4, "a", "m"),
                new MatrixCsv.Row("badnets", "fine-tuning", 1, new CellMetrics(0.98, 0.01, 0.97), 0.99, 20, 2, 4, "b", "m"),
                new MatrixCsv.Row("badnets", "none", 2, new CellMetrics(0.97, 1.0, 0.0), 0.5, 10, 3, 4, "c", "m"),
                new MatrixCsv.Row("badnets", "fine-tuning", 2, new CellMetrics(0.96, 0.03, 0.95), 0.97, 20, 4, 4, "d", "m"));
        String md = MatrixTable.markdown(rows);
        assertTrue(md.contains("| none | 98.00 ± 1.41 | 100.00 ± 0.00 | 0.00 ± 0.00 | - |"), md);
        assertTrue(md.contains("| fine-tuning | 97.00 ± 1.41 | 2.00 ± 1.41 | 96.00 ± 1.41 | 0.980 ± 0.014 | 20 |"), md);
    }
}
