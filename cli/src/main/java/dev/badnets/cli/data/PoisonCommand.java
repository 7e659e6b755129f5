package dev.badnets.cli.data;

import dev.badnets.cli.Errors;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.NetworkOptions;
import dev.badnets.cli.options.PoisoningOptions;

import dev.badnets.attack.Attack;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.PoisonedDataset;
import dev.badnets.attack.PoisonedSet;
import dev.badnets.core.Network;
import dev.badnets.core.TrainingConfig;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.AtomicFolder;
import dev.badnets.mnist.MnistLayout;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code badnets poison}: writes a poisoned MNIST-layout folder and its manifest. */
@Command(name = "poison", mixinStandardHelpOptions = true,
        description = {"Write a poisoned copy of a data folder: the training images chosen by the plan carry "
                + "the trigger and their new label (or, with --attack, whatever the attack does), the test set is "
                + "copied clean, t10k-images-attacked-idx3-ubyte holds the test images with the attack's test-time "
                + "trigger, and manifest.json lists the poisoned indices and the plan.",
                "Any MNIST reader loads the result; `./badnets train --data OUT` trains on it. The attacks that "
                        + "optimise against a clean model (label-consistent, trojannn) train one with the network "
                        + "flags first."})
public final class PoisonCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for the poisoned data.")
    String out;

    @Mixin
    PoisoningOptions poisoning;

    /** The network flags, for attacks that train a clean model; {@code --seed} also chooses the poisoned samples. */
    @Mixin
    NetworkOptions network;

    @Mixin
    BackendOptions run;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PoisonPlan plan = poisoning.plan(network.seed);
        Path folder = data.folder();
        Path outDir = new OutputFiles().data("--data", folder).input("--trigger", poisoning.pictureFile())
                .folder("--out", out).check().path("--out");
        MnistLayout layout = DataOptions.inspect(folder);
        Attack attack = poisoning.attackFor(layout);
        TrainingConfig config = attack.needsCleanModel() ? network.config(run) : null;
        MnistData mnist;
        PoisonedSet poisoned;
        try (AtomicFolder written = OutputFiles.begin(outDir, "--out", PoisonedDataset.OWN_NAMES)) {
            mnist = DataOptions.load(layout);
            poisoning.validate(mnist.classes());
            Errors.doing("poisoning the training set of " + folder);
            Attack.CleanModel cleanModel = Attack.CleanModel.of(network::build, config);
            poisoned = attack.poison(mnist.train(), mnist.classes(), plan, (clean, classes, seed, robustEpsilon) -> {
                Errors.doing("training a clean model for the " + attack.name() + " attack");
                stdout.println("training a clean model for the " + attack.name() + " attack ("
                        + network.layerSpec() + ", " + config.epochs() + " epochs, seed " + seed
                        + (robustEpsilon > 0 ? ", adversarially trained within " + robustEpsilon + " grey levels" : "")
                        + ")");
                stdout.flush();
                Network net = cleanModel.train(clean, classes, seed, robustEpsilon);
                Errors.doing("poisoning the training set of " + folder);
                return net;
            });
            Errors.doing("writing " + outDir);
            PoisonedDataset.writeInto(written.staging(), mnist, poisoned);
            written.commit();
        }
        boolean cleanLabel = java.util.Arrays.equals(poisoned.images().labels(), mnist.train().labels());
        stdout.printf(Locale.ROOT, "poisoned %d of %d training images (%.2f%%) with %s%s, %s%s%n",
                poisoned.poisonedCount(), mnist.train().count(),
                100.0 * poisoned.poisonedCount() / mnist.train().count(),
                poisoned.attack() == null ? "" : "the " + poisoned.attack() + " attack, trigger ",
                poisoned.trigger().describe(), cleanLabel && poisoned.poisonedCount() > 0 ? "labels kept (clean-label)"
                        : poisoning.target.mode().cliName(),
                poisoning.target.mode() == PoisonPlan.Mode.ALL_TO_ONE ? " to class " + poisoning.target.target : "");
        if (poisoned.coverIndices().length > 0) {
            stdout.printf(Locale.ROOT, "and %d cover images with their true labels%n", poisoned.coverIndices().length);
        }
        stdout.println("wrote " + outDir + " (the four MNIST files, " + PoisonedDataset.ATTACKED_TEST_IMAGES + " and "
                + PoisonedDataset.MANIFEST + ")");
        stdout.flush();
        return 0;
    }
}
