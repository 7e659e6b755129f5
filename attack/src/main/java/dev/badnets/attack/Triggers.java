package dev.badnets.attack;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Builds a trigger from the CLI's trigger flags, so every command reads them the same way. */
public final class Triggers {

    /** {@code --trigger} default. */
    public static final String DEFAULT_KIND = "square";
    /** {@code --trigger-size} default. */
    public static final int DEFAULT_SIZE = 2;
    /** {@code --trigger-value} default. */
    public static final int DEFAULT_VALUE = 255;
    /** {@code --position} default. */
    public static final String DEFAULT_POSITION = "top-left";
    /** {@code --alpha} default (blend only). */
    public static final double DEFAULT_ALPHA = 0.2;
    /**
     * The largest side of a square or pattern trigger when the image size is not given: its arrays
     * then cost at most 2 x 4096 x 4096 ints (128 MB) instead of whatever a typo asks for.
     */
    public static final int MAX_SIDE = 4096;

    private Triggers() {
    }

    /** The demo's trigger: a 2x2 square of 255 in the top-left corner. */
    public static Trigger defaultTrigger() {
        return new SquareTrigger(DEFAULT_SIZE, DEFAULT_VALUE, Position.TOP_LEFT);
    }

    /**
     * Mirrors {@code --trigger KIND --trigger-size S --trigger-value V --position P --alpha A}.
     * <ul>
     *   <li>{@code square}: an S x S square of V at P;</li>
     *   <li>{@code pattern}: an S x S checkerboard of V at P, top-left pixel set (S = 3 is the
     *       BadNets pattern);</li>
     *   <li>{@code pixel}: one pixel of V at P (S unused);</li>
     *   <li>{@code blend}: seeded noise ({@link BlendTrigger#DEFAULT_NOISE_SEED}) blended with
     *       weight A over the whole image (S, V and P unused);</li>
     *   <li>{@code png:FILE}: the picture in FILE at P (S and V unused).</li>
     * </ul>
     * Every value is checked even when the kind does not use it, so a typo never passes silently.
     *
     * @throws IllegalArgumentException naming the bad value and the valid choices
     */
    public static Trigger parse(String kind, int size, int value, String position, double alpha) {
        return parse(kind, size, value, position, alpha, 0, 0);
    }

