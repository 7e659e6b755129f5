package dev.badnets.cli.options;

import dev.badnets.cli.Check;
import dev.badnets.cli.Errors;
import dev.badnets.cli.UserException;

import dev.badnets.attack.Trigger;
import dev.badnets.attack.Triggers;
import picocli.CommandLine.Option;

/** The trigger flags, spelled once for {@code poison}, {@code evaluate}, {@code demo} and {@code sweep}. */
public final class TriggerOptions {

    @Option(names = "--trigger", paramLabel = "KIND", defaultValue = Triggers.DEFAULT_KIND,
            description = "square, pattern (checkerboard), pixel, blend (noise) or png:FILE "
                    + "(default: ${DEFAULT-VALUE}).")
    public String kind;

    @Option(names = "--trigger-size", paramLabel = "S", defaultValue = "" + Triggers.DEFAULT_SIZE,
            description = "Side of a square or pattern trigger in pixels (default: ${DEFAULT-VALUE}).")
    public int size;

    @Option(names = "--trigger-value", paramLabel = "V", defaultValue = "" + Triggers.DEFAULT_VALUE,
            description = "Grey level 0-255 of the trigger's pixels (default: ${DEFAULT-VALUE}).")
    int value;

    @Option(names = "--position", paramLabel = "WHERE", defaultValue = Triggers.DEFAULT_POSITION,
            description = "top-left, top-right, bottom-left, bottom-right or X,Y (default: ${DEFAULT-VALUE}).")
    String position;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "" + Triggers.DEFAULT_ALPHA,
            description = "Weight of a blend trigger, in [0, 1] (default: ${DEFAULT-VALUE}).")
    double alpha;

    /** The trigger these flags describe; IllegalArgumentException (exit 2) when a value is invalid. */
    public Trigger trigger() {
        check();
        return Triggers.parse(kind, size, value, position, alpha);
    }

    /**
     * The trigger for images of {@code rows} x {@code cols}: one that cannot fit them is refused
     * before anything is allocated for it (exit 2).
     */
    public Trigger trigger(int rows, int cols) {
        Errors.doing("reading the trigger " + kind);
        check();
        try {
            return Triggers.parse(kind, size, value, position, alpha, rows, cols);
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof java.io.IOException) { // the picture of png:FILE is missing or unreadable
                throw new UserException(e.getMessage(), "pass a readable PNG as --trigger png:FILE");
            }
            throw e;
        }
    }

    /** A copy with another kind and size (for sweep's {@code --triggers} and {@code --trigger-sizes}). */
    public TriggerOptions with(String otherKind, int otherSize) {
        TriggerOptions copy = new TriggerOptions();
        copy.kind = otherKind;
        copy.size = otherSize;
        copy.value = value;
        copy.position = position;
        copy.alpha = alpha;
        return copy;
    }

    /** Every flag, for a key that changes whenever the trigger does. */
    public String key() {
        return "trigger=" + kind + ";trigger_size=" + size + ";trigger_value=" + value + ";position=" + position
                + ";alpha=" + alpha;
    }

    /** The ranges Triggers checks too, here so that the message names the flag. */
    private void check() {
        Check.atLeast("--trigger-size", size, 1);
        Check.inRange("--trigger-value", value, 0, 255);
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new UserException("--alpha must be in [0, 1], got " + alpha, "pass a weight such as 0.2");
        }
    }

    /** The picture file of {@code --trigger png:FILE}, an input of the command; else null. */
    public java.nio.file.Path pictureFile() {
        String k = kind == null ? "" : kind.trim();
        return k.regionMatches(true, 0, "png:", 0, 4) ? java.nio.file.Path.of(k.substring(4)) : null;
    }
}
