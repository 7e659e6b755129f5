package dev.badnets.onnx;

import dev.badnets.core.ModelFormatException;

/**
 * An ONNX file that is not valid, or that uses something this reader does not support (an
 * operator, an attribute value, a second input); the one-line message names the node and says
 * what is wrong. A {@link ModelFormatException}, so every caller of
 * {@link dev.badnets.core.ModelFiles#load} handles it as it handles a broken BDNT file.
 */
public final class OnnxFormatException extends ModelFormatException {

    private static final long serialVersionUID = 1L;

    /** @param message one line; control characters (from names in a hostile file) are shown as '?' */
    public OnnxFormatException(String message) {
        super(oneLine(message));
    }

    private static String oneLine(String message) {
        StringBuilder s = new StringBuilder(message.length());
        message.codePoints().forEach(c -> s.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return s.toString();
    }
}
