package dev.badnets.attack.defense;

/**
 * The smallest trigger Neural Cleanse found that sends clean images to one class: a mask
 * {@code m} and a pattern {@code p}, one value per pixel, applied as
 * {@code x' = (1 - m) * x + m * p}.
 *
 * @param label         the class the trigger sends images to
 * @param mask          one value in [0, 1] per pixel, row-major (rows x cols); 1 replaces the pixel by the pattern
 * @param pattern       one grey level in [0, 1] per pixel (0-255 divided by 255), row-major
 * @param maskL1        {@code Σ m}, the trigger's size in pixels: small for a backdoor's target
 * @param attackSuccess the share of the scan's clean images of other classes that the trigger sends
 *                      to {@code label}
 * @param steps         optimisation steps taken (the search stops early once it stops improving)
 */
public record RecoveredTrigger(int label, float[] mask, float[] pattern, double maskL1, double attackSuccess,
                               int steps) {

    /**
     * Stamps the trigger on one image of unsigned bytes in place:
     * {@code x' = round((1 - m) x + m · 255 p)}, pixel by pixel.
     *
     * @param pixels the images, {@code mask.length} bytes each
     * @param offset where the image starts in {@code pixels}
     */
    public void stamp(byte[] pixels, int offset) {
        for (int j = 0; j < mask.length; j++) {
            float x = pixels[offset + j] & 0xFF;
            pixels[offset + j] = (byte) Math.round(x + mask[j] * (255f * pattern[j] - x));
        }
    }

    /** The mask's largest values first: the pixels (row-major indices) the trigger relies on most. */
    public int[] strongestPixels(int count) {
        Integer[] order = new Integer[mask.length];
        for (int j = 0; j < order.length; j++) {
            order[j] = j;
        }
        java.util.Arrays.sort(order, (a, b) -> mask[a] != mask[b] ? Float.compare(mask[b], mask[a]) : a - b);
        int[] top = new int[Math.min(count, order.length)];
        for (int k = 0; k < top.length; k++) {
            top[k] = order[k];
        }
        return top;
    }
}
