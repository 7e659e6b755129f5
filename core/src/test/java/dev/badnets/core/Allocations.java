package dev.badnets.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * What code allocates on given threads, for the tests that a steady-state training step allocates
 * nothing.
 *
 * <p>Why several short rounds instead of one long window: the JVM allocates on a running thread
 * too, once per occasion. When a method becomes hot enough for the optimising compiler, the thread
 * that asks for the compilation first resolves every string constant of the method's class
 * (HotSpot's CompileBroker): error messages the step never builds, 600 bytes for {@code Trainer},
 * 656 for {@code SimdBackend}, 1,296 and 344 for EJML's {@code UtilEjml} and {@code FMatrixRMaj}
 * (JDK 17). Methods called a few times per step get there after a few thousand steps, later still
 * when the compiler threads are starved, so any fixed warm-up can end too early: one 500-step window
 * once caught 1,672 bytes of it. Each such event spoils one round at most, while an allocation in
 * the step itself shows in every round.
 *
 * <p>Rounds go on for a while of wall-clock time as well as for a number of rounds: on a loaded
 * machine the compiler threads get little time, so compilation (with its one-off allocations, and
 * the Vector API's boxes until its kernels are compiled) lasts more rounds.
 *
 * <p>Rarely, under load, the JIT settles on code for a Vector API kernel that boxes every vector
 * (once seen: {@code Kernels.k1x1} called from a single-row product, 18 KB per prediction, for as long
 * as the JVM ran). That is the JDK's allocation, not ours, and no warm-up undoes it. So when no round
 * is clean, further rounds run under a Java Flight Recorder recording of allocation events with
 * their stacks, and the measurement passes only if every sampled allocation was the Vector API's
 * (an object of {@code jdk.incubator.vector} or {@code jdk.internal.vm.vector}, or made by their
 * code, directly or through the method handles that create its lambdas); any other site is
 * reported by its frames.
 *
 * <p>The tests that use this are tagged {@value #TAG}, and mutation testing (PIT) leaves them out:
 * its coverage instrumentation gives every method call a probe array, which only the JIT's escape
 * analysis keeps off the heap, in some runs and not others.
 */
public final class Allocations {

    /** The JUnit tag of the tests that measure allocations. */
    public static final String TAG = "allocation";

    /** Wall-clock time the rounds may take before a measurement gives up (a clean round ends it at once). */
    static final long PATIENCE_NANOS = 20_000_000_000L;

    /** Rounds recorded, and the least time they take, when no round was clean. */
    private static final int RECORDED_ROUNDS = 20;
    private static final long RECORDED_NANOS = 2_000_000_000L;

    private static final List<String> VECTOR_API = List.of("jdk.incubator.vector.", "jdk.internal.vm.vector.");
    private static final List<String> PLUMBING = List.of("java.lang.invoke.", "jdk.internal.misc.");

    private Allocations() {
    }

    /**
     * What a measurement found.
     *
     * @param leastBytes the fewest bytes the threads allocated in one round (0 when a round was clean)
     * @param ourSites   when no round was clean: the sampled allocation sites outside the Vector API
     *                   (top frames), or a line saying nothing was sampled; empty otherwise
     */
    public record Measured(long leastBytes, List<String> ourSites) {

        /** True when a round allocated nothing, or everything sampled was the Vector API's boxes. */
        public boolean clean() {
            return leastBytes == 0 || ourSites.isEmpty();
        }

        /** One message for a failed assertion. */
        public String describe(String rounds) {
            return "every round (" + rounds + ") allocated, the least " + leastBytes + " bytes; allocated outside the Vector API at "
                    + String.join(" | ", ourSites);
        }
    }

    /**
     * Runs {@code round} until a run during which {@code threads} allocated nothing, or until it ran
     * at least {@code rounds} times and for at least {@link #PATIENCE_NANOS}; when no run was clean,
     * records further runs and names the allocation sites outside the Vector API.
     *
     * @throws IllegalStateException if one of the threads ends during a run
     */
    public static Measured measure(int rounds, Runnable round, Thread... threads) {
        return measure(rounds, PATIENCE_NANOS, round, threads);
    }

    /** {@link #measure(int, Runnable, Thread...)} with its patience given, for testing this class. */
    static Measured measure(int rounds, long patienceNanos, Runnable round, Thread... threads) {
        long least = leastPerRound(rounds, patienceNanos, round, threads);
        if (least == 0) {
            return new Measured(0, List.of());
        }
        List<String> ours = sitesOutsideVectorApi(round, threads);
        if (ours.isEmpty()) { // passes, but a reader of the test log should know why
            System.err.println("no round was clean (the least " + least + " bytes); every sampled allocation was the Vector API's");
        }
        return new Measured(least, ours);
    }

    /**
     * Runs {@code round} until a run during which {@code threads} allocated nothing, or until it ran
     * at least {@code rounds} times and for at least {@code patienceNanos}, and returns the fewest
     * bytes they allocated in one run (0 when a run was clean).
     *
     * @throws IllegalStateException if one of the threads ends during a run
     */
    private static long leastPerRound(int rounds, long patienceNanos, Runnable round, Thread... threads) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] before = new long[threads.length];
        long least = Long.MAX_VALUE;
        long start = System.nanoTime();
        for (int r = 0; least > 0 && (r < rounds || System.nanoTime() - start < patienceNanos); r++) {
            for (int t = 0; t < threads.length; t++) {
                before[t] = mx.getThreadAllocatedBytes(threads[t].getId());
            }
            round.run();
            long allocated = 0;
            for (int t = 0; t < threads.length; t++) {
                long after = mx.getThreadAllocatedBytes(threads[t].getId());
                if (after < 0) { // -1: the thread is gone, its count with it
                    throw new IllegalStateException(threads[t].getName() + " ended during the measurement");
                }
                allocated += after - before[t];
            }
            least = Math.min(least, allocated);
        }
        return least;
    }

    /**
     * Runs {@code round} under a recording of allocation events (each new TLAB, each allocation
     * outside one: a sample weighted by bytes) and returns the distinct sites, on {@code threads},
     * whose allocating frame is not in the Vector API, each with the frames that called it; or one
     * line saying that nothing was sampled, since then nothing is explained.
     */
    private static List<String> sitesOutsideVectorApi(Runnable round, Thread... threads) {
        Set<Long> ids = new HashSet<>();
        for (Thread thread : threads) {
            ids.add(thread.getId());
        }
        Path file;
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ObjectAllocationInNewTLAB").withStackTrace();
            recording.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
            recording.start();
            long start = System.nanoTime();
            for (int r = 0; r < RECORDED_ROUNDS || System.nanoTime() - start < RECORDED_NANOS; r++) {
                round.run();
            }
            recording.stop();
            file = Files.createTempFile("allocations", ".jfr");
            recording.dump(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            int sampled = 0;
            Set<String> sites = new TreeSet<>();
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                if (event.getThread() == null || !ids.contains(event.getThread().getJavaThreadId()) || event.getStackTrace() == null) {
                    continue;
                }
                sampled++;
                List<RecordedFrame> frames = event.getStackTrace().getFrames();
                String type = event.getClass("objectClass").getName();
                if (!inVectorApi(type) && !madeByVectorApi(frames)) {
                    sites.add(type + " at " + top(frames, 6));
                }
            }
            return sampled == 0 ? List.of("nowhere sampled: no allocation event on these threads") : new ArrayList<>(sites);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            file.toFile().delete();
        }
    }

    private static boolean inVectorApi(String type) {
        return VECTOR_API.stream().anyMatch(type::startsWith);
    }

    /** Whether the first frame past the JDK's method-handle plumbing (a lambda's creation) is the Vector API's. */
    private static boolean madeByVectorApi(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            if (!PLUMBING.stream().anyMatch(type::startsWith)) {
                return inVectorApi(type);
            }
        }
        return false;
    }

    private static String top(List<RecordedFrame> frames, int count) {
        List<String> names = new ArrayList<>();
        for (RecordedFrame frame : frames.subList(0, Math.min(count, frames.size()))) {
            names.add(frame.getMethod().getType().getName() + "." + frame.getMethod().getName() + ":" + frame.getLineNumber());
        }
        return String.join(" < ", names);
    }
}
