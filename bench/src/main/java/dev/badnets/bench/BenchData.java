package dev.badnets.bench;

import dev.badnets.core.ByteSamples;
import dev.badnets.core.Samples;
import dev.badnets.core.Shape;
import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.Mnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/** What the benchmarks share: backends named with their thread count, and MNIST-shaped data. */
final class BenchData {

    static final int PIXELS = 28 * 28;
    /** One MNIST image: 1 channel of 28 x 28. */
    static final Shape IMAGE = Shape.image(28, 28);
    static final int CLASSES = 10;
    static final int TRAIN_SIZE = 60_000;

    private BenchData() {
    }

    /**
     * The backend named by a benchmark parameter: "ejml", "simd-T" (SIMD on T threads) or
     * "openblas-T" (the {@link OpenBlasBackend} yardstick). Fails rather than silently measuring
     * EJML when the SIMD backend cannot run.
     */
    static MatrixBackend backend(String spec) {
        String name = spec.contains("-") ? spec.substring(0, spec.indexOf('-')) : spec;
        int threads = spec.contains("-") ? Integer.parseInt(spec.substring(spec.indexOf('-') + 1)) : 1;
        MatrixBackend backend = name.equals("openblas") ? new OpenBlasBackend(threads) : Backends.create(name, threads);
        if (!backend.name().equals(name)) {
            throw new IllegalStateException("asked for the " + name + " backend but got " + backend.name()
                    + ": run the JVM with --add-modules jdk.incubator.vector");
        }
        return backend;
    }

    /**
     * The first {@code count} MNIST training images when {@code BADNETS_DATA} names a data folder
     * (a relative value is taken from the working directory), else as many synthetic ones.
     */
    static Samples trainingSamples(int count) {
        String dir = System.getenv("BADNETS_DATA");
        if (dir == null || dir.isBlank()) {
            return synthetic(count, 1);
        }
        try {
            LabeledImages train = Mnist.load(Path.of(dir).toAbsolutePath()).train();
            int n = Math.min(count, train.count());
            return new ByteSamples(Arrays.copyOf(train.pixels(), n * PIXELS), Arrays.copyOf(train.labels(), n),
                    IMAGE, CLASSES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read MNIST from BADNETS_DATA=" + dir
                    + ": point it at a data folder or unset it for synthetic data", e);
        }
    }

    /**
     * Random images with MNIST's sparsity (about 80% zero pixels, the rest 1-255) and random
     * labels. Sparsity matters: always-zero inputs give zero gradients, which an optimiser sees.
     */
    static Samples synthetic(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[count * PIXELS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextInt(5) == 0 ? (byte) (1 + random.nextInt(255)) : 0;
        }
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) random.nextInt(CLASSES);
        }
        return new ByteSamples(pixels, labels, IMAGE, CLASSES);
    }

    /** "256,128" as {256, 128}. */
    static int[] hidden(String spec) {
        return Arrays.stream(spec.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    }
}