    /**
     * As {@link #parse(String, int, int, String, double)}, for images of {@code rows} x {@code cols}:
     * a trigger that cannot fit them (a square or pattern side, a picture's width or height, larger
     * than the image; a position that pushes it over the edge) is refused before anything is allocated.
     *
     * @throws IllegalArgumentException naming the bad value and the valid choices
     */
    public static Trigger parse(String kind, int size, int value, String position, double alpha, int rows,
                                int cols) {
        boolean sized = rows > 0 && cols > 0;
        if (size < 1) {
            throw new IllegalArgumentException("trigger size " + size + " is empty: expected 1 or more");
        }
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException("trigger value " + value
                    + " is outside the pixel range: expected 0 to 255");
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha " + alpha + " is outside [0, 1]: expected a weight such as 0.2");
        }
        Position at = Position.parse(position);
        String k = kind == null ? "" : kind.trim();
        boolean patch = k.equalsIgnoreCase("square") || k.equalsIgnoreCase("pattern");
        if (patch && sized && (size > rows || size > cols)) {
            throw new IllegalArgumentException("trigger size " + size + " is larger than the " + cols + "x" + rows
                    + " images; use a trigger size of at most " + Math.min(rows, cols));
        }
        if (patch && size > MAX_SIDE) {
            throw new IllegalArgumentException("trigger size " + size + " is larger than the limit of " + MAX_SIDE
                    + "; use a trigger size of at most the image's side");
        }
        Trigger trigger = build(k, kind, size, value, at, alpha, rows, cols);
        if (sized) {
            trigger.validate(rows, cols);
        }
        return trigger;
    }

    /**
     * The trigger a {@link Trigger#describe()} line names, for images of {@code rows} x {@code cols}:
     * the inverse of {@code describe()} for every kind {@link #parse} builds ({@code square},
     * {@code pattern}, {@code pixel}, {@code blend noise} and {@code png}, whose file is read again).
     * A blend over a given pattern cannot be rebuilt from its line, which names only its size.
     *
     * @throws IllegalArgumentException when the line names no such trigger, or it does not fit the images
     */
    public static Trigger fromDescription(String line, int rows, int cols) {
        String text = line == null ? "" : line.trim();
        if (text.contains(" + ")) { // a composite trigger: its parts, one after the other
            java.util.List<Trigger> parts = new java.util.ArrayList<>();
            for (String part : text.split(" \\+ ")) {
                parts.add(fromDescription(part, rows, cols));
            }
            return new CompositeTrigger(parts);
        }
        String[] words = text.split("\\s+");
        Map<String, String> values = new HashMap<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                values.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        String position = values.getOrDefault("position", DEFAULT_POSITION);
        Trigger trigger;
        try {
            switch (words[0]) {
                case "square":
                    trigger = new SquareTrigger(Integer.parseInt(need(values, "size", text)),
                            Integer.parseInt(need(values, "value", text)), Position.parse(position));
                    break;
                case "pattern":
                    trigger = new PatternTrigger(mask(need(values, "mask", text)),
                            Integer.parseInt(need(values, "value", text)), Position.parse(position));
                    break;
                case "pixel":
                    trigger = new PixelTrigger(Integer.parseInt(need(values, "value", text)), Position.parse(position));
                    break;
                case "blend":
                    if (words.length < 2 || !words[1].equals("noise")) {
                        throw new IllegalArgumentException("the blend pattern of '" + text
                                + "' is not in its description; only a blend of seeded noise can be rebuilt");
                    }
                    trigger = BlendTrigger.noise(Long.parseLong(need(values, "seed", text)),
                            Double.parseDouble(need(values, "alpha", text)));
                    break;
                case "sig":
                    double delta = Double.parseDouble(need(values, "delta", text));
                    trigger = words.length > 1 && words[1].equals("ramp") ? SigTrigger.ramp(delta)
                            : new SigTrigger(delta, Double.parseDouble(need(values, "f", text)));
                    break;
                case "wanet":
                    trigger = new WarpTrigger(Integer.parseInt(need(values, "k", text)),
                            Double.parseDouble(need(values, "s", text)),
                            Double.parseDouble(need(values, "grid_rescale", text)),
                            Long.parseLong(need(values, "seed", text)));
                    break;
                case "corners":
                    trigger = new CornerTrigger(Double.parseDouble(need(values, "amplitude", text)));
                    break;
                case "patch": {
                    String hex = need(values, "grey", text);
                    int side = Integer.parseInt(need(values, "size", text));
                    if (side < 1 || side > MAX_SIDE || hex.length() != 2L * side * side) {
                        throw new IllegalArgumentException("'" + text + "' has " + hex.length() / 2
                                + " grey levels for a patch of side " + side + "; expected a line of Trigger.describe()");
                    }
                    trigger = new GreyPatchTrigger(side, java.util.HexFormat.of().parseHex(hex), Position.parse(position));
                    break;
                }
                case "blended-patch":
                    trigger = new BlendedPatchTrigger(mask(need(values, "mask", text)),
                            Integer.parseInt(need(values, "value", text)),
                            Double.parseDouble(need(values, "alpha", text)), Position.parse(position));
                    break;
                case "png":
                    return parse("png:" + need(values, "file", text), DEFAULT_SIZE, DEFAULT_VALUE, position,
                            DEFAULT_ALPHA, rows, cols);
                default:
                    throw new IllegalArgumentException("'" + text + "' describes no trigger; expected a line of "
                            + "Trigger.describe(), e.g. 'square size=2 value=255 position=top-left'");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has a value that is not a number (" + e.getMessage()
                    + "); expected a line of Trigger.describe()", e);
        }
        trigger.validate(rows, cols);
        return trigger;
    }

    private static String need(Map<String, String> values, String key, String text) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("'" + text + "' lacks " + key + "=; expected a line of Trigger.describe()");
        }
        return v;
    }

    /** The mask text of {@link PatternTrigger#describe()}: rows split by '/', '#' set and '.' clear. */
    private static boolean[][] mask(String text) {
        String[] rows = text.split("/");
        boolean[][] mask = new boolean[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            if (!rows[r].matches("[#.]+") || rows[r].length() > MAX_SIDE || rows.length > MAX_SIDE) {
                throw new IllegalArgumentException("pattern mask '" + text + "' is not rows of '#' and '.' "
                        + "split by '/'; expected a line of Trigger.describe()");
            }
            mask[r] = new boolean[rows[r].length()];
            for (int c = 0; c < rows[r].length(); c++) {
                mask[r][c] = rows[r].charAt(c) == '#';
            }
        }
        return mask;
    }

    private static Trigger build(String k, String kind, int size, int value, Position at, double alpha, int rows,
                                 int cols) {
        if (k.regionMatches(true, 0, "png:", 0, 4)) {
            Path file = Path.of(k.substring(4));
            try {
                return rows > 0 && cols > 0 ? PngTrigger.read(file, at, rows, cols) : PngTrigger.read(file, at);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("trigger picture " + file
                        + " does not exist: expected a PNG file", e);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read trigger picture " + file + " ("
                        + e.getMessage() + "): expected a readable PNG file", e);
            }
        }
        switch (k.toLowerCase(Locale.ROOT)) {
            case "square": return new SquareTrigger(size, value, at);
            case "pattern": return new PatternTrigger(PatternTrigger.checkerboard(size), value, at);
            case "pixel": return new PixelTrigger(value, at);
            case "blend": return BlendTrigger.noise(BlendTrigger.DEFAULT_NOISE_SEED, alpha);
            default:
                throw new IllegalArgumentException("unknown trigger '" + kind
                        + "'; use square, pattern, pixel, blend or png:FILE");
        }
    }
}
