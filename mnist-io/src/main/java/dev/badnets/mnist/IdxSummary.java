package dev.badnets.mnist;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@code ./badnets inspect} reports for an IDX file: element type, rank, dimensions, item count,
 * and for rank-3 unsigned byte files (images) the pixel mean and standard deviation on the 0-1 scale
 * (MNIST's training images: 0.1307 and 0.3081).
 *
 * @param type      element type
 * @param dims      dimensions, outermost first
 * @param count     items (the first dimension)
 * @param pixelMean mean pixel / 255, or NaN when the file is not rank-3 unsigned bytes
 * @param pixelStd  population standard deviation of pixel / 255, or NaN likewise
 */
public record IdxSummary(IdxType type, int[] dims, int count, double pixelMean, double pixelStd) {

    /** Reads and summarises a file; a malformed one raises {@link IdxFormatException}. */
    public static IdxSummary read(Path path) throws IOException {
        return of(Idx.read(path));
    }

    /** Summarises an array in one pass over its payload. */
    public static IdxSummary of(IdxArray array) {
        double mean = Double.NaN;
        double std = Double.NaN;
        if (array.type() == IdxType.UNSIGNED_BYTE && array.rank() == 3 && array.length() > 0) {
            long sum = 0;
            long sumOfSquares = 0; // at most 255^2 per pixel: exact in a long for any Java array
            for (byte b : array.bytes()) {
                int v = b & 0xFF;
                sum += v;
                sumOfSquares += v * v;
            }
            double n = array.length();
            double m = sum / n;
            mean = m / 255.0;
            std = Math.sqrt(Math.max(0.0, sumOfSquares / n - m * m)) / 255.0;
        }
        return new IdxSummary(array.type(), array.dims(), array.count(), mean, std);
    }

    public int rank() {
        return dims.length;
    }

    /** True for rank-3 unsigned byte files with at least one pixel. */
    public boolean hasPixelStatistics() {
        return !Double.isNaN(pixelMean);
    }

    /** "60000x28x28". */
    public String shapeString() {
        return IdxArray.shapeString(dims);
    }

    /**
     * One line, e.g. {@code unsigned byte, rank 3, 60000x28x28, 60000 items, pixel mean 0.1307, std 0.3081}.
     */
    public String describe() {
        String line = type + ", rank " + rank() + ", " + shapeString() + ", " + count + " items";
        if (hasPixelStatistics()) {
            line += String.format(Locale.ROOT, ", pixel mean %.4f, std %.4f", pixelMean, pixelStd);
        }
        return line;
    }
}
