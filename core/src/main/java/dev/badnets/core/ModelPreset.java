package dev.badnets.core;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A named network with the training it was tuned for: its hidden layers in the grammar of
 * {@link Architecture}, and the epochs, learning rate and learning-rate schedule it trains with.
 * Batch size, optimiser (Adam), seed, threads and backend are not part of a preset: they are those
 * of {@link TrainingConfig#defaults()} unless the caller sets them.
 */
public enum ModelPreset {

    /**
     * The default: SimpleCNN with half its filters ({@link Architecture#CNN}), one epoch at a learning
     * rate of 0.002 decaying to 0 along a cosine. Chosen by measurement: at SimpleCNN's constant 0.001 it
     * falls short of SimpleCNN's clean accuracy in one epoch, and two epochs take twice as long.
     */
    CNN("cnn", Architecture.CNN, 1, 0.002f, LearningRateSchedule.COSINE),
    /** The OWASP ML02 notebook's SimpleCNN ({@link Architecture#SEED_CNN}), trained as the notebook does: one epoch at 0.001. */
    SEED_CNN("seed-cnn", Architecture.SEED_CNN, 1, 0.001f, LearningRateSchedule.CONSTANT),
    /** The dense baseline, 784-128-10 on MNIST ({@link Architecture#MLP}): five epochs at 0.001. */
    MLP("mlp", Architecture.MLP, 5, 0.001f, LearningRateSchedule.CONSTANT),
    /** Any other stack of layers: the caller gives the layers; one epoch at 0.001. */
    CUSTOM("custom", null, 1, 0.001f, LearningRateSchedule.CONSTANT);

    /** The preset when none is named. */
    public static final ModelPreset DEFAULT = CNN;

    private final String cliName;
    private final String layers;
    private final int epochs;
    private final float learningRate;
    private final LearningRateSchedule schedule;

    ModelPreset(String cliName, String layers, int epochs, float learningRate, LearningRateSchedule schedule) {
        this.cliName = cliName;
        this.layers = layers;
        this.epochs = epochs;
        this.learningRate = learningRate;
        this.schedule = schedule;
    }

    /** The named presets, as {@code --model} spells them: {@code cnn}, {@code seed-cnn}, {@code mlp}. */
    public static List<String> names() {
        return Arrays.stream(values()).filter(p -> p != CUSTOM).map(ModelPreset::cliName).collect(Collectors.toList());
    }

    /**
     * The preset called {@code name} ({@code cnn}, {@code seed-cnn}, {@code mlp} or {@code custom}),
     * ignoring case and surrounding blanks.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static ModelPreset named(String name) {
        String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (ModelPreset preset : values()) {
            if (preset.cliName.equals(wanted)) {
                return preset;
            }
        }
        throw new IllegalArgumentException("unknown model '" + name + "': expected " + String.join(", ", names()));
    }

    /** The name, as {@code --model} spells it. */
    public String cliName() {
        return cliName;
    }

    /** The hidden layers in the grammar of {@link Architecture}; null for {@link #CUSTOM}, whose caller gives them. */
    public String layers() {
        return layers;
    }

    public int epochs() {
        return epochs;
    }

    public float learningRate() {
        return learningRate;
    }

    public LearningRateSchedule schedule() {
        return schedule;
    }

    /** {@code base} with this preset's epochs, learning rate and schedule; everything else as in {@code base}. */
    public TrainingConfig training(TrainingConfig base) {
        return base.withEpochs(epochs).withLearningRate(learningRate).withLearningRateSchedule(schedule);
    }
}
