package dev.badnets.core.backend.simd;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of daemon threads that, with the calling thread, run the parts of one task at a
 * time. Parts are claimed one by one from a shared ticket, so a thread the OS does not schedule
 * promptly (a busy machine) just claims fewer parts instead of holding everyone up; since a part's
 * result does not depend on which thread runs it, the outcome is the same either way.
 *
 * <p>Workers wait on a volatile generation counter, spinning briefly (products arrive microseconds
 * apart in a training step) and then parking. Nothing is allocated per task, so a training step
 * stays allocation-free. One caller at a time.
 */
public final class WorkerPool {

    /** Work split into parts that may run concurrently, each exactly once. */
    public interface Task {
        void run(int part);
    }

    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final int MAX_PARTS = 0xFFFF;

    private final Thread[] workers;
    // generation (high 32 bits) | parts (16 bits) | next unclaimed part (16 bits): one CAS both
    // checks that a claim belongs to the current task and takes it.
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private volatile Task task;
    private volatile int generation;
    private volatile boolean shutdown;
    private volatile Thread caller;
    private volatile Throwable failure;

    /** A pool that runs up to {@code threads} parts at once ({@code threads - 1} new threads). */
    public WorkerPool(int threads, String name) {
        workers = new Thread[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            Thread t = new Thread(this::work, name + "-" + (w + 1));
            t.setDaemon(true);
            workers[w] = t;
            t.start();
        }
    }

    /** Threads, the caller's included. */
    public int threads() {
        return workers.length + 1;
    }

    /** Runs parts {@code 0 .. parts-1} of the task, the calling thread included; returns when all are done. */
    public void run(Task task, int parts) {
        if (parts < 1 || parts > MAX_PARTS) {
            throw new IllegalArgumentException("parts must be between 1 and " + MAX_PARTS + ", got " + parts);
        }
        if (parts == 1 || workers.length == 0) {
            for (int part = 0; part < parts; part++) {
                task.run(part);
            }
            return;
        }
        caller = Thread.currentThread();
        failure = null;
        this.task = task;
        done.set(0);
        int g = generation + 1;
        ticket.set(((long) g << 32) | ((long) parts << 16));
        generation = g; // publishes the fields above to the workers
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        claimParts(g);
        long deadline = System.nanoTime() + SPIN_NANOS;
        while (done.get() != parts) {
            if (System.nanoTime() < deadline) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        Throwable failed = failure;
        if (failed instanceof RuntimeException e) {
            throw e;
        } else if (failed instanceof Error e) {
            throw e;
        } else if (failed != null) {
            throw new IllegalStateException(failed);
        }
    }

    /** Lets the workers end; the pool must not be used afterwards. */
    public void shutdown() {
        shutdown = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }

    /** Claims and runs parts of generation {@code g} until none is left. */
    private void claimParts(int g) {
        while (true) {
            long t = ticket.get();
            int parts = (int) (t >>> 16) & 0xFFFF;
            int part = (int) t & 0xFFFF;
            if ((int) (t >>> 32) != g || part >= parts) {
                return;
            }
            if (!ticket.compareAndSet(t, t + 1)) {
                continue;
            }
            // The task cannot change before this part is counted done.
            try {
                task.run(part);
            } catch (Throwable e) {
                failure = e;
            }
            if (done.incrementAndGet() == parts) {
                LockSupport.unpark(caller);
            }
        }
    }

    private void work() {
        int seen = 0;
        while (true) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            int now;
            while ((now = generation) == seen && !shutdown) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (shutdown) {
                return;
            }
            seen = now;
            claimParts(now);
        }
    }
}
