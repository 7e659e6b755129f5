package dev.badnets.attack;

/**
 * The trigger of the label-consistent attack (Turner, Tsipras, Madry 2019, "Label-consistent backdoor
 * attacks", its "all corners" pattern): a 3x3 checkerboard of +1 and -1 in each of the four corners,
 * mirrored so that the corner pixel is +1, added with weight {@code amplitude} x 255 and clipped:
 * <pre>
 *   p' = clip(p + amplitude * 255 * m(r, c), 0, 255),   m = +1 where (r + c) is even from the corner, else -1
 * </pre>
 * At amplitude 1 (BackdoorBench's value) this sets the +1 pixels to 255 and the -1 pixels to 0; the
 * paper also reduces the amplitude (e.g. 16/255) to make the trigger less visible.
 */
public final class CornerTrigger implements Trigger {

    /** Side of each corner's pattern. */
    public static final int SIDE = 3;
    /** BackdoorBench's amplitude. */
    public static final double DEFAULT_AMPLITUDE = 1;

    private final double amplitude;

    /** @param amplitude weight of the pattern, in (0, 1] */
    public CornerTrigger(double amplitude) {
        if (!(amplitude > 0 && amplitude <= 1)) {
            throw new IllegalArgumentException("corner trigger amplitude " + amplitude + " is outside (0, 1]:"
                    + " expected a weight such as 1");
        }
        this.amplitude = amplitude;
    }

    public double amplitude() {
        return amplitude;
    }

    /** The pattern's sign at pixel (r, c) of a rows x cols image: +1, -1, or 0 outside the corners. */
    public static int sign(int r, int c, int rows, int cols) {
        int dr = Math.min(r, rows - 1 - r);
        int dc = Math.min(c, cols - 1 - c);
        if (dr >= SIDE || dc >= SIDE) {
            return 0;
        }
        return (dr + dc) % 2 == 0 ? 1 : -1;
    }

    @Override
    public void apply(byte[] pixels, int offset, int rows, int cols) {
        validate(rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int m = sign(r, c, rows, cols);
                if (m != 0) {
                    int at = offset + r * cols + c;
                    long p = Math.round((pixels[at] & 0xFF) + amplitude * 255 * m);
                    pixels[at] = (byte) Math.max(0, Math.min(255, p));
                }
            }
        }
    }

    @Override
    public void validate(int rows, int cols) {
        if (rows < 2 * SIDE || cols < 2 * SIDE) {
            throw new IllegalArgumentException("the corner trigger needs images of at least " + 2 * SIDE + "x"
                    + 2 * SIDE + ", got " + cols + "x" + rows);
        }
    }

    @Override
    public boolean[] mask(int rows, int cols) {
        validate(rows, cols);
        boolean[] mask = new boolean[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                mask[r * cols + c] = sign(r, c, rows, cols) != 0;
            }
        }
        return mask;
    }

    @Override
    public String describe() {
        return "corners amplitude=" + amplitude;
    }
}
