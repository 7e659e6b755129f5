package dev.badnets.cli.train;

import dev.badnets.attack.ImageSamples;

import dev.badnets.cli.Errors;
import dev.badnets.cli.Json;
import dev.badnets.cli.Models;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.Progress;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.NetworkOptions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.core.EpochReport;
import dev.badnets.core.Evaluation;
import dev.badnets.core.Evaluator;
import dev.badnets.core.Network;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingListener;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.MnistLayout;
import dev.badnets.mnist.OutputLock;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code badnets train}: trains a network on any MNIST-layout folder, clean or poisoned. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a network on an MNIST-layout data folder (clean or poisoned), save it, "
                + "and report its test accuracy.")
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Mixin
    NetworkOptions network;

    @Mixin
    BackendOptions run;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to save the model.")
    String out;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    String json;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        TrainingConfig config = network.config(run);
        Path folder = data.folder();
        OutputFiles paths = new OutputFiles().data("--data", folder).file("--out", out).file("--json", json).check();
        Path model = paths.path("--out");
        Path jsonFile = paths.path("--json");
        MnistLayout layout = DataOptions.inspect(folder);
        try (OutputLock modelLock = OutputFiles.lock(model, "--out");
             OutputLock jsonLock = OutputFiles.lock(jsonFile, "--json")) {
            run.warmUp();
            return train(stdout, config, folder, DataOptions.load(layout), model, jsonFile);
        }
    }

    private int train(PrintWriter stdout, TrainingConfig config, Path folder, MnistData mnist, Path model, Path json)
            throws java.io.IOException {
        Network net = network.build(ImageSamples.shape(mnist.train()), mnist.classes());
        stdout.println("training " + network.describe(net, run)
                + " on " + mnist.train().count() + " images from " + folder);
        stdout.flush();

        Errors.doing("training a " + network.layers(net) + " network");
        Training.Trained trained;
        try (Progress.Training bar = new Progress.Training("train", config.epochs(), Progress.interactive())) {
            TrainingListener listener = new TrainingListener() {
                @Override
                public void onBatch(int epoch, int batch, int batches, double loss, double accuracy) {
                    bar.onBatch(epoch, batch, batches, loss, accuracy);
                }

                @Override
                public void onEpoch(EpochReport r) {
                    bar.close();
                    stdout.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  training accuracy %.2f%%  %.1f s%n",
                            r.epoch(), config.epochs(), r.loss(), 100 * r.accuracy(), r.seconds());
                    stdout.flush();
                }
            };
            trained = Training.train(net, mnist.train(), mnist.classes(), config, listener);
        }
        Models.save(trained.network(), model);
        Evaluation test = Evaluator.evaluate(trained.network(),
                ImageSamples.of(mnist.test(), mnist.classes()), run.create());
        stdout.printf(Locale.ROOT, "test accuracy %.2f%% (%d test images); %.0f samples/s; model saved to %s%n",
                100 * test.accuracy(), mnist.test().count(), trained.result().samplesPerSecond(), model);
        if (json != null) {
            ObjectNode root = Json.object();
            root.put("clean_accuracy", test.accuracy());
            Json.putTraining(root, trained.result());
            ObjectNode cfg = root.putObject("config");
            cfg.put("data", folder.toString());
            network.putConfig(cfg, trained.network());
            cfg.put("epochs", config.epochs());
            cfg.put("batch", config.batchSize());
            cfg.put("learning_rate", config.learningRate());
            cfg.put("optimizer", network.optimizer);
            cfg.put("seed", network.seed);
            root.put("model", model.toString());
            Json.write(root, json);
        }
        return 0;
    }
}
