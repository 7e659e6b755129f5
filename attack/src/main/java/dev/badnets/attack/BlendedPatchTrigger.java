package dev.badnets.attack;

/**
 * A pattern patch blended with weight {@code alpha}: set pixels become {@code (1 - alpha) p + alpha v},
 * the others stay; at alpha 1 it is a {@link PatternTrigger}. The patches of the adaptive attacks.
 */
public final class BlendedPatchTrigger extends PatchTrigger {

    private final String maskText;
    private final int value;
    private final double alpha;

    /**
     * @param mask     rows of the patch, {@code true} where a pixel is set; all rows the same length
     * @param value    grey level 0-255 of the set pixels
     * @param alpha    weight of the patch, in (0, 1]
     * @param position where the patch sits
     */
    public BlendedPatchTrigger(boolean[][] mask, int value, double alpha, Position position) {
        super("blended patch", mask[0].length, mask.length, grey(mask, value), opacity(mask, alpha), position);
        checkValue("blended patch", value);
        StringBuilder text = new StringBuilder();
        for (boolean[] row : mask) {
            text.append(text.length() == 0 ? "" : "/");
            for (boolean b : row) {
                text.append(b ? '#' : '.');
            }
        }
        this.maskText = text.toString();
        this.value = value;
        this.alpha = alpha;
    }

    private static int[] grey(boolean[][] mask, int value) {
        int[] g = new int[mask.length * mask[0].length];
        java.util.Arrays.fill(g, value);
        return g;
    }

    private static int[] opacity(boolean[][] mask, double alpha) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("patch weight " + alpha + " is outside (0, 1]");
        }
        int w = mask[0].length;
        int[] a = new int[mask.length * w];
        for (int r = 0; r < mask.length; r++) {
            if (mask[r].length != w) {
                throw new IllegalArgumentException("patch mask rows differ in length");
            }
            for (int c = 0; c < w; c++) {
                a[r * w + c] = mask[r][c] ? (int) Math.round(alpha * 255) : 0;
            }
        }
        return a;
    }

    public double alpha() {
        return alpha;
    }

    @Override
    public String describe() {
        return "blended-patch mask=" + maskText + " value=" + value + " alpha=" + alpha + " position=" + position();
    }
}
