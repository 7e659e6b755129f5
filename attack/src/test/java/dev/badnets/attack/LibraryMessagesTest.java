package dev.badnets.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The libraries speak in library terms: no string in the main code of core, mnist-io or attack
 * names the command line ({@code ./badnets}) or one of its flags ({@code --target}); the command
 * line adds its own advice when it catches their exceptions. Every string literal is checked, not
 * only those visibly thrown, since a constant can end up in a message anywhere.
 */
class LibraryMessagesTest {

    private static final Pattern CLI = Pattern.compile("\\./badnets|badnets (download|train|demo|poison|evaluate)"
            + "|--(?!add-modules )[a-z]"); // a JVM option is the library's to name; a badnets flag is not

    @Test
    void noLibraryStringNamesTheCommandLineOrAFlag() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent(); // surefire runs in the module's folder
        List<String> offenders = new ArrayList<>();
        int files = 0;
        for (String module : List.of("core", "mnist-io", "attack")) {
            Path main = root.resolve(module).resolve("src/main/java");
            assertTrue(Files.isDirectory(main), "no sources at " + main);
            List<Path> sources;
            try (Stream<Path> walk = Files.walk(main)) {
                sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            }
            for (Path source : sources) {
                files++;
                offenders.addAll(offenders(root.relativize(source), Files.readString(source)));
            }
        }
        assertTrue(files > 50, "scanned only " + files + " source files: is the repository layout as expected?");
        assertEquals(List.of(), offenders, "library strings with command-line advice; move it to the CLI");
    }

    @Test
    void theScanFindsAdviceInStringsAndIgnoresComments() {
        String source = """
                /** Mirrors {@code --trigger KIND}; see ./badnets. */
                class X { // --hidden
                    String a = "target " + t + "; use --target 0 or more";
                    String b = "run `./badnets download`";
                    String c = "an escaped \\" quote, then -- alone and a --flag";
                    char q = '"'; String e = "--x"; // a quote in a char literal does not start a string
                    String d = "fine: 1 -- 2, x--";
                }
                """;
        List<String> found = offenders(Path.of("X.java"), source);
        assertEquals(4, found.size(), found::toString);
        assertTrue(found.get(0).startsWith("X.java:3: "), found::toString);
    }

    /** {@code file:line: "literal"} for each string literal of {@code source} that mentions the CLI. */
    static List<String> offenders(Path file, String source) {
        List<String> found = new ArrayList<>();
        for (int[] literal : literals(source)) {
            String text = source.substring(literal[0], literal[1]);
            if (CLI.matcher(text).find()) {
                int line = 1 + (int) source.substring(0, literal[0]).chars().filter(c -> c == '\n').count();
                found.add(file + ":" + line + ": " + text);
            }
        }
        return found;
    }

    /**
     * The [start, end) of every string literal and text block of Java source, found by a small
     * lexer that skips comments and char literals (so a quote in either does not start a string).
     */
    static List<int[]> literals(String s) {
        List<int[]> found = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (s.startsWith("//", i)) {
                i = s.indexOf('\n', i) < 0 ? n : s.indexOf('\n', i);
            } else if (s.startsWith("/*", i)) {
                i = s.indexOf("*/", i + 2) < 0 ? n : s.indexOf("*/", i + 2) + 2;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
                found.add(new int[] {i, end});
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && s.charAt(j) != c && s.charAt(j) != '\n') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                if (c == '"') {
                    found.add(new int[] {i, Math.min(j + 1, n)});
                }
                i = j + 1;
            } else {
                i++;
            }
        }
        return found;
    }
}
