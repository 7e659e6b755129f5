package dev.badnets.cli;

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
public class LauncherTest {

    @TempDir
    Path root;

    @Test
    void concurrentFirstRunsBuildOnce() throws Exception {
        Path log = stubRepository();

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

    /** The serial collector by default (G1's threads slowed training); a collector in JAVA_OPTS replaces it. */
    @Test
    void theSerialCollectorUnlessJavaOptsPicksOne() throws Exception {
        stubRepository();
        assertTrue(run(null).contains("gc Copy"), "the serial collector's young generation is 'Copy'");
        String g1 = run("-Xmx64m -XX:+UseG1GC");
        assertTrue(g1.contains("gc G1 Young Generation"), g1);
        assertTrue(!g1.contains("gc Copy"), g1);
    }

    private String run(String javaOpts) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("badnets").toString(), "--version")
                .directory(root.toFile()).redirectErrorStream(true);
        builder.environment().remove("JAVA_OPTS");
        if (javaOpts != null) {
            builder.environment().put("JAVA_OPTS", javaOpts);
        }
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the launcher did not finish in 60 s");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), out);
        return out;
    }

    /**
     * The launcher in a copy of the repository layout whose {@code mvnw} is a stub that logs each
     * build's start and end, takes a second, and puts the stub jar in place; returns the log.
     */
    private Path stubRepository() throws IOException {
        Path launcher = Path.of("..", "badnets").toAbsolutePath().normalize();
        Files.copy(launcher, root.resolve("badnets"));
        Path stubJar = root.resolve("stub.jar");
        writeStubJar(stubJar);
        Path log = root.resolve("builds.log");
        Files.writeString(root.resolve("mvnw"), "#!/usr/bin/env bash\n"
                + "echo start >> '" + log + "'\n"
                + "sleep 1\n"
                + "mkdir -p cli/target && cp '" + stubJar + "' cli/target/badnets.jar\n"
                + "echo end >> '" + log + "'\n");
        Files.setPosixFilePermissions(root.resolve("mvnw"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(root.resolve("core/src/main"));
        Files.writeString(root.resolve("pom.xml"), "<project/>\n");
        return log;
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
