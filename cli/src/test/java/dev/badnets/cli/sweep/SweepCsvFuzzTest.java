package dev.badnets.cli.sweep;

import dev.badnets.attack.experiment.GridCsv;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.badnets.mnist.testing.FuzzBounds;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link GridCsv#read}, the reader of the sweep CSVs that {@code sweep} resumes from and
 * {@code sweep merge} merges. Its contract: a file that is not a sweep CSV of this program raises
 * {@link IllegalArgumentException} (exit 2, one line naming the problem) and nothing else escapes, and reading
 * allocates in proportion to the file. The inputs under
 * {@code src/test/resources/dev/badnets/cli/sweep/SweepCsvFuzzTestInputs/readsSweepCsvOrRefuses} run in
 * every build.
 */
public class SweepCsvFuzzTest {

    private static final Path FILE = FuzzBounds.scratch(".csv");

    @FuzzTest
    @Timeout(10)
    void readsSweepCsvOrRefuses(byte[] input) throws Exception {
        Files.write(FILE, input);
        // the text as UTF-16, its lines, cells and row maps
        FuzzBounds.within((4L << 20) + 64L * input.length, input.length, () -> {
            try {
                new GridCsv("sweep").read(FILE);
            } catch (IllegalArgumentException refused) {
                // the documented answer to a file that is not a sweep CSV
            }
        });
    }
}
