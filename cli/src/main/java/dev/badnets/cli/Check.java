package dev.badnets.cli;

/** Range checks for flags, failing with the flag's name, the value and the valid range. */
public final class Check {

    private Check() {
    }

    public static void atLeast(String flag, long value, long min) {
        if (value < min) {
            throw new UserException(flag + " must be at least " + min + ", got " + value,
                    "pass a value of " + min + " or more");
        }
    }

    public static void inRange(String flag, long value, long min, long max) {
        if (value < min || value > max) {
            throw new UserException(flag + " must be in [" + min + ", " + max + "], got " + value,
                    "pass a value from " + min + " to " + max);
        }
    }
}
