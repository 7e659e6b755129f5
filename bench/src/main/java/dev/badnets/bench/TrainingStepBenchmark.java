package dev.badnets.bench;

import dev.badnets.core.Architecture;
import dev.badnets.core.Layer;
import dev.badnets.core.Network;
import dev.badnets.core.Samples;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.FMatrixRMaj;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * One training step, the unit of work of training: gather a mini-batch (bytes to floats),
 * forward, softmax cross-entropy and its gradient, backward, one Adam update of every weight.
 * Everything but the shuffle, which {@link EpochBenchmark} adds.
 *
 * <p>The {@code samples} column is training samples per second (primary score: steps per second).
 * Per sample, 784-128-10 costs about 0.41 MFLOP in products (forward 0.20, weight gradients 0.20,
 * the hidden layer's input gradient 0.003); 784-256-128-10 about 0.94 MFLOP. Run with
 * {@code -prof gc}: a step allocates nothing, so {@code gc.alloc.rate.norm} stays near 0 B/op.
 *
 * <p>Data: the first 59,904 MNIST training images (a multiple of every batch size) when
 * {@code BADNETS_DATA} names a data folder, else synthetic images with MNIST's sparsity; steps
 * take them in order, and every iteration starts from the initial weights. The
 * {@code backend} parameter is "ejml", or "simd-T" for the SIMD backend on T threads.
 */
public class TrainingStepBenchmark extends VectorBenchmark {

    /** MNIST's training set, trimmed to a multiple of every batch size below. */
    private static final int DATA_SIZE = 59_904;

    /**
     * Hidden layers in the grammar of {@link Architecture}: "dense128" is 784-128-10,
     * "dense256,dense128" 784-256-128-10, and {@link Architecture#SEED_CNN} the OWASP notebook's
     * SimpleCNN (about 24.5 MFLOP per sample in products, 60 times the MLP's).
     */
    @Param({"dense128", "dense256,dense128", Architecture.SEED_CNN, Architecture.CNN})
    public String layers;

    @Param({"16", "64", "256"})
    public int batch;

    @Param({"ejml", "simd-1", "simd-2"})
    public String backend;

    private Samples data;
    private Network net;
    private List<float[]> initial;
    private Trainer trainer;
    private int from;

    @Setup(Level.Trial)
    public void setUp() {
        data = BenchData.trainingSamples(DATA_SIZE);
        net = Architecture.build(BenchData.IMAGE, layers, BenchData.CLASSES, 1);
        initial = new ArrayList<>();
        for (FMatrixRMaj p : parameters(net)) {
            initial.add(p.data.clone());
        }
        TrainingConfig config = TrainingConfig.defaults().withBatchSize(batch);
        trainer = new Trainer(net, config, BenchData.backend(backend));
    }

    /**
     * Puts the initial weights back before every iteration (in place: -prof gc still sees a step
     * allocate nothing), so each iteration measures early training, as a user sees it. A network
     * trained on for the dozens of epochs a run of iterations adds up to fits the data ever
     * closer, its loss gradients shrink towards subnormal floats and the figure decays from
     * iteration to iteration.
     */
    @Setup(Level.Iteration)
    public void resetWeights() {
        List<FMatrixRMaj> parameters = parameters(net);
        for (int p = 0; p < parameters.size(); p++) {
            System.arraycopy(initial.get(p), 0, parameters.get(p).data, 0, initial.get(p).length);
        }
        from = 0;
    }

    private static List<FMatrixRMaj> parameters(Network net) {
        List<FMatrixRMaj> all = new ArrayList<>();
        for (Layer layer : net.layers()) {
            for (Layer.Parameter p : layer.parameters()) {
                all.add(p.value());
            }
        }
        return all;
    }

    @Benchmark
    public double step(SampleCount counter) {
        double loss = trainer.step(data, null, from, batch);
        from += batch;
        if (from == data.size()) {
            from = 0;
        }
        counter.samples += batch;
        return loss;
    }
}
