package dev.badnets.core;

import java.lang.management.ManagementFactory;

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
 * <p>The tests that use this are tagged {@value #TAG}, and mutation testing (PIT) leaves them out:
 * its coverage instrumentation gives every method call a probe array, which only the JIT's escape
 * analysis keeps off the heap, in some runs and not others.
 */
public final class Allocations {

    /** The JUnit tag of the tests that measure allocations. */
    public static final String TAG = "allocation";

    /** Wall-clock time the rounds may take before a measurement gives up (a clean round ends it at once). */
    static final long PATIENCE_NANOS = 20_000_000_000L;

    private Allocations() {
    }

    /**
     * Runs {@code round} until a run during which {@code threads} allocated nothing, or until it ran
     * at least {@code rounds} times and for at least {@link #PATIENCE_NANOS}, and returns the fewest
     * bytes they allocated in one run (0 when a run was clean).
     *
     * @throws IllegalStateException if one of the threads ends during a run
     */
    public static long leastPerRound(int rounds, Runnable round, Thread... threads) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] before = new long[threads.length];
        long least = Long.MAX_VALUE;
        long start = System.nanoTime();
        for (int r = 0; least > 0 && (r < rounds || System.nanoTime() - start < PATIENCE_NANOS); r++) {
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
}
