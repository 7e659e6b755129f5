package dev.badnets.bench;

import dev.badnets.core.Architecture;
import dev.badnets.core.Layer;
import dev.badnets.core.Network;
import dev.badnets.core.Predictor;
import dev.badnets.core.Workspace;
import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One image through a network, microseconds per image:
 * <ul>
 *   <li>{@code predictor}: a warm {@link Predictor#predict(byte[])} (scaling, forward, argmax);
 *   <li>{@code rawForward}: the layers' forward passes alone on a batch of one already in floats,
 *       through workspaces allocated once, on the same backend: the floor a predictor can reach
 *       (target: {@code predictor} within 1.5x of it);
 *   <li>{@code networkPredict}: {@link Network#predict(byte[])}, which builds a predictor (backend
 *       and buffers) per call: what the convenience costs.
 * </ul>
 * Both networks are the command line's default MNIST models: {@code mlp} (784-128-10) and
 * {@code cnn} (conv16x3, pool2, conv32x3, pool2, dense128, dense10).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PredictorBenchmark extends VectorBenchmark {

    @Param({"mlp", "cnn"})
    public String model;

    private Network net;
    private Predictor predictor;
    private byte[] image;
    // the raw forward pass: the layers, a workspace each, the input row
    private MatrixBackend backend;
    private Layer[] layers;
    private Workspace[] work;
    private FMatrixRMaj x;

    @Setup
    public void setUp() {
        net = Architecture.build(BenchData.IMAGE, Architecture.named(model), BenchData.CLASSES, 1);
        predictor = net.predictor();
        image = new byte[BenchData.PIXELS];
        new SplittableRandom(1).nextBytes(image);
        backend = Backends.create("auto", 1);
        if (!backend.name().equals("simd")) {
            throw new IllegalStateException("the auto backend is " + backend.name()
                    + ": run the JVM with --add-modules jdk.incubator.vector");
        }
        layers = net.layers().toArray(new Layer[0]);
        work = new Workspace[layers.length];
        for (int l = 0; l < layers.length; l++) {
            work[l] = layers[l].workspace(backend, 1, false, null);
        }
        x = new FMatrixRMaj(1, BenchData.PIXELS);
        for (int i = 0; i < image.length; i++) {
            x.data[i] = (image[i] & 0xFF) / 255f;
        }
    }

    @TearDown
    public void tearDown() {
        predictor.close();
    }

    @Benchmark
    public int predictor() {
        return predictor.predict(image);
    }

    @Benchmark
    public FMatrixRMaj rawForward() {
        FMatrixRMaj input = x;
        for (int l = 0; l < layers.length; l++) {
            layers[l].forward(input, work[l]);
            input = work[l].output();
        }
        return input;
    }

    @Benchmark
    public int networkPredict() {
        return net.predict(image);
    }
}
