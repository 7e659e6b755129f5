package dev.badnets.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.DefenseOutcome;
import dev.badnets.attack.defense.ModelDefense;
import dev.badnets.core.EpochReport;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingResult;
import dev.badnets.mnist.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The JSON files commands write; key names are fixed by docs/cli-contract.md. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** clean_accuracy, attack_success_rate, attack_success_rate_all_images, per_class_attack_success_rate. */
    public static void putBackdoor(ObjectNode json, BackdoorReport report) {
        json.put("clean_accuracy", report.cleanAccuracy());
        json.put("attack_success_rate", report.attackSuccessRate());
        json.put("attack_success_rate_all_images", report.attackSuccessRateAllImages());
        ObjectNode perClass = json.putObject("per_class_attack_success_rate");
        for (Map.Entry<Integer, Double> e : report.perClassAttackSuccessRate().entrySet()) {
            perClass.put(Integer.toString(e.getKey()), e.getValue());
        }
        json.put("attack_success_rate_denominator", report.attackedCount());
    }

    /**
     * epochs, train_seconds, train_samples_per_second, backend, threads, and per-epoch loss and
     * accuracy; the per-epoch seconds go under {@code timings} with the other wall-clock figures.
     */
    public static void putTraining(ObjectNode json, TrainingResult result) {
        json.put("epochs", result.epochs().size());
        json.put("train_seconds", result.seconds());
        json.put("train_samples_per_second", result.samplesPerSecond());
        json.put("backend", result.backend());
        json.put("threads", result.threads());
        var epochs = json.putArray("epoch_reports");
        var seconds = timings(json).putArray("epoch_seconds");
        for (EpochReport e : result.epochs()) {
            epochs.addObject().put("epoch", e.epoch()).put("loss", e.loss()).put("accuracy", e.accuracy());
            seconds.add(e.seconds());
        }
    }

    /**
     * The settings of a training run, as {@code demo} and {@code serve} record them: optimizer,
     * learning_rate, weight_decay (only when there is some), lr_schedule, batch and epochs.
     */
    public static void putTrainingConfig(ObjectNode json, TrainingConfig config) {
        json.put("optimizer", config.optimizer().name().toLowerCase(Locale.ROOT));
        json.put("learning_rate", config.learningRate());
        if (config.weightDecay() > 0) {
            json.put("weight_decay", config.weightDecay());
        }
        json.put("lr_schedule", config.learningRateSchedule().cliName());
        json.put("batch", config.batchSize());
        json.put("epochs", config.epochs());
    }

    /**
     * The {@code defense} object of the demo: the detector's figures and the retrained model's. A
     * model defense writes its own figures instead of the flagging ones: those it produced, and
     * {@code flagged_class} (null when no class was flagged) whenever it reports an anomaly index. A
     * run-time detector (STRIP) leaves the model as it is: its {@code *_after} figures are the model's own.
     */
    public static void putDefense(ObjectNode json, DefenseOutcome d) {
        ObjectNode defense = json.putObject("defense");
        defense.put("method", d.method());
        if (d.modelLevel()) {
            ModelDefense.Figures f = d.figures();
            if (f.flaggedClass().isPresent() || f.anomalyIndex().isPresent()) {
                if (f.flaggedClass().isPresent()) {
                    defense.put("flagged_class", f.flaggedClass().getAsInt());
                } else {
                    defense.putNull("flagged_class");
                }
            }
            f.anomalyIndex().ifPresent(v -> defense.put("anomaly_index", v));
            f.detectionRate().ifPresent(v -> defense.put("detection_rate", v));
            f.falseRejectionRate().ifPresent(v -> defense.put("false_rejection_rate", v));
            f.threshold().ifPresent(v -> defense.put("threshold", v));
        } else {
            defense.put("expected_rate", d.expectedRate());
            defense.put("flagged_count", d.metrics().flagged());
            defense.put("true_positives", d.metrics().truePositives());
            defense.put("precision", d.metrics().precision());
            defense.put("recall", d.metrics().recall());
        }
        defense.put("clean_accuracy_after", d.backdoor().cleanAccuracy());
        defense.put("attack_success_rate_after", d.backdoor().attackSuccessRate());
        defense.put("attack_success_rate_all_images_after", d.backdoor().attackSuccessRateAllImages());
        defense.put("retrained_on", d.retrainedOn());
        if (d.training() != null) {
            timings(defense).put("retrain_seconds", d.training().seconds());
        }
    }

    /** The object holding wall-clock figures, which differ from run to run. */
    public static ObjectNode timings(ObjectNode json) {
        return json.has("timings") ? (ObjectNode) json.get("timings") : json.putObject("timings");
    }

    public static void write(ObjectNode json, Path file) throws IOException {
        AtomicFiles.write(file, out -> MAPPER.writeValue(new NonClosing(out), json));
    }

    /** Jackson closes the stream it writes to; the atomic writer must close it itself. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
