package dev.badnets.cli.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.ExperimentResult;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.PoisonedSet;
import dev.badnets.attack.Trigger;
import dev.badnets.cli.Errors;
import dev.badnets.cli.Json;
import dev.badnets.cli.Report;
import dev.badnets.cli.options.PoisoningOptions;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.NetworkOptions;
import dev.badnets.cli.options.TargetOptions;
import dev.badnets.core.Network;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingResult;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.MnistData;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** What {@code demo} prints and writes to results.json. */
final class DemoReport {

    private DemoReport() {
    }

    /** The report's first block, printed once the training set is poisoned, before training. */
    static void printConfiguration(PrintWriter stdout, Path folder, MnistData mnist, PoisonedSet poisoned,
                                   Trigger trigger, Network net, PoisoningOptions poisoning,
                                   NetworkOptions network, BackendOptions run) {
        TargetOptions target = poisoning.target;
        LabeledImages train = mnist.train();
        stdout.println("BadNets backdoor demo (OWASP ML02:2023, data poisoning)");
        stdout.println();
        stdout.println("Configuration");
        stdout.printf(Locale.ROOT, "  data       %s: %,d training and %,d test images, %dx%d, %d classes%n",
                folder, train.count(), mnist.test().count(), train.rows(), train.cols(), mnist.classes());
        boolean cleanLabel = poisoned.attack() != null
                && Arrays.equals(poisoned.images().labels(), train.labels());
        stdout.printf(Locale.ROOT, "  poisoning  %,d training images (%.2f%%) got the trigger and %s%n",
                poisoned.poisonedCount(), 100.0 * poisoned.poisonedCount() / train.count(),
                cleanLabel ? "kept their labels (clean-label, class " + target.target + ")"
                        : target.mode() == PoisonPlan.Mode.ALL_TO_ONE ? "the label " + target.target
                        : "the label of the next class (all-to-all)");
        if (poisoned.coverIndices().length > 0) {
            stdout.printf(Locale.ROOT, "             %,d more were changed but kept their labels (cover images)%n",
                    poisoned.coverIndices().length);
        }
        if (poisoning.attack.given()) {
            stdout.println("  attack     " + (poisoned.attack() == null
                    ? poisoning.attack.resolvedName(poisoning.trigger)
                    : poisoned.attack() + " " + poisoned.attackParameters()));
        }
        stdout.println("  trigger    " + trigger.describe());
        stdout.println("  network    " + network.describe(net, run));
        stdout.println();
        stdout.flush();
        Errors.doing("training a " + network.layers(net) + " network");
    }

    /** The figures of the run, and of the defense when there was one. */
    static void printResults(PrintWriter stdout, ExperimentResult result, int testImages) {
        TrainingResult training = result.training();
        stdout.println("Results");
        stdout.print(Report.backdoorLines(result.backdoor(), testImages));
        stdout.printf(Locale.ROOT, "  training took %.1f s (%,.0f images/s, %s)%n", training.seconds(),
                training.samplesPerSecond(), training.backend() + ", " + training.threads() + " threads");
        stdout.println();
        if (result.defended()) {
            stdout.print(Report.defenseLines(result.defense(), testImages));
            stdout.println();
        }
    }

    /** The files written and what each holds. */
    static void printFiles(PrintWriter stdout, Path outDir) {
        String results = shown(outDir.resolve(DemoCommand.RESULTS));
        String model = shown(outDir.resolve(DemoCommand.MODEL));
        String picture = shown(outDir.resolve(DemoCommand.PICTURE));
        String row = "  %-" + Math.max(results.length(), Math.max(model.length(), picture.length())) + "s  %s%n";
        stdout.println("Files");
        stdout.printf(row, results, "every figure above, the configuration and timings");
        stdout.printf(row, model, "the trained model: ./badnets evaluate --model " + model + " [--trigger square]");
        stdout.printf(row, picture, "one test image per class, clean and triggered, with the model's answers");
        stdout.flush();
    }

    /**
     * results.json without the run's load and total seconds, which the caller adds under {@code timings};
     * without {@code files} when {@code outDir} is null (nothing written).
     */
    static ObjectNode json(ExperimentResult result, Path folder, MnistData mnist, PoisonPlan plan, Trigger trigger,
                           TrainingConfig config, Path outDir, PoisoningOptions poisoning, NetworkOptions network,
                           BackendOptions run) {
        TargetOptions target = poisoning.target;
        LabeledImages train = mnist.train();
        ObjectNode root = Json.object();
        Json.putBackdoor(root, result.backdoor());
        root.put("poisoned_count", result.poisonedCount());
        Json.putTraining(root, result.training());
        ObjectNode cfg = root.putObject("config");
        cfg.put("data", folder.toString());
        cfg.put("train_images", train.count());
        cfg.put("test_images", mnist.test().count());
        cfg.put("image_rows", train.rows());
        cfg.put("image_cols", train.cols());
        cfg.put("classes", mnist.classes());
        if (plan.rate().isPresent()) {
            cfg.put("poison_rate", plan.rate().getAsDouble());
        } else {
            cfg.put("poison_count", plan.count().getAsInt());
        }
        cfg.put("target", target.target);
        cfg.put("mode", target.mode().cliName());
        var sources = cfg.putArray("source_classes");
        Arrays.stream(plan.sourceClasses()).forEach(sources::add);
        cfg.put("trigger", trigger.describe());
        if (poisoning.attack.given()) {
            ObjectNode attack = root.putObject("attack");
            PoisonedSet poisoned = result.poisoned();
            attack.put("name", poisoned.attack() == null ? poisoning.attack.resolvedName(poisoning.trigger)
                    : poisoned.attack());
            attack.set("parameters", Json.MAPPER.valueToTree(poisoned.attack() == null
                    ? java.util.Map.of("trigger", trigger.describe()) : poisoned.attackParameters()));
            if (poisoned.coverIndices().length > 0) {
                attack.put("cover_count", poisoned.coverIndices().length);
            }
        }
        network.putConfig(cfg, result.network());
        Json.putTrainingConfig(cfg, config);
        cfg.put("seed", network.seed);
        cfg.put("threads", config.threads());
        cfg.put("backend", run.backend);
        if (result.defended()) {
            Json.putDefense(root, result.defense());
        }
        if (outDir != null) {
            ObjectNode files = root.putObject("files");
            files.put("model", outDir.resolve(DemoCommand.MODEL).toString());
            files.put("picture", outDir.resolve(DemoCommand.PICTURE).toString());
        }
        return root;
    }

    /** A path relative to the working directory when it lies below it, as a user would type it. */
    private static String shown(Path file) {
        Path here = Path.of("").toAbsolutePath();
        return file.startsWith(here) ? here.relativize(file).toString() : file.toString();
    }
}
