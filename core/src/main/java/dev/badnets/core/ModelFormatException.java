package dev.badnets.core;

import java.io.IOException;

/** A model file that is not a valid {@link ModelCodec} model; the message says what is wrong. */
public class ModelFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }
}
