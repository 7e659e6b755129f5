package dev.badnets.cli.data;

import dev.badnets.cli.Errors;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.PoisonOptions;
import dev.badnets.cli.options.TargetOptions;
import dev.badnets.cli.options.TriggerOptions;

import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.PoisonedDataset;
import dev.badnets.attack.PoisonedSet;
import dev.badnets.attack.Poisoning;
import dev.badnets.attack.Trigger;
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
                + "the trigger and their new label, the test set is copied clean, and manifest.json lists "
                + "the poisoned indices and the plan.",
                "Any MNIST reader loads the result; `./badnets train --data OUT` trains on it."})
public final class PoisonCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for the poisoned data.")
    String out;

    @Mixin
    PoisonOptions poison;

    @Mixin
    TargetOptions target;

    @Mixin
    TriggerOptions triggerOptions;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed choosing the poisoned samples (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PoisonPlan plan = poison.plan(target, seed);
        Path folder = data.folder();
        Path outDir = new OutputFiles().data("--data", folder).input("--trigger", triggerOptions.pictureFile())
                .folder("--out", out).check().path("--out");
        MnistLayout layout = DataOptions.inspect(folder);
        Trigger trigger = triggerOptions.trigger(layout.rows(), layout.cols());
        MnistData mnist;
        PoisonedSet poisoned;
        try (AtomicFolder written = OutputFiles.begin(outDir, "--out", PoisonedDataset.OWN_NAMES)) {
            mnist = DataOptions.load(layout);
            target.validate(mnist.classes());
            Errors.doing("poisoning the training set of " + folder);
            poisoned = Poisoning.apply(mnist.train(), mnist.classes(), plan, trigger);
            Errors.doing("writing " + outDir);
            PoisonedDataset.writeInto(written.staging(), mnist, poisoned);
            written.commit();
        }
        stdout.printf(Locale.ROOT, "poisoned %d of %d training images (%.2f%%) with %s, %s%s%n",
                poisoned.poisonedCount(), mnist.train().count(),
                100.0 * poisoned.poisonedCount() / mnist.train().count(), trigger.describe(),
                target.mode().cliName(),
                target.mode() == PoisonPlan.Mode.ALL_TO_ONE ? " to class " + target.target : "");
        stdout.println("wrote " + outDir + " (the four MNIST files and " + PoisonedDataset.MANIFEST + ")");
        stdout.flush();
        return 0;
    }
}
