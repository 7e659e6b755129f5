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

    public OnnxFormatException(String message) {
        super(message);
    }
}
