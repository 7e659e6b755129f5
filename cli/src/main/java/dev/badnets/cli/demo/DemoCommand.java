package dev.badnets.cli.demo;

import dev.badnets.cli.Errors;
import dev.badnets.cli.Json;
import dev.badnets.cli.Models;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.Progress;
import dev.badnets.cli.UserException;
import dev.badnets.cli.data.DownloadCommand;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.DefenseOptions;
import dev.badnets.cli.options.NetworkOptions;
import dev.badnets.cli.options.PoisoningOptions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.Attack;
import dev.badnets.attack.BackdoorExperiment;
import dev.badnets.attack.ExperimentResult;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.PoisonedSet;
import dev.badnets.attack.Trigger;
import dev.badnets.core.Network;
import dev.badnets.core.TrainingConfig;
import dev.badnets.mnist.AtomicFolder;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.MnistLayout;
import dev.badnets.mnist.OutputLock;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code badnets demo}: the OWASP ML02:2023 backdoor end to end. Poisons part of the training set,
 * trains, measures clean accuracy and attack success rate, and writes results.json, model.bin and
 * backdoor.png.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The BadNets backdoor (OWASP ML02:2023) end to end: poison 1%% of MNIST's training set "
                + "with a 2x2 white square relabelled to 0, train, and measure clean accuracy and attack "
                + "success rate. Downloads MNIST first when the data folder is empty and the network allows.",
                "Writes OUT/results.json, OUT/model.bin and OUT/backdoor.png."})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** {@code --out} when not given. */
    public static final String DEFAULT_OUT = "badnets-out";

    @Option(names = "--out", paramLabel = "DIR", defaultValue = DEFAULT_OUT,
            description = "Folder for results.json, model.bin and backdoor.png (default: ${DEFAULT-VALUE}).")
    String out;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results JSON here.")
    String json;

    public static final String RESULTS = "results.json";
    public static final String MODEL = "model.bin";
    public static final String PICTURE = "backdoor.png";
    /** The files demo writes in {@code --out}; the folder is replaced as one set. */
    public static final Set<String> FILES = Set.of(RESULTS, MODEL, PICTURE);

    @Mixin
    DataOptions data;

    @Option(names = "--mirror", paramLabel = "URL",
            description = "A MNIST mirror to download from when the data folder is empty (repeatable; "
                    + "default: the well-known public mirrors).")
    List<String> mirrors;

    @Mixin
    PoisoningOptions poisoning;

    @Mixin
    NetworkOptions network;

    @Mixin
    BackendOptions run;

    @Option(names = "--defend", paramLabel = "METHOD",
            description = "Then play the defender: find the poisoned images with METHOD (spectre, spectral or "
                    + "activation-clustering), remove them, retrain with the same seed and measure again; or "
                    + "neural-cleanse: scan the trained model with 2,000 clean training images and, when it flags "
                    + "a class, unlearn the recovered trigger on the next 20,000, then measure again; or strip: "
                    + "set STRIP's entropy threshold at 1%% false rejections on 4,000 clean training images and "
                    + "report the share of triggered test images it catches (the model is left as it is); or repair "
                    + "the model with 5%% of the clean training images: fine-tuning, fine-pruning, nad, anp or i-bau, "
                    + "then measure again.")
    String defend;

    @Option(names = "--expected-rate", paramLabel = "R",
            description = "For --defend: the share of training images the defender suspects are poisoned, in "
                    + "(0, 0.5); the method removes up to 1.5 x that share, as in Tran et al. 2018 "
                    + "(default: the share actually poisoned).")
    Double expectedRate;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        long start = System.nanoTime();
        TrainingConfig config = network.config(run);
        PoisonPlan plan = poisoning.plan(network.seed);
        if (defend != null) {
            DefenseOptions.method(defend);
        }
        if (expectedRate != null) {
            DefenseOptions.checkRate("--expected-rate", expectedRate);
            if (defend != null && DefenseOptions.isModelDefense(defend)) {
                throw new UserException("--expected-rate is for defenses that flag training images, not "
                        + DefenseOptions.method(defend), "leave out --expected-rate");
            }
        }
        List<URI> from = DownloadCommand.mirrors(mirrors);
        Path folder = data.folder();
        OutputFiles paths = new OutputFiles().data("--data", folder).input("--trigger", poisoning.pictureFile())
                .folder("--out", out).file("--json", json).check();
        Path jsonFile = paths.path("--json");
        try (AtomicFolder written = OutputFiles.begin(paths.path("--out"), "--out", FILES);
             OutputLock jsonLock = OutputFiles.lock(jsonFile, "--json")) {
            run.warmUp();
            if (DataOptions.isEmpty(folder)) {
                DownloadCommand.fetchInto(folder, from, stdout);
            }
            MnistLayout layout = DataOptions.inspect(folder);
            Attack attack = poisoning.attackFor(layout);
            MnistData mnist = DataOptions.load(layout);
            poisoning.validate(mnist.classes());
            double loadSeconds = (System.nanoTime() - start) / 1e9;

            ExperimentResult result = experiment(stdout, folder, mnist, plan, attack, config);
            Trigger trigger = result.poisoned().trigger(); // the test-time trigger (TrojanNN's is computed)

            Path outDir = written.target();
            Errors.doing("writing " + outDir);
            Models.save(result.network(), written.staging().resolve(MODEL));
            BackdoorPicture.write(BackdoorPicture.of(mnist.test(), trigger, result.backdoor(),
                    result.defended() ? result.defense().backdoor() : null, mnist.classes(),
                    poisoning.attack.given() && BackdoorPicture.invisible(trigger, layout.rows(), layout.cols())),
                    written.staging().resolve(PICTURE));
            DemoReport.printResults(stdout, result, mnist.test().count());
            ObjectNode root = DemoReport.json(result, folder, mnist, plan, trigger, config, outDir, poisoning, network,
                    run);
            ObjectNode timings = Json.timings(root);
            timings.put("load_seconds", loadSeconds);
            timings.put("train_seconds", result.training().seconds());
            timings.put("total_seconds", (System.nanoTime() - start) / 1e9);
            Json.write(root, written.staging().resolve(RESULTS));
            written.commit();
            if (jsonFile != null) {
                Json.write(root, jsonFile);
            }
            DemoReport.printFiles(stdout, outDir);
            return 0;
        }
    }

    /** Poisons, trains, measures and, with --defend, defends; prints the configuration once it is known. */
    private ExperimentResult experiment(PrintWriter stdout, Path folder, MnistData mnist, PoisonPlan plan,
                                        Attack attack, TrainingConfig config) {
        BackdoorExperiment experiment = DefenseOptions.defend(BackdoorExperiment.of(mnist.train(), mnist.test(),
                mnist.classes(), plan, attack, network::build, config), defend, expectedRate, config);
        if (attack.needsCleanModel()) {
            stdout.println("training a clean model first: the " + attack.name() + " attack optimises its poison "
                    + "against one");
            stdout.flush();
        }
        try (Progress.Experiment progress = new Progress.Experiment(config.epochs(), Progress.interactive()) {
            @Override
            public void onPoisoned(PoisonedSet poisoned, Network net) {
                DemoReport.printConfiguration(stdout, folder, mnist, poisoned, poisoned.trigger(), net, poisoning,
                        network, run);
            }
        }) {
            return experiment.run(progress);
        }
    }
}
