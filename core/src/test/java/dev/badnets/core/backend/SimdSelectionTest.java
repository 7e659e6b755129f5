package dev.badnets.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.backend.simd.SimdBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Backends} picks the SIMD backend when {@code jdk.incubator.vector} is present (the test
 * runner adds it, so every test that iterates over {@link Backends#availableNames()} covers SIMD)
 * and falls back to EJML, without touching Vector API classes, in a JVM without it, saying so once.
 */
class SimdSelectionTest {

    @Test
    void simdIsChosenWhenTheVectorModuleIsPresent() {
        assertTrue(Backends.simdAvailable(), "the test JVM runs with --add-modules jdk.incubator.vector");
        assertEquals(List.of("ejml", "simd"), Backends.availableNames());
        MatrixBackend simd = Backends.create("simd", 2);
        assertInstanceOf(SimdBackend.class, simd);
        assertEquals(2, simd.threads());
        assertEquals("simd", Backends.create("auto", 1).name());
        assertEquals("ejml", Backends.create("ejml", 2).name());
    }

    /**
     * A run that narrows the vector unit (CI's {@code -Dvector.shape=-XX:UseAVX=2 -Dvector.bits=256})
     * really runs at that width: without this check a JVM flag that never reached the test JVM would
     * leave the narrow kernels untested while the run still passes.
     */
    @Test
    void theVectorWidthIsTheOneThisRunAskedFor() {
        String expected = System.getProperty("badnets.expectedVectorBits", "");
        if (!expected.isBlank()) {
            assertEquals(Integer.parseInt(expected.trim()), SimdBackend.vectorBits(),
                    "this run asked for " + expected + "-bit vectors: " + Backends.create("simd", 1).describe());
        }
    }

    @Test
    void aJvmWithoutTheVectorModuleFallsBackToEjml() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                WithoutVectorModule.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.endsWith("available=false auto=ejml simd=ejml product=14.0"), output);
        // said once, although two backends were asked for, naming the JVM option that turns SIMD on
        assertEquals(1, output.split("--add-modules jdk.incubator.vector to use it", -1).length - 1, output);
    }

    /** Run in a child JVM started without --add-modules jdk.incubator.vector. */
    public static final class WithoutVectorModule {
        public static void main(String[] args) {
            MatrixBackend auto = Backends.create("auto", 2);
            org.ejml.data.FMatrixRMaj a = new org.ejml.data.FMatrixRMaj(1, 3, true, 1, 2, 3);
            org.ejml.data.FMatrixRMaj c = new org.ejml.data.FMatrixRMaj(1, 1);
            auto.multTransB(a, a, c);
            System.out.println("available=" + Backends.simdAvailable() + " auto=" + auto.name()
                    + " simd=" + Backends.create("simd", 1).name() + " product=" + c.get(0, 0));
        }
    }
}
