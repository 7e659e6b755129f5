package dev.badnets.mnist;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where the data lives: the {@code --data} option, else the environment variable {@code BADNETS_DATA},
 * else {@code $XDG_CACHE_HOME/badnets/mnist}, else {@code ~/.cache/badnets/mnist}. Empty values count
 * as unset. The path is returned as given (a relative one is relative to the working directory).
 */
public final class DataFolder {
    public static final String ENV_VARIABLE = "BADNETS_DATA";

    private DataFolder() {
    }

    /**
     * Resolves with the real environment; {@code ~} is {@code $HOME}, as in the shell the user
     * typed the command in (the JVM's {@code user.home} comes from the password database instead).
     */
    public static Path resolve(String dataOption) {
        String home = System.getenv("HOME");
        return resolve(dataOption, System::getenv,
                Path.of(home == null || home.isBlank() ? System.getProperty("user.home") : home));
    }

    /**
     * Resolves with an injected environment lookup and home folder (for tests).
     *
     * @param dataOption the {@code --data} value, or null when not given
     * @param getenv     environment lookup, returning null for unset variables
     * @param home       the user's home folder
     */
    public static Path resolve(String dataOption, Function<String, String> getenv, Path home) {
        if (isSet(dataOption)) {
            return Path.of(dataOption);
        }
        String env = getenv.apply(ENV_VARIABLE);
        if (isSet(env)) {
            return Path.of(env);
        }
        String xdg = getenv.apply("XDG_CACHE_HOME");
        Path cache = isSet(xdg) ? Path.of(xdg) : home.resolve(".cache");
        return cache.resolve("badnets").resolve("mnist");
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
