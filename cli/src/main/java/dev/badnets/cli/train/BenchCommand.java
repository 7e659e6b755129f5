package dev.badnets.cli.train;

import dev.badnets.attack.ImageSamples;

import dev.badnets.cli.Errors;
import dev.badnets.cli.Json;
import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.options.BackendOptions;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.NetworkOptions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.core.ByteSamples;
import dev.badnets.core.EpochReport;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingListener;
import dev.badnets.core.TrainingResult;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.core.backend.simd.SimdBackend;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.MnistData;
import java.io.PrintWriter;
import dev.badnets.mnist.MnistLayout;
import dev.badnets.mnist.OutputLock;
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
                + "second, GFLOP/s and the share of the peak of the cores used.",
                "FLOPs per sample are counted the conventional way, as 6 x the number of weights: 2 per weight "
                        + "for the forward product, 4 for the two backward products (biases, activations and "
                        + "the optimiser are left out). The first layer's input gradient is never computed "
                        + "(nothing needs it), so the work actually executed is 4 x the first layer's weights "
                        + "+ 6 x the others' (0.41 MFLOP per sample for 784-128-10, against 0.61 counted), less "
                        + "the multiply-adds the SIMD backend skips where a block of inputs is all zero (most of "
                        + "an MNIST digit's pixels are black); both are reported. Peak: " + BenchCommand.PEAK_GFLOPS_PER_CORE
                        + " GFLOP/s per core used, min(threads, cores).",
                "Untimed warm-up epochs over the whole training set run first, on the same backend, until "
                        + "an epoch is less than 10%% faster than the one before (at least 1, at most "
                        + BenchCommand.MAX_WARMUP_EPOCHS + " epochs or " + BenchCommand.MAX_WARMUP_SECONDS
                        + " seconds), so the JIT compiler has done its work: on two threads the compiler "
                        + "competes with training for the cores and full speed comes after three or four "
                        + "epochs. --epochs defaults to 1 here."})
public final class BenchCommand implements Callable<Integer> {

    /** The peak the project's performance targets are stated against (issue 6). */
    static final double PEAK_GFLOPS_PER_CORE = 100;
    static final int MAX_WARMUP_EPOCHS = 5;
    static final int MAX_WARMUP_SECONDS = 3;

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Mixin
    NetworkOptions network;

