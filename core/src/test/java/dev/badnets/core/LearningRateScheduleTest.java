package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Each schedule against rates worked out by hand, for lr = 0.1. */
class LearningRateScheduleTest {

    @Test
    void constantKeepsTheRate() {
        for (long t : new long[] {0, 1, 99, 100, 1000}) {
            assertEquals(0.1f, LearningRateSchedule.CONSTANT.rate(0.1f, t, 100));
        }
    }

    @Test
    void cosineFallsFromTheFullRateToZeroOverTheSteps() {
        LearningRateSchedule cosine = LearningRateSchedule.COSINE;
        // T = 4: lr · ½ (1 + cos(π t / 4))
        assertEquals(0.1, cosine.rate(0.1f, 0, 4), 1e-8);           // cos 0 = 1
        assertEquals(0.08535534, cosine.rate(0.1f, 1, 4), 1e-8);    // ½ (1 + √2/2) = 0.8535534
        assertEquals(0.05, cosine.rate(0.1f, 2, 4), 1e-8);          // cos π/2 = 0
        assertEquals(0.01464466, cosine.rate(0.1f, 3, 4), 1e-8);    // ½ (1 − √2/2) = 0.1464466
        assertEquals(0.0, cosine.rate(0.1f, 4, 4), 1e-8);           // cos π = −1
        assertEquals(0.0, cosine.rate(0.1f, 9, 4), 1e-8);           // past the end: stays at 0
        // T = 3: t = 1 gives ½ (1 + cos π/3) = ¾
        assertEquals(0.075, cosine.rate(0.1f, 1, 3), 1e-8);
        // a single step takes the full rate
        assertEquals(0.1f, cosine.rate(0.1f, 0, 1));
    }

    @Test
    void parsesCommandLineNamesAndRefusesOthers() {
        assertEquals(LearningRateSchedule.COSINE, LearningRateSchedule.parse(" Cosine"));
        assertEquals(LearningRateSchedule.CONSTANT, LearningRateSchedule.parse("constant"));
        assertEquals("cosine", LearningRateSchedule.COSINE.cliName());
        assertEquals("unknown learning-rate schedule 'step': use constant or cosine",
                assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse("step")).getMessage());
        assertEquals("expected step >= 0 and total steps >= 1, got step 0 of 0",
                assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.COSINE.rate(0.1f, 0, 0))
                        .getMessage());
    }

    @Test
    void configDefaultsToAConstantRate() {
        assertEquals(LearningRateSchedule.CONSTANT, TrainingConfig.defaults().learningRateSchedule());
        assertEquals(LearningRateSchedule.CONSTANT,
                new TrainingConfig(5, 64, 0.001f, OptimizerKind.ADAM, 0f, 1, 1, "auto").learningRateSchedule());
        assertEquals(LearningRateSchedule.COSINE, TrainingConfig.defaults()
                .withLearningRateSchedule(LearningRateSchedule.COSINE).withEpochs(10).learningRateSchedule());
        assertEquals("learning-rate schedule must be one of constant, cosine, got null",
                assertThrows(IllegalArgumentException.class,
                        () -> TrainingConfig.defaults().withLearningRateSchedule(null)).getMessage());
    }
}
