package dev.badnets.attack;

/**
 * A small mask of pixels set to one grey level; pixels outside the mask are left alone. The BadNets
 * paper's "pattern" backdoor is such a patch in a corner.
 */
public final class PatternTrigger extends PatchTrigger {

    /** The BadNets 3x3 checkerboard: corners and centre set. */
    public static final boolean[][] CHECKERBOARD = checkerboard(3);

    /** An "L": the left column and the bottom row of a 3x3 patch. */
    public static final boolean[][] L_SHAPE = {
        {true, false, false},
        {true, false, false},
        {true, true, true},
    };

    private final String maskText;
    private final int value;

    /**
     * @param mask     rows of the patch, {@code true} where a pixel is set; all rows the same length
     * @param value    grey level 0-255 for the set pixels
     * @param position where the patch sits
     */
    public PatternTrigger(boolean[][] mask, int value, Position position) {
        super("pattern", width(mask), mask.length, fill(mask, value), fill(mask, 255), position);
        checkValue("pattern", value);
        this.maskText = text(mask);
        this.value = value;
    }

    /** A {@code size} x {@code size} checkerboard whose top-left pixel is set. */
    public static boolean[][] checkerboard(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("pattern trigger size " + size
                    + " is empty; use a size of at least 1");
        }
        boolean[][] mask = new boolean[size][size];
        for (int r = 0; r < size; r++) {
            for (int c = 0; c < size; c++) {
                mask[r][c] = (r + c) % 2 == 0;
            }
        }
        return mask;
    }

    private static int width(boolean[][] mask) {
        if (mask.length == 0) {
            return 0;
        }
        for (boolean[] row : mask) {
            if (row.length != mask[0].length) {
                throw new IllegalArgumentException("pattern trigger mask rows differ in length ("
                        + row.length + " vs " + mask[0].length + "); give a rectangular mask");
            }
        }
        return mask[0].length;
    }

    private static int[] fill(boolean[][] mask, int v) {
        int w = width(mask);
        int[] a = new int[mask.length * w];
        for (int r = 0; r < mask.length; r++) {
            for (int c = 0; c < w; c++) {
                a[r * w + c] = mask[r][c] ? v : 0;
            }
        }
        return a;
    }

    private static String text(boolean[][] mask) {
        StringBuilder sb = new StringBuilder();
        for (boolean[] row : mask) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            for (boolean b : row) {
                sb.append(b ? '#' : '.');
            }
        }
        return sb.toString();
    }

    @Override
    public String describe() {
        return "pattern mask=" + maskText + " value=" + value + " position=" + position();
    }
}
