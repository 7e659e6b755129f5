package dev.badnets.core;

import java.util.Locale;

/** How the trainer turns gradients into weight updates; see {@link Optimizer}. */
public enum OptimizerKind {
    /** Plain stochastic gradient descent. */
    SGD,
    /** SGD with momentum 0.9. */
    MOMENTUM,
    /** Adam (β1 0.9, β2 0.999, ε 1e-8), bias-corrected. */
    ADAM;

    /** The lower-case name used on the command line: sgd, momentum or adam. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a command-line name (case-insensitive). */
    public static OptimizerKind parse(String name) {
        for (OptimizerKind kind : values()) {
            if (kind.cliName().equalsIgnoreCase(name.trim())) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown optimizer '" + name + "': use sgd, momentum or adam");
    }
}
