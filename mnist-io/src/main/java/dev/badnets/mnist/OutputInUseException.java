package dev.badnets.mnist;

import java.io.IOException;
import java.nio.file.Path;

/** Another process holds the lock of an output: two writers would mix their files. */
public class OutputInUseException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path target;

    public OutputInUseException(Path target) {
        super(target + " is being written by another process");
        this.target = target;
    }

    /** The output that is locked. */
    public Path target() {
        return target;
    }
}
