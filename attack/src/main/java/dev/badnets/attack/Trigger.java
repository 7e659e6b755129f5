package dev.badnets.attack;

/**
 * A backdoor trigger, stamped on one image in raw pixel space (unsigned bytes 0-255, row-major).
 * Implementations are immutable and thread-safe; the same trigger stamps poisoned training images
 * and, at evaluation, the test images.
 */
public interface Trigger {

    /**
     * Stamps the image {@code pixels[offset .. offset + rows * cols)} in place.
     *
     * @throws IllegalArgumentException if the trigger does not fit a {@code rows} x {@code cols} image
     */
    void apply(byte[] pixels, int offset, int rows, int cols);

    /** Throws {@link IllegalArgumentException} naming the problem unless the trigger fits this image size. */
    void validate(int rows, int cols);

    /**
     * The pixels this trigger may change in a {@code rows} x {@code cols} image, row-major
     * ({@code true} = touched). Pixels outside the mask are never written.
     */
    boolean[] mask(int rows, int cols);


    /** The smallest rectangle holding every touched pixel, for outlining the trigger in a picture. */
    default Box bounds(int rows, int cols) {
        boolean[] mask = mask(rows, cols);
        int left = cols, top = rows, right = -1, bottom = -1;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (mask[r * cols + c]) {
                    left = Math.min(left, c);
                    right = Math.max(right, c);
                    top = Math.min(top, r);
                    bottom = Math.max(bottom, r);
                }
            }
        }
        return right < 0 ? new Box(0, 0, 0, 0) : new Box(left, top, right - left + 1, bottom - top + 1);
    }

    /** One line naming the kind and every parameter, e.g. {@code square size=2 value=255 position=top-left}. */
    String describe();

    /** A rectangle of pixels: column and row of its top-left pixel, width and height. */
    record Box(int x, int y, int width, int height) {}

    /** A trigger that may change every pixel of the image (a blend, a signal, a warp). */
    interface WholeImage extends Trigger {
        /** Every pixel, once the trigger fits the image size (a fresh array). */
        @Override
        default boolean[] mask(int rows, int cols) {
            validate(rows, cols);
            boolean[] all = new boolean[rows * cols];
            java.util.Arrays.fill(all, true);
            return all;
        }
    }
}
