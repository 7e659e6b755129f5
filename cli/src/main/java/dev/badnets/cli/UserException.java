package dev.badnets.cli;

/**
 * Bad input or usage that the user can fix: printed as one line, {@code badnets: <problem>; <fix>},
 * with exit status 2.
 */
public final class UserException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String fix;

    /**
     * @param problem what is wrong, naming the offending value or file
     * @param fix     what to do about it
     */
    public UserException(String problem, String fix) {
        super(problem);
        this.fix = fix;
    }

    /** What the user should do. */
    public String fix() {
        return fix;
    }
}