    @Mixin
    BackendOptions run;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    String json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (network.epochs == null) {
            network.epochs = new int[] {1};
        }
        TrainingConfig config = network.config(run);
        MatrixBackend backend = run.create(); // one backend for warm-up and timing: its threads are warm too
        Path folder = data.folder();
        Path jsonFile = new OutputFiles().data("--data", folder).file("--json", json).check().path("--json");
        MnistLayout layout = DataOptions.inspect(folder);
        try (OutputLock lock = OutputFiles.lock(jsonFile, "--json")) {
            return bench(out, config, backend, DataOptions.load(layout), jsonFile);
        }
    }

    private int bench(PrintWriter out, TrainingConfig config, MatrixBackend backend, MnistData mnist, Path json)
            throws java.io.IOException {
        LabeledImages train = mnist.train();
        Shape image = ImageSamples.shape(train);
        Network net = network.build(image, mnist.classes());
        out.println("bench: " + network.describe(net, run) + ", " + train.count() + " training images");
        out.println("  " + backend.describe());
        out.flush();

        ByteSamples samples = ImageSamples.of(train, mnist.classes());
        Errors.doing("training a " + network.layers(net) + " network");
        warmUp(samples, network.build(image, mnist.classes()), config, backend);
        long skippedBefore = skippedMultiplyAdds(backend);
        TrainingResult result = new Trainer(net, config, backend).fit(samples, TrainingListener.NONE);
        double skippedPerSample = (skippedMultiplyAdds(backend) - skippedBefore)
                / ((double) samples.size() * result.epochs().size());

        // Per sample, each layer's products cost 2 FLOPs per multiply-add forward, 2 for the weight
        // gradient and 2 for the input gradient: 6 x the multiply-adds, by convention. The first
        // layer computes no input gradient, so the work executed is 2 x its multiply-adds less, and
        // less again what the SIMD products skip (steps where a block of inputs is all zero).
        long weights = net.multiplyAdds();
        double flopsPerSample = 6.0 * weights;
        double executedFlopsPerSample = flopsPerSample - 2.0 * net.layer(0).multiplyAdds() - 2.0 * skippedPerSample;
        double gflops = result.samplesPerSecond() * flopsPerSample / 1e9;
        double executedGflops = result.samplesPerSecond() * executedFlopsPerSample / 1e9;
        int cores = Runtime.getRuntime().availableProcessors();
        int coresUsed = Math.min(result.threads(), cores);
        double peak = PEAK_GFLOPS_PER_CORE * coresUsed;

        out.printf(Locale.ROOT, "  %-26s %,.0f samples/s (%d epoch%s, %.2f s)%n", "train_samples_per_second",
                result.samplesPerSecond(), result.epochs().size(), result.epochs().size() == 1 ? "" : "s",
                result.seconds());
        double median = medianEpochSamplesPerSecond(result, samples.size());
        if (result.epochs().size() > 1) {
            out.printf(Locale.ROOT, "  %-26s %,.0f samples/s (the median epoch: one slow epoch, the JIT compiler still "
                    + "at work or the machine busy, moves it less than the mean)%n", "median epoch", median);
        }
        out.printf(Locale.ROOT, "  %-26s %.2f GFLOP/s (6 x %,d multiply-adds = %,.0f FLOPs per sample)%n", "throughput",
                gflops, weights, flopsPerSample);
        out.printf(Locale.ROOT, "  %-26s %.2f GFLOP/s (%,.0f FLOPs per sample: the first layer's input gradient "
                + "is not computed%s)%n", "executed", executedGflops, executedFlopsPerSample, skippedPerSample == 0 ? ""
                : String.format(Locale.ROOT, ", and the products skipped %,.0f multiply-adds per sample by all-zero "
                        + "inputs", skippedPerSample));
        // Against the work actually done: the conventional count can exceed the peak.
        out.printf(Locale.ROOT, "  %-26s %.1f%% of %.0f GFLOP/s (executed work; %d core%s used of %d, x %.0f), on %s, "
                + "%d thread%s%n", "share of peak", 100 * executedGflops / peak, peak, coresUsed, coresUsed == 1 ? "" : "s", cores,
                PEAK_GFLOPS_PER_CORE, result.backend(), result.threads(), result.threads() == 1 ? "" : "s");
        out.flush();

        if (json != null) {
            ObjectNode root = Json.object();
            Json.putTraining(root, result);
            root.put("median_epoch_samples_per_second", median);
            root.put("flops_per_sample", flopsPerSample);
            root.put("gflops", gflops);
            root.put("peak_gflops", peak);
            root.put("share_of_peak", executedGflops / peak);
            root.put("cores", cores);
            root.put("cores_used", coresUsed);
            root.put("executed_flops_per_sample", executedFlopsPerSample);
            root.put("executed_gflops", executedGflops);
            root.put("skipped_multiply_adds_per_sample", skippedPerSample);
            root.put("backend_description", backend.describe());
            if (backend.name().equals("simd")) { // only then is the Vector API loaded
                root.put("vector_bits", SimdBackend.vectorBits());
                root.put("kernel", SimdBackend.kernel());
            }
            network.putConfig(root, net);
            root.put("batch", config.batchSize());
            Json.write(root, json);
        }
        return 0;
    }

    /** Multiply-adds the backend's products have skipped so far (only the SIMD backend skips any). */
    private static long skippedMultiplyAdds(MatrixBackend backend) {
        return backend instanceof SimdBackend simd ? simd.multiplyAddsSkipped() : 0;
    }

    /** Samples per second of the median epoch (the mean of the middle two for an even count). */
    static double medianEpochSamplesPerSecond(TrainingResult result, int samplesPerEpoch) {
        double[] seconds = result.epochs().stream().mapToDouble(EpochReport::seconds).sorted().toArray();
        int n = seconds.length;
        double median = n % 2 == 1 ? seconds[n / 2] : (seconds[n / 2 - 1] + seconds[n / 2]) / 2;
        return samplesPerEpoch / median;
    }

    /**
     * Trains a throwaway network epoch by epoch until the epochs stop getting faster (or the
     * warm-up has taken {@link #MAX_WARMUP_SECONDS}, as one slow EJML epoch does).
     */
    private static void warmUp(ByteSamples samples, Network net, TrainingConfig config, MatrixBackend backend) {
        Trainer trainer = new Trainer(net, config.withEpochs(1), backend);
        double previous = Double.MAX_VALUE;
        double total = 0;
        for (int epoch = 1; epoch <= MAX_WARMUP_EPOCHS; epoch++) {
            double seconds = trainer.fit(samples, TrainingListener.NONE).seconds();
            total += seconds;
            if (seconds > 0.9 * previous || total >= MAX_WARMUP_SECONDS) {
                return;
            }
            previous = seconds;
        }
    }
}
