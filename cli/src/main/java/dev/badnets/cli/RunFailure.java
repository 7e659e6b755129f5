package dev.badnets.cli;

/**
 * A failure at run time that the user can do something about (the network, the memory): printed as
 * one line, {@code badnets: <problem>; <fix>}, with exit status 1.
 */
public final class RunFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String fix;

    public RunFailure(String problem, String fix, Throwable cause) {
        super(problem, cause);
        this.fix = fix;
    }

    String fix() {
        return fix;
    }
}
