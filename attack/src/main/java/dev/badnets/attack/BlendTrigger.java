package dev.badnets.attack;

import java.util.Random;

/**
 * A full-size pattern alpha-blended over the whole image (Chen et al. 2017, "Targeted backdoor
 * attacks on deep learning systems using data poisoning"): {@code p' = round((1 - alpha) p + alpha t)}.
 * The pattern is either a given picture of exactly the image size, or seeded uniform noise drawn for
 * whatever image size the trigger meets (the same seed and size always give the same noise).
 */
public final class BlendTrigger implements Trigger.WholeImage {

    /** Seed of the noise pattern that {@link Triggers#parse} uses, so poisoning and evaluation agree. */
    public static final long DEFAULT_NOISE_SEED = 2017L;

    private final byte[] pattern;   // null for seeded noise
    private final int patternRows;
    private final int patternCols;
    private final long noiseSeed;
    private final double alpha;
    private final PerImageSize<byte[]> noise; // the seeded noise of each image size met, when pattern is null

    private BlendTrigger(byte[] pattern, int rows, int cols, long noiseSeed, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("blend trigger alpha " + alpha
                    + " is outside [0, 1]; use a value such as 0.2");
        }
        this.pattern = pattern;
        this.patternRows = rows;
        this.patternCols = cols;
        this.noiseSeed = noiseSeed;
        this.alpha = alpha;
        this.noise = new PerImageSize<>((r, c) -> {
            byte[] bytes = new byte[r * c];
            new Random(noiseSeed).nextBytes(bytes);
            return bytes;
        });
    }

    /**
     * Blends a fixed picture.
     *
     * @param pattern {@code rows * cols} unsigned bytes, row-major (copied)
     * @param alpha   weight of the pattern, in [0, 1]
     */
    public BlendTrigger(byte[] pattern, int rows, int cols, double alpha) {
        this(checkedCopy(pattern, rows, cols), rows, cols, 0L, alpha);
    }

    /** Blends uniform 0-255 noise drawn from {@code seed} at each image size it meets. */
    public static BlendTrigger noise(long seed, double alpha) {
        return new BlendTrigger(null, 0, 0, seed, alpha);
    }

    private static byte[] checkedCopy(byte[] pattern, int rows, int cols) {
        if (rows < 1 || cols < 1 || pattern.length != rows * cols) {
            throw new IllegalArgumentException("blend pattern has " + pattern.length + " bytes for "
                    + rows + "x" + cols + "; give rows * cols bytes");
        }
        return pattern.clone();
    }

    /** Weight of the pattern. */
    public double alpha() {
        return alpha;
    }

    /** The pattern blended into a {@code rows} x {@code cols} image (a fresh array). */
    public byte[] pattern(int rows, int cols) {
        return patternFor(rows, cols).clone();
    }

    private byte[] patternFor(int rows, int cols) {
        validate(rows, cols);
        return pattern != null ? pattern : noise.get(rows, cols);
    }

    @Override
    public void validate(int rows, int cols) {
        if (pattern != null && (rows != patternRows || cols != patternCols)) {
            throw new IllegalArgumentException("blend pattern is " + patternCols + "x" + patternRows
                    + " but the images are " + cols + "x" + rows + "; give a pattern of the image size");
        }
    }

    @Override
    public void apply(byte[] pixels, int offset, int rows, int cols) {
        byte[] t = patternFor(rows, cols);
        for (int i = 0; i < t.length; i++) {
            int p = pixels[offset + i] & 0xFF;
            pixels[offset + i] = (byte) Math.round((1 - alpha) * p + alpha * (t[i] & 0xFF));
        }
    }

    @Override
    public String describe() {
        return "blend " + (pattern == null ? "noise seed=" + noiseSeed : "pattern " + patternCols + "x" + patternRows)
                + " alpha=" + alpha;
    }
}
