package dev.badnets.attack;

import java.util.Locale;

/**
 * Where a patch trigger sits in an image: one of the four corners (flush with the border), or an
 * explicit column and row for the patch's top-left pixel. Parsed from the CLI's {@code --position}.
 */
public final class Position {

    private enum Corner { TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT }

    public static final Position TOP_LEFT = new Position(Corner.TOP_LEFT, 0, 0);
    public static final Position TOP_RIGHT = new Position(Corner.TOP_RIGHT, 0, 0);
    public static final Position BOTTOM_LEFT = new Position(Corner.BOTTOM_LEFT, 0, 0);
    public static final Position BOTTOM_RIGHT = new Position(Corner.BOTTOM_RIGHT, 0, 0);

    private final Corner corner; // null for an explicit x,y
    private final int x;
    private final int y;

    private Position(Corner corner, int x, int y) {
        this.corner = corner;
        this.x = x;
        this.y = y;
    }

    /** The patch's top-left pixel at column {@code x}, row {@code y} (0-based). */
    public static Position at(int x, int y) {
        if (x < 0 || y < 0) {
            throw new IllegalArgumentException("position " + x + "," + y
                    + " is negative; use a column and row of 0 or more");
        }
        return new Position(null, x, y);
    }

    /**
     * Parses {@code top-left}, {@code top-right}, {@code bottom-left}, {@code bottom-right} or
     * {@code X,Y} (column, row of the patch's top-left pixel).
     */
    public static Position parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "top-left": return TOP_LEFT;
            case "top-right": return TOP_RIGHT;
            case "bottom-left": return BOTTOM_LEFT;
            case "bottom-right": return BOTTOM_RIGHT;
            default: break;
        }
        String[] parts = s.split(",", -1);
        if (parts.length == 2) {
            try {
                return at(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("unknown trigger position '" + text
                + "'; use top-left, top-right, bottom-left, bottom-right or X,Y (column,row)");
    }

    /** Column of the patch's leftmost pixel, for a patch {@code width} wide in an image {@code cols} wide. */
    public int left(int cols, int width) {
        if (corner == null) {
            return x;
        }
        return corner == Corner.TOP_RIGHT || corner == Corner.BOTTOM_RIGHT ? cols - width : 0;
    }

    /** Row of the patch's top pixel, for a patch {@code height} tall in an image {@code rows} tall. */
    public int top(int rows, int height) {
        if (corner == null) {
            return y;
        }
        return corner == Corner.BOTTOM_LEFT || corner == Corner.BOTTOM_RIGHT ? rows - height : 0;
    }

    /** Throws unless a {@code width} x {@code height} patch here lies inside a {@code rows} x {@code cols} image. */
    void check(String what, int width, int height, int rows, int cols) {
        int left = left(cols, width);
        int top = top(rows, height);
        if (width > cols || height > rows || left + width > cols || top + height > rows) {
            throw new IllegalArgumentException(what + " (" + width + "x" + height + " at " + this
                    + ") does not fit in a " + cols + "x" + rows + " image; choose a smaller trigger"
                    + " or a position at most " + (cols - Math.min(width, cols)) + ","
                    + (rows - Math.min(height, rows)));
        }
    }

    /** The CLI spelling, which {@link #parse} reads back. */
    @Override
    public String toString() {
        return corner == null ? x + "," + y : corner.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Position p && p.corner == corner && p.x == x && p.y == y;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * java.util.Objects.hashCode(corner) + x) + y;
    }
}
