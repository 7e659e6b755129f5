package dev.badnets.examples.cli;

import dev.badnets.mnist.Idx;
import dev.badnets.mnist.IdxArray;
import dev.badnets.mnist.IdxFormatException;
import dev.badnets.mnist.IdxType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code badnets inspect FILE...}: describes IDX files; exit 2 when any is malformed. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Describe IDX files (raw or gzip): element type, rank, dimensions, item count, "
                + "and for 3-D unsigned byte files the pixel mean and standard deviation on the 0-1 scale.",
                "Exit status 2 when any file is malformed, after describing the valid ones."})
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "IDX files to describe.")
    List<Path> files;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int status = 0;
        for (Path file : files) {
            try {
                out.println(file + ": " + describe(Idx.read(file)));
            } catch (IdxFormatException e) {
                err.println(Errors.oneLine(e));
                status = BadnetsCli.EXIT_USAGE;
            }
            out.flush();
            err.flush();
        }
        return status;
    }

    /** E.g. {@code unsigned byte, rank 3, 60000x28x28, 60000 items, pixel mean 0.1307 std 0.3081}. */
    static String describe(IdxArray array) {
        String text = array.type() + ", rank " + array.rank() + ", " + array.shapeString() + ", "
                + array.count() + (array.count() == 1 ? " item" : " items");
        if (array.type() == IdxType.UNSIGNED_BYTE && array.rank() == 3) {
            double[] meanStd = pixelMeanStd(array.bytes());
            text += String.format(Locale.ROOT, ", pixel mean %.4f std %.4f", meanStd[0], meanStd[1]);
        }
        return text;
    }

    /** Mean and population standard deviation of unsigned bytes, on the 0-1 scale. */
    static double[] pixelMeanStd(byte[] pixels) {
        long[] histogram = new long[256];
        for (byte p : pixels) {
            histogram[p & 0xFF]++;
        }
        double n = pixels.length;
        double sum = 0;
        for (int v = 0; v < 256; v++) {
            sum += histogram[v] * (v / 255.0);
        }
        double mean = n == 0 ? 0 : sum / n;
        double squares = 0;
        for (int v = 0; v < 256; v++) {
            double d = v / 255.0 - mean;
            squares += histogram[v] * d * d;
        }
        return new double[] {mean, n == 0 ? 0 : Math.sqrt(squares / n)};
    }
}
