package dev.badnets.attack;

/**
 * The trigger of the label-consistent attack (Turner, Tsipras, Madry 2019, "Label-consistent backdoor
 * attacks", its "all corners" pattern, as the authors' code draws it: MadryLab/label-consistent-backdoor-code,
 * {@code poison_attack.py}): a 3x3 pattern of +1 and -1 in each of the four corners, the same in both
 * right corners and mirrored left to right in both left ones (so that it survives a horizontal flip),
 * <pre>
 *   left corners   + - -      right corners   - - +
 *                  - + -                      - + -
 *                  + - +                      + - +
 * </pre>
 * added with weight {@code amplitude} x 255 and clipped:
 * <pre>
 *   p' = clip(p + amplitude * 255 * m(r, c), 0, 255)
 * </pre>
 * At amplitude 1 (the authors' default and BackdoorBench's) this sets the +1 pixels to 255 and the -1
 * pixels to 0; the paper also reduces the amplitude (16, 32 or 64 of 255) to make it less visible.
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

    /** The pattern of the two left corners, row by row; the right corners get it mirrored left to right. */
    private static final int[][] LEFT = {{1, -1, -1}, {-1, 1, -1}, {1, -1, 1}};

    /** The pattern's sign at pixel (r, c) of a rows x cols image: +1, -1, or 0 outside the corners. */
    public static int sign(int r, int c, int rows, int cols) {
        int i = r < SIDE ? r : r >= rows - SIDE ? r - (rows - SIDE) : -1;         // row within the corner's block
        int j = c < SIDE ? c : c >= cols - SIDE ? (cols - 1) - c : -1;            // column, mirrored on the right
        return i < 0 || j < 0 ? 0 : LEFT[i][j];
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
