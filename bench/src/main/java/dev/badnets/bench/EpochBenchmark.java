package dev.badnets.bench;

import dev.badnets.core.Network;
import dev.badnets.core.Samples;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full epoch of MNIST-sized training (60,000 samples, 784-128-10, batch 64, Adam) the way a
 * user trains: shuffle, then every step of {@link TrainingStepBenchmark}. This is the figure the
 * project's targets are stated in (110,000 samples/s on one thread, 180,000 on two).
 *
 * <p>The {@code samples} column is training samples per second (primary score: epochs per
 * second). Data: the MNIST training set when {@code BADNETS_DATA} names a data folder, else
 * 60,000 synthetic images with MNIST's sparsity. The {@code backend} parameter is "ejml", or
 * "simd-T" for the SIMD backend on T threads.
 */
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class EpochBenchmark extends VectorBenchmark {

    @Param({"128"})
    public String hidden;

    @Param({"64"})
    public int batch;

    @Param({"ejml", "simd-1", "simd-2"})
    public String backend;

    private Samples data;
    private Trainer trainer;

    @Setup(Level.Trial)
    public void setUp() {
        data = BenchData.trainingSamples(BenchData.TRAIN_SIZE);
        Network net = Network.mlp(BenchData.PIXELS, BenchData.hidden(hidden), BenchData.CLASSES, 1);
        TrainingConfig config = TrainingConfig.defaults().withEpochs(1).withBatchSize(batch);
        trainer = new Trainer(net, config, BenchData.backend(backend));
    }

    @Benchmark
    public TrainingResult epoch(SampleCount counter) {
        TrainingResult result = trainer.fit(data, null);
        counter.samples += data.size();
        return result;
    }
}
