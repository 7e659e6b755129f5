package dev.badnets.attack;

/**
 * A small patch placed at a {@link Position}: each patch pixel has a grey level and an opacity.
 * Opaque pixels replace the image pixel, transparent ones leave it alone, and partly transparent
 * ones (only from a PNG) are blended in.
 */
abstract class PatchTrigger implements Trigger {

    private final String kind;
    private final int width;
    private final int height;
    private final int[] grey;     // 0-255 per patch pixel, row-major
    private final int[] opacity;  // 0 (untouched) .. 255 (replaced)
    private final Position position;

    PatchTrigger(String kind, int width, int height, int[] grey, int[] opacity, Position position) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException(kind + " trigger size " + width + "x" + height
                    + " is empty; use a size of at least 1");
        }
        if (position == null) {
            throw new IllegalArgumentException(kind + " trigger needs a position; use top-left, top-right,"
                    + " bottom-left, bottom-right or X,Y");
        }
        this.kind = kind;
        this.width = width;
        this.height = height;
        this.grey = grey;
        this.opacity = opacity;
        this.position = position;
    }

    static void checkValue(String kind, int value) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException(kind + " trigger value " + value
                    + " is outside the pixel range; use a value from 0 to 255");
        }
    }

    /** Patch width in pixels. */
    public int width() {
        return width;
    }

    /** Patch height in pixels. */
    public int height() {
        return height;
    }

    /** Where the patch sits. */
    public Position position() {
        return position;
    }

    @Override
    public void validate(int rows, int cols) {
        position.check(kind + " trigger", width, height, rows, cols);
    }

    @Override
    public void apply(byte[] pixels, int offset, int rows, int cols) {
        validate(rows, cols);
        int left = position.left(cols, width);
        int top = position.top(rows, height);
        for (int r = 0; r < height; r++) {
            int row = offset + (top + r) * cols + left;
            for (int c = 0; c < width; c++) {
                int a = opacity[r * width + c];
                if (a == 0) {
                    continue;
                }
                int g = grey[r * width + c];
                if (a == 255) {
                    pixels[row + c] = (byte) g;
                } else {
                    int p = pixels[row + c] & 0xFF;
                    pixels[row + c] = (byte) Math.round(((255 - a) * p + a * g) / 255.0);
                }
            }
        }
    }

    @Override
    public boolean[] mask(int rows, int cols) {
        validate(rows, cols);
        boolean[] mask = new boolean[rows * cols];
        int left = position.left(cols, width);
        int top = position.top(rows, height);
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                mask[(top + r) * cols + left + c] = opacity[r * width + c] != 0;
            }
        }
        return mask;
    }
}
