package dev.badnets.attack;

import java.io.IOException;

/** A {@code manifest.json} that is not a valid poisoning manifest: bad input, not an I/O failure. */
public class ManifestFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public ManifestFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
