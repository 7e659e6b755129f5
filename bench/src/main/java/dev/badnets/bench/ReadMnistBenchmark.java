package dev.badnets.bench;

import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code Mnist.load} of a whole data folder: reading, decompressing and checking the four files
 * (47 MB of training pixels from 9.7 MB of gzip), the cost every command that trains pays before
 * its first batch. The target is under 0.5 s warm; the file pages are in the OS cache after the
 * first call, so this measures decompression and copying, not the disk.
 *
 * <p>Data: {@code -p data=DIR}, else the {@code BADNETS_DATA} folder (a relative value is taken from
 * the working directory), e.g. {@code BADNETS_DATA=../shared/datasets/mnist java -jar
 * bench/target/benchmarks.jar ReadMnist}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ReadMnistBenchmark {

    /** The data folder; empty means {@code BADNETS_DATA}. */
    @Param({""})
    public String data;

    private Path folder;

    @Setup
    public void locate() {
        String dir = data.isBlank() ? System.getenv("BADNETS_DATA") : data;
        if (dir == null || dir.isBlank() || !Files.isDirectory(Path.of(dir))) {
            throw new IllegalStateException("no MNIST folder at '" + (dir == null ? "" : dir)
                    + "': set BADNETS_DATA or pass -p data=DIR");
        }
        folder = Path.of(dir).toAbsolutePath();
    }

    @Benchmark
    public MnistData load() throws IOException {
        return Mnist.load(folder);
    }
}
