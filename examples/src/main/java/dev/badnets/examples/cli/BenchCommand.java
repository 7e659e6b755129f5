package dev.badnets.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.core.ByteSamples;
import dev.badnets.core.Network;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingListener;
import dev.badnets.core.TrainingResult;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.MnistData;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code badnets bench}: training throughput of full epochs, in samples/s and GFLOP/s. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time full training epochs on the data folder's training set and report samples per "
                + "second, GFLOP/s and the share of the machine's peak.",
                "FLOPs per sample are counted as 6 x the number of weights: 2 per weight for the forward "
                        + "product, 4 for the two backward products (biases, activations and the optimiser "
                        + "are left out, so the figure is a slight underestimate). Peak: "
                        + BenchCommand.PEAK_GFLOPS_PER_CORE + " GFLOP/s per core.",
                "One warm-up pass over " + BenchCommand.WARMUP_SAMPLES + " samples runs first so the "
                        + "JIT compiler has done its work; --epochs defaults to 1 here."})
final class BenchCommand implements Callable<Integer> {

    /** The peak the project's performance targets are stated against (issue 6). */
    static final double PEAK_GFLOPS_PER_CORE = 100;
    static final int WARMUP_SAMPLES = 10_000;

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Mixin
    NetworkOptions network;

    @Mixin
    BackendOptions run;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    Path json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!spec.commandLine().getParseResult().hasMatchedOption("--epochs")) {
            network.epochs = 1;
        }
        TrainingConfig config = network.config(run);
        run.create();
        if (json != null) {
            OutputFiles.prepareFolder(json.toAbsolutePath().getParent(), "--json");
        }
        Path folder = data.folder();
        MnistData mnist = DataOptions.load(folder);
        LabeledImages train = mnist.train();
        int inputs = train.pixelsPerImage();
        out.println("bench: " + network.describe(inputs, mnist.classes(), run) + ", " + train.count()
                + " training images");
        out.flush();

        LabeledImages warm = train.slice(0, Math.min(WARMUP_SAMPLES, train.count()));
        Trainer.train(Network.mlp(inputs, network.hidden, mnist.classes(), network.seed),
                Training.samples(warm, mnist.classes()), config.withEpochs(1), TrainingListener.NONE);

        Network net = Network.mlp(inputs, network.hidden, mnist.classes(), network.seed);
        ByteSamples samples = Training.samples(train, mnist.classes());
        TrainingResult result = Trainer.train(net, samples, config, TrainingListener.NONE);

        long weights = 0;
        int[] sizes = net.layerSizes();
        for (int l = 0; l + 1 < sizes.length; l++) {
            weights += (long) sizes[l] * sizes[l + 1];
        }
        double flopsPerSample = 6.0 * weights;
        double gflops = result.samplesPerSecond() * flopsPerSample / 1e9;
        int cores = Runtime.getRuntime().availableProcessors();
        double peak = PEAK_GFLOPS_PER_CORE * cores;

        out.printf(Locale.ROOT, "  %-26s %,.0f samples/s (%d epoch%s, %.2f s)%n", "train_samples_per_second",
                result.samplesPerSecond(), result.epochs().size(), result.epochs().size() == 1 ? "" : "s",
                result.seconds());
        out.printf(Locale.ROOT, "  %-26s %.2f GFLOP/s (6 x %,d weights = %,.0f FLOPs per sample)%n", "throughput",
                gflops, weights, flopsPerSample);
        out.printf(Locale.ROOT, "  %-26s %.1f%% of %.0f GFLOP/s (%d cores x %.0f), on %s, %d thread%s%n",
                "share of peak", 100 * gflops / peak, peak, cores, PEAK_GFLOPS_PER_CORE, result.backend(),
                result.threads(), result.threads() == 1 ? "" : "s");
        out.flush();

        if (json != null) {
            ObjectNode root = Json.object();
            Json.putTraining(root, result);
            root.put("flops_per_sample", flopsPerSample);
            root.put("gflops", gflops);
            root.put("peak_gflops", peak);
            root.put("share_of_peak", gflops / peak);
            root.put("cores", cores);
            var layers = root.putArray("layers");
            for (int s : sizes) {
                layers.add(s);
            }
            root.put("batch", config.batchSize());
            Json.write(root, json);
        }
        return 0;
    }
}
