package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelPresetTest {

    @Test
    void namesTheThreeModelsTheCommandLineOffers() {
        assertEquals(List.of("cnn", "seed-cnn", "mlp"), ModelPreset.names());
        assertEquals(ModelPreset.SEED_CNN, ModelPreset.named(" Seed-CNN "));
        assertEquals(ModelPreset.CUSTOM, ModelPreset.named("custom"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelPreset.named("vgg"));
        assertTrue(e.getMessage().contains("'vgg'"), e.getMessage());
    }

    @Test
    void eachPresetIsItsArchitectureWithItsTraining() {
        assertEquals(Architecture.CNN, ModelPreset.DEFAULT.layers());
        assertEquals(Architecture.named("mlp"), ModelPreset.MLP.layers());
        TrainingConfig cnn = ModelPreset.CNN.training(TrainingConfig.defaults().withBatchSize(32));
        assertEquals(1, cnn.epochs());
        assertEquals(0.002f, cnn.learningRate());
        assertEquals(LearningRateSchedule.COSINE, cnn.learningRateSchedule());
        assertEquals(32, cnn.batchSize(), "a preset leaves what it does not name as it was");
        TrainingConfig mlp = ModelPreset.MLP.training(TrainingConfig.defaults().withEpochs(9));
        assertEquals(5, mlp.epochs());
        assertEquals(0.001f, mlp.learningRate());
        assertEquals(LearningRateSchedule.CONSTANT, mlp.learningRateSchedule());
    }
}
