package dev.badnets.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.BackdoorReport;
import dev.badnets.mnist.testing.RealMnist;
import dev.badnets.mnist.testing.RequiresMnist;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding examples, run on a slice of real MNIST ({@link RealMnist}; skipped, with the reason, without it). */
@RequiresMnist
class EmbeddingExamplesTest {

    @TempDir
    static Path dir;

    static Path slice;

    @BeforeAll
    static void writeSlice() throws IOException {
        slice = RealMnist.slice(dir.resolve("slice"), 6000, 1000);
    }

    @Test
    void trainClassifierLearnsTheSlice() throws Exception {
        double accuracy = TrainClassifier.train(slice, 3);
        assertTrue(accuracy > 0.88, "test accuracy " + accuracy);
    }

    @Test
    void poisonAndMeasurePlantsTheBackdoor() throws Exception {
        BackdoorReport report = PoisonAndMeasure.run(slice, 300, 3);
        assertTrue(report.cleanAccuracy() > 0.85, "clean accuracy " + report.cleanAccuracy());
        // a clean model sends about 1% of triggered non-zero digits to 0; the backdoor far more
        assertTrue(report.attackSuccessRate() > 0.6, "attack success rate " + report.attackSuccessRate());
    }
}
