package dev.badnets.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataFolderTest {
    private static final Path HOME = Path.of("/home/ada");

    private static Path resolve(String option, Map<String, String> env) {
        return DataFolder.resolve(option, env::get, HOME);
    }

    @Test
    void theOptionWinsOverEverything() {
        assertEquals(Path.of("given"), resolve("given", Map.of("BADNETS_DATA", "/env", "XDG_CACHE_HOME", "/xdg")));
    }

    @Test
    void thenTheEnvironmentVariable() {
        assertEquals(Path.of("/env"), resolve(null, Map.of("BADNETS_DATA", "/env", "XDG_CACHE_HOME", "/xdg")));
    }

    @Test
    void thenTheXdgCache() {
        assertEquals(Path.of("/xdg/badnets/mnist"), resolve(null, Map.of("XDG_CACHE_HOME", "/xdg")));
    }

    @Test
    void thenTheCacheInTheHomeFolder() {
        assertEquals(Path.of("/home/ada/.cache/badnets/mnist"), resolve(null, Map.of()));
    }

    @Test
    void emptyValuesCountAsUnset() {
        assertEquals(Path.of("/home/ada/.cache/badnets/mnist"),
                resolve("", Map.of("BADNETS_DATA", "", "XDG_CACHE_HOME", " ")));
    }
}
