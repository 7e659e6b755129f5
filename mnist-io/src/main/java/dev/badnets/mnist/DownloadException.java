package dev.badnets.mnist;

import java.io.IOException;
import java.util.List;

/** A file that no mirror delivered intact; the message lists what each mirror did. A run-time failure. */
public class DownloadException extends IOException {
    private static final long serialVersionUID = 1L;

    private final List<String> attempts;

    public DownloadException(String fileName, List<String> attempts) {
        super(fileName + ": every mirror failed: " + String.join("; ", attempts));
        this.attempts = List.copyOf(attempts);
    }

    /** One entry per mirror tried, "URL: what happened". */
    public List<String> attempts() {
        return attempts;
    }
}
