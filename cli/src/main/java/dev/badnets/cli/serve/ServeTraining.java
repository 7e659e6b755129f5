package dev.badnets.cli.serve;

import dev.badnets.cli.Errors;
import dev.badnets.cli.Json;
import dev.badnets.cli.Progress;
import dev.badnets.cli.Report;
import dev.badnets.cli.options.PoisonOptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.BackdoorExperiment;
import dev.badnets.attack.ExperimentResult;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Trigger;
import dev.badnets.attack.Triggers;
import dev.badnets.core.LearningRateSchedule;
import dev.badnets.core.ModelPreset;
import dev.badnets.core.Network;
import dev.badnets.core.OptimizerKind;
import dev.badnets.core.TrainingConfig;
import dev.badnets.mnist.MnistData;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The models {@code serve} trains when it lacks them: the demo's backdoored model and its clean twin
 * when there is no model at all, and the clean twin of a model the demo wrote, which serve keeps as
 * {@value #CLEAN_MODEL} beside it for the next start.
 */
public final class ServeTraining {

    /** The clean twin's file name, beside {@code model.bin}. */
    static final String CLEAN_MODEL = "clean-model.bin";

    /**
     * One model trained by serve.
     *
     * @param result  the experiment's network and figures
     * @param config  how it was trained, for the page's {@code /api/info}
     * @param trigger the trigger of the run (the backdoored model's, for a clean twin)
     * @param plan    the poisoning of the run (no image poisoned, for a clean twin)
     */
    record Trained(ExperimentResult result, ObjectNode config, Trigger trigger, PoisonPlan plan) {}

    private ServeTraining() {
    }

    /**
     * The demo's default run ({@link ModelPreset#DEFAULT}, the default trigger and target, seed 1, every
     * core), with {@code poisonCount} images poisoned: {@link PoisonOptions#DEFAULT_COUNT} gives the
     * demo's backdoored model, 0 its clean twin.
     */
    static Trained demo(PrintWriter out, MnistData mnist, int poisonCount) {
        ModelPreset preset = ModelPreset.DEFAULT;
        return train(out, mnist, PoisonPlan.ofCount(poisonCount), Triggers.defaultTrigger(), preset.layers(),
                preset.training(TrainingConfig.defaults()));
    }

    /**
     * The clean twin of a model the demo trained: the same network (the hidden layers of {@code backdoored})
     * and training (the {@code config} of its results.json) on the clean training set, measured with
     * {@code trigger} and {@code plan}'s target. Null, with a line saying why, when {@code config} does not
     * say how the model was trained.
     */
    static Trained cleanTwin(PrintWriter out, MnistData mnist, Network backdoored, JsonNode config, Trigger trigger,
                             PoisonPlan plan) {
        if (config == null || !config.path("epochs").canConvertToInt() || !config.path("learning_rate").isNumber()) {
            out.println("badnets serve: no clean model: the backdoored model has no results.json beside it saying "
                    + "how it was trained (pass --clean-model M to show one)");
            return null;
        }
        TrainingConfig training;
        try {
            training = TrainingConfig.defaults()
                    .withEpochs(config.get("epochs").asInt())
                    .withLearningRate((float) config.get("learning_rate").asDouble())
                    .withLearningRateSchedule(LearningRateSchedule.parse(config.path("lr_schedule").asText("constant")))
                    .withOptimizer(OptimizerKind.valueOf(config.path("optimizer").asText("adam")
                            .toUpperCase(Locale.ROOT)))
                    .withBatchSize(config.path("batch").asInt(64))
                    .withSeed(config.path("seed").asLong(1))
                    .withWeightDecay((float) config.path("weight_decay").asDouble(0))
                    .withBackend(config.path("backend").asText("auto"));
        } catch (IllegalArgumentException e) {
            out.println("badnets serve: no clean model: the results.json beside the backdoored model names a "
                    + "training this version cannot repeat (" + e.getMessage() + ")");
            return null;
        }
        PoisonPlan clean = PoisonPlan.ofCount(0).withMode(plan.mode()).withTarget(plan.target())
                .withSeed(training.seed());
        return train(out, mnist, clean, trigger, hiddenLayers(backdoored), training);
    }

    /** The hidden layers of {@code net} in the grammar of {@link dev.badnets.core.Architecture}: all but the output layer. */
    static String hiddenLayers(Network net) {
        return net.layers().stream().limit(net.layers().size() - 1L).map(l -> l.spec())
                .collect(Collectors.joining(","));
    }

    /** Poisons the training set by {@code plan}, trains {@code layers} with {@code training}, measures; prints the figures. */
    static Trained train(PrintWriter out, MnistData mnist, PoisonPlan plan, Trigger trigger, String layers,
                         TrainingConfig training) {
        String what = plan.count().orElse(-1) == 0 ? "clean" : "backdoored";
        out.printf(Locale.ROOT, "badnets serve: training the %s model: %s, %s lr %s %s, %d %s, seed %d%n",
                what, layers, training.optimizer().name().toLowerCase(Locale.ROOT), training.learningRate(),
                training.learningRateSchedule().cliName(), training.epochs(),
                training.epochs() == 1 ? "epoch" : "epochs", training.seed());
        out.flush();
        Errors.doing("training the " + what + " model " + layers);
        ExperimentResult result;
        try (Progress.Experiment progress = new Progress.Experiment(training.epochs(), Progress.interactive())) {
            result = BackdoorExperiment.of(mnist.train(), mnist.test(), mnist.classes(), plan, trigger,
                    BackdoorExperiment.NetworkFactory.architecture(layers), training).run(progress);
        }
        out.print(Report.backdoorLines(result.backdoor(), mnist.test().count()));
        out.println();
        out.flush();
        ObjectNode config = Json.object();
        config.put("model", Arrays.stream(ModelPreset.values()).filter(p -> layers.equals(p.layers()))
                .map(ModelPreset::cliName).findFirst().orElse(ModelPreset.CUSTOM.cliName()));
        config.put("layers", layers);
        config.put("poisoned_count", result.poisonedCount());
        config.put("trigger", trigger.describe());
        config.put("target", plan.target());
        Json.putTrainingConfig(config, training);
        config.put("seed", training.seed());
        return new Trained(result, config, trigger, plan);
    }
}
