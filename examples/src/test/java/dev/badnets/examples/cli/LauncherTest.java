package dev.badnets.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./badnets} launcher (issue 11, case 9): two first runs at once build the jar once,
 * the second waiting for the first. The launcher runs in a copy of the repository layout whose
 * {@code mvnw} is a stub: it logs each build's start and end, takes a second, and puts a one-class
 * jar in place.
 */
class LauncherTest {

    @TempDir
    Path root;

    @Test
    void concurrentFirstRunsBuildOnce() throws Exception {
        Path launcher = Path.of("..", "badnets").toAbsolutePath().normalize();
        Files.copy(launcher, root.resolve("badnets"));
        Path stubJar = root.resolve("stub.jar");
        writeStubJar(stubJar);
        Path log = root.resolve("builds.log");
        Files.writeString(root.resolve("mvnw"), "#!/usr/bin/env bash\n"
                + "echo start >> '" + log + "'\n"
                + "sleep 1\n"
                + "mkdir -p examples/target && cp '" + stubJar + "' examples/target/badnets.jar\n"
                + "echo end >> '" + log + "'\n");
        Files.setPosixFilePermissions(root.resolve("mvnw"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(root.resolve("core/src/main"));
        Files.writeString(root.resolve("pom.xml"), "<project/>\n");

        List<Process> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            runs.add(new ProcessBuilder("bash", root.resolve("badnets").toString(), "--version")
                    .directory(root.toFile()).redirectErrorStream(true).start());
        }
        for (Process run : runs) {
            assertTrue(run.waitFor(60, TimeUnit.SECONDS), "the launcher did not finish in 60 s");
            String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, run.exitValue(), out);
            assertTrue(out.contains("stub --version"), out);
        }
        assertEquals(List.of("start", "end"), Files.readAllLines(log), "one build, not two interleaved");
    }

    /** A runnable jar holding only {@link LauncherStubMain}. */
    private static void writeStubJar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherStubMain.class.getName());
        String entry = LauncherStubMain.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest);
             InputStream in = LauncherStubMain.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
    }
}
