package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import java.util.SplittableRandom;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link Conv2D#im2col} puts every input value where the definition says, on both of its copy
 * paths (window rows shorter than 16 floats, copied a window column at a time, and longer ones,
 * copied with {@code System.arraycopy}); the gradient checks use few channels, so only the short
 * path would be covered there.
 */
class Im2colTest {

    @Property(tries = 150)
    void everyEntryIsTheInputValueItsWindowCovers(@ForAll @IntRange(min = 1, max = 24) int channels,
                                                  @ForAll @IntRange(min = 1, max = 9) int height,
                                                  @ForAll @IntRange(min = 1, max = 9) int width,
                                                  @ForAll @IntRange(min = 1, max = 5) int kernel,
                                                  @ForAll @IntRange(min = 1, max = 2) int stride,
                                                  @ForAll @IntRange(min = 0, max = 1) int padding,
                                                  @ForAll @IntRange(min = 1, max = 3) int images,
                                                  @ForAll long seed) {
        Assume.that(padding < kernel && kernel <= height + 2 * padding && kernel <= width + 2 * padding);
        Shape in = new Shape(channels, height, width);
        Conv2D conv = Conv2D.initialized(in, 2, kernel, stride, padding, Activation.RELU, new SplittableRandom(seed));
        Shape out = conv.outputShape();
        int window = kernel * kernel * channels;
        Random random = new Random(seed);
        float[] x = new float[images * in.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() + 0.5f; // never 0, so a misplaced padding zero shows
        }
        int paddedImage = (height + 2 * padding) * (width + 2 * padding) * channels;
        float[] padded = new float[images * paddedImage];
        float[] cols = new float[images * out.height() * out.width() * window];
        conv.im2col(x, padded, cols, 0, images);

        float[] expected = new float[cols.length];
        for (int i = 0; i < images; i++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    int row = (i * out.height() + oy) * out.width() + ox;
                    for (int ky = 0; ky < kernel; ky++) {
                        for (int kx = 0; kx < kernel; kx++) {
                            for (int c = 0; c < channels; c++) {
                                int iy = oy * stride - padding + ky, ix = ox * stride - padding + kx;
                                boolean inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
                                expected[row * window + (ky * kernel + kx) * channels + c] =
                                        inside ? x[i * in.size() + (iy * width + ix) * channels + c] : 0f;
                            }
                        }
                    }
                }
            }
        }
        assertArrayEquals(expected, cols, channels + "x" + height + "x" + width + " k" + kernel + " s" + stride + " p" + padding);
    }
}
