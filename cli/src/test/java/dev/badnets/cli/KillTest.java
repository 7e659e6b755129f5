package dev.badnets.cli;

import dev.badnets.cli.demo.DemoCommand;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, case 4: a `poison` or `demo` killed with SIGKILL at several moments over an older output
 * leaves the old complete output or the new complete output, never a mix, and the next run succeeds.
 * (The one moment between the two renames leaves no folder and the old one whole beside it, which
 * the next run puts back first.)
 */
@Timeout(300)
public class KillTest {

    @TempDir
    Path dir;

    /** Moments to kill at, as shares of a whole run's time: the later ones fall into the writing and the swap. */
    private static final double[] KILL_AT = {0.3, 0.6, 0.8, 0.86, 0.9, 0.93, 0.96, 0.98, 1.0};

    private static Map<String, String> own(Path folder, java.util.Set<String> names) throws Exception {
        Map<String, String> sums = SafeOutputsTest.checksums(folder);
        sums.keySet().retainAll(names);
        return sums;
    }

    private List<String> siblings(Path parent) throws Exception {
        try (Stream<Path> files = Files.list(parent)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** What a killed child left: "old", "new", or "gap" (no folder, the old one in the trash). */
    private String state(Path out, Map<String, String> old, Map<String, String> fresh, java.util.Set<String> names)
            throws Exception {
        if (!Files.exists(out)) {
            List<Path> trash;
            try (Stream<Path> files = Files.list(out.getParent())) {
                trash = files.filter(p -> p.getFileName().toString().endsWith(".trash")).toList();
            }
            assertEquals(1, trash.size(), "no folder, so the old one must wait in the trash: " + siblings(out.getParent()));
            assertEquals(old, own(trash.get(0), names), "the trash holds the old set whole");
            return "gap";
        }
        Map<String, String> now = own(out, names);
        if (now.equals(old)) {
            return "old";
        }
        assertEquals(fresh, now, "neither the old set nor the new one: a mix");
        return "new";
    }

    @Test
    void aKilledPoisonLeavesTheOldOrTheNewFolder() throws Exception {
        Path data = dir.resolve("data");
        // 25 MB: the child takes a second or two
        RandomImages.folder(data, 30_000, 2000);
        Path out = Files.createDirectories(dir.resolve("outputs")).resolve("poisoned");
        Path ref = dir.resolve("reference");
        String[] oldRun = {"poison", "--data", data.toString(), "--out", out.toString(), "--poison-count", "100",
            "--seed", "1"};
        String[] newRun = {"poison", "--data", data.toString(), "--out", out.toString(), "--poison-count", "300",
            "--seed", "2"};
        java.util.Set<String> names = dev.badnets.attack.PoisonedDataset.OWN_NAMES;
        SafeOutputsTest.ok(Cli.run(oldRun));
        Map<String, String> old = own(out, names);
        String[] refRun = newRun.clone();
        refRun[4] = ref.toString();
        double seconds = timed(refRun);
        Map<String, String> fresh = own(ref, names);
        assertEquals(6, fresh.size()); // the four MNIST files, manifest.json and the attacked test images
        assertTrue(!old.equals(fresh));

        List<String> seen = killAtSeveralMoments(seconds, out, newRun, old, fresh, names, () -> SafeOutputsTest.ok(Cli.run(oldRun)));
        System.out.printf("poison (%.2f s a run) killed at %s of a run left: %s%n", seconds,
                java.util.Arrays.toString(KILL_AT), seen);
    }

    @Test
    void aKilledDemoLeavesTheOldOrTheNewFolder() throws Exception {
        Path data = RandomImages.folder(dir.resolve("data"), 4000, 500);
        Path out = Files.createDirectories(dir.resolve("outputs")).resolve("demo");
        Path ref = dir.resolve("reference");
        String[] oldRun = {"demo", "--data", data.toString(), "--out", out.toString(), "--epochs", "1", "--hidden",
            "16", "--threads", "1", "--seed", "1"};
        String[] newRun = oldRun.clone();
        newRun[newRun.length - 1] = "2";
        java.util.Set<String> names = DemoCommand.FILES;
        SafeOutputsTest.ok(Cli.run(oldRun));
        String[] refRun = newRun.clone();
        refRun[4] = ref.toString();
        double seconds = timed(refRun);
        // results.json holds timings, which differ between runs; the model and picture do not
        java.util.Set<String> stable = java.util.Set.of("model.bin", "backdoor.png");
        Map<String, String> old = own(out, stable);
        Map<String, String> fresh = own(ref, stable);
        assertTrue(!old.equals(fresh));

        List<String> seen = killAtSeveralMoments(seconds, out, newRun, old, fresh, stable, () -> SafeOutputsTest.ok(Cli.run(oldRun)));
        System.out.printf("demo (%.2f s a run) killed at %s of a run left: %s%n", seconds,
                java.util.Arrays.toString(KILL_AT), seen);
    }

    /** Kills {@code run} at each moment; checks the state; then a run in-process must succeed and restore "old". */
    /** Runs a child to its end; returns its wall time. */
    private double timed(String[] run) throws Exception {
        Child.Result r = Child.run("512m", dir.resolve("logs-reference"), 120, run);
        assertEquals(0, r.status(), r::toString);
        return r.seconds();
    }

    private List<String> killAtSeveralMoments(double seconds, Path out, String[] run, Map<String, String> old,
                                              Map<String, String> fresh, java.util.Set<String> names,
                                              Runnable restore) throws Exception {
        List<String> seen = new ArrayList<>();
        for (double share : KILL_AT) {
            long ms = Math.round(share * seconds * 1000);
            Process child = Child.start("512m", dir.resolve("logs-" + ms), run);
            boolean ended = child.waitFor(ms, TimeUnit.MILLISECONDS);
            if (!ended) {
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            }
            String state = state(out, old, fresh, names);
            if (out.getFileName().toString().equals("demo") && state.equals("new")) {
                // the set is whole: its results.json describes the new run too
                var results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
                assertEquals(2, results.get("config").get("seed").asInt());
            }
            seen.add((ended ? "finished:" : "") + state);
            restore.run(); // the next run succeeds, whatever the kill left
            assertEquals(old, own(out, names));
            assertEquals(List.of("." + out.getFileName() + ".lock", out.getFileName().toString()),
                    siblings(out.getParent()), "no temporary file or folder left");
        }
        return seen;
    }
}
