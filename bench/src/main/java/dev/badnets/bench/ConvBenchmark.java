package dev.badnets.bench;

import dev.badnets.core.Conv2D;
import dev.badnets.core.Shape;
import dev.badnets.core.Workspace;
import dev.badnets.core.Activation;
import dev.badnets.core.backend.MatrixBackend;
import java.util.Random;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Forward and backward of one convolution layer of a batch, im2col, products, activation and
 * col2im included, per backend: the convolutions of the OWASP notebook's SimpleCNN
 * ({@code conv1}: 1x28x28 to 32x28x28, 3x3, padding 1; {@code conv2}: 32x14x14 to 64x14x14) and of
 * the default demo network ({@code cnn1}: 1x28x28 to 16x24x24, 5x5, no padding; {@code cnn2}:
 * 16x12x12 to 32x8x8).
 *
 * <p>The {@code flops} column counts 2 FLOPs per multiply-add: forward {@code 2 n H' W' k² C K};
 * backward twice that (weight gradient and input gradient), for {@code conv1} only the weight
 * gradient, as training runs it (the first layer computes no input gradient). Divide by 1e9 for
 * GFLOP/s. The {@code backend} parameter is "ejml", or "simd-T" for the SIMD backend on T threads.
 */
public class ConvBenchmark extends VectorBenchmark {

    /** Which convolution: conv1 and conv2 of SimpleCNN, cnn1 and cnn2 of the default network. */
    @Param({"conv1", "conv2", "cnn1", "cnn2"})
    public String layer;

    @Param({"64"})
    public int batch;

    @Param({"ejml", "simd-1", "simd-2"})
    public String backend;

    private MatrixBackend products;
    private Conv2D conv;
    private Workspace ws;
    private FMatrixRMaj x;
    private long forwardFlops;
    private long backwardFlops;

    @Setup
    public void setUp() {
        switch (layer) {
            case "conv1":
                conv = Conv2D.initialized(new Shape(1, 28, 28), 32, 3, 1, 1, Activation.RELU, new SplittableRandom(1));
                break;
            case "conv2":
                conv = Conv2D.initialized(new Shape(32, 14, 14), 64, 3, 1, 1, Activation.RELU, new SplittableRandom(1));
                break;
            case "cnn1": // the default network, Architecture.CNN: conv16x3 on 1x28x28, padding 1
                conv = Conv2D.initialized(new Shape(1, 28, 28), 16, 3, 1, 1, Activation.RELU, new SplittableRandom(1));
                break;
            case "cnn2": // conv32x3 on the 16x14x14 pooled output
                conv = Conv2D.initialized(new Shape(16, 14, 14), 32, 3, 1, 1, Activation.RELU, new SplittableRandom(1));
                break;
            default:
                throw new IllegalArgumentException("unknown layer " + layer);
        }
        products = BenchData.backend(backend);
        Random random = new Random(1);
        x = new FMatrixRMaj(batch, conv.inputShape().size());
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = random.nextInt(4) == 0 ? 0f : random.nextFloat(); // ReLU outputs: many zeros
        }
        boolean first = conv.inputShape().channels() == 1;
        ws = conv.workspace(products, batch, true, first ? null : new FMatrixRMaj(batch, conv.inputShape().size()));
        conv.forward(x, ws);
        float[] g = ws.outputGradient().data;
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) random.nextGaussian() * 1e-3f;
        }
        forwardFlops = 2 * batch * conv.multiplyAdds();
        backwardFlops = (first ? 1 : 2) * forwardFlops;
    }

    @Benchmark
    public Workspace forward(ProductsBenchmark.Flops counter) {
        conv.forward(x, ws);
        counter.flops += forwardFlops;
        return ws;
    }

    @Benchmark
    public Workspace backward(ProductsBenchmark.Flops counter) {
        conv.backward(ws);
        counter.flops += backwardFlops;
        return ws;
    }
}
