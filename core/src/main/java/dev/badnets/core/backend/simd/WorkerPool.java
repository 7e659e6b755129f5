package dev.badnets.core.backend.simd;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of daemon threads that, with the calling thread, run the parts of one task at a
 * time. Each thread first runs its own share of the parts (thread k, the caller being thread 0,
 * owns the k-th contiguous block), then claims any part still unclaimed. The fixed shares keep
 * each thread on the same rows of the same matrices from call to call, so the data stays in that
 * core's cache instead of crossing to the other core every step; the claiming means a thread the
 * OS does not schedule promptly (a busy machine) just runs fewer parts instead of holding
 * everyone up. A part's result does not depend on which thread runs it, so the outcome is the
 * same either way.
 *
 * <p>Workers wait on a volatile job word, spinning briefly (tasks arrive microseconds apart in a
 * training step) and then parking. Nothing is allocated per task, so a training step stays
 * allocation-free. One caller at a time.
 */
final class WorkerPool {

    /** Work split into parts that may run concurrently, each exactly once. */
    public interface Task {
        void run(int part);
    }

    /**
     * How long an idle thread spins before parking. Waking a parked thread takes tens of
     * microseconds, as long as a split product saves, and the serial stretches of a training step
     * (loss, small layers) last up to about 50 microseconds: spinning past them is what lets a
     * second thread pay off at batch 64. Idle threads park after this, so nothing spins between
     * trainings.
     */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final int MAX_PARTS = 0xFFFF;

    private final Thread[] workers;
    // generation (high 32 bits) | parts (low 32 bits), read once per task so a thread always sees
    // a generation together with its own part count.
    private volatile long job;
    // claims[p] = the last generation whose part p was claimed; a claim moves it forward only, so a
    // thread still finishing an older generation can never take a part of a newer one.
    private volatile AtomicIntegerArray claims = new AtomicIntegerArray(16);
    private final AtomicInteger done = new AtomicInteger();
    private volatile Task task;
    private volatile boolean shutdown;
    private volatile Thread caller;
    private volatile Throwable failure;

    /** A pool that runs up to {@code threads} parts at once ({@code threads - 1} new threads). */
    public WorkerPool(int threads, String name) {
        workers = new Thread[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            int self = w + 1;
            Thread t = new Thread(() -> work(self), name + "-" + self);
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
        int g = (int) (job >>> 32) + 1;
        if (claims.length() < parts) {
            grow(parts, g - 1);
        }
        caller = Thread.currentThread();
        failure = null;
        this.task = task;
        done.set(0);
        job = ((long) g << 32) | parts; // publishes the fields above to the workers
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        runParts(0, g, parts);
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

    /** Room for {@code parts} claims, all marked as claimed by the finished generation {@code last}. */
    private void grow(int parts, int last) {
        AtomicIntegerArray more = new AtomicIntegerArray(Math.max(parts, 2 * claims.length()));
        for (int part = 0; part < more.length(); part++) {
            more.set(part, last);
        }
        claims = more;
    }

    /** Thread {@code self} runs its own block of the parts of generation {@code g}, then any left unclaimed. */
    private void runParts(int self, int g, int parts) {
        int threads = workers.length + 1;
        int per = (parts + threads - 1) / threads;
        int own = Math.min(parts, self * per);
        for (int part = own; part < Math.min(parts, own + per); part++) {
            tryRun(part, g, parts);
        }
        for (int part = 0; part < parts; part++) {
            tryRun(part, g, parts);
        }
    }

    private void tryRun(int part, int g, int parts) {
        AtomicIntegerArray claimed = claims;
        int last = claimed.get(part);
        if (last - g >= 0 || !claimed.compareAndSet(part, last, g)) {
            return; // already claimed in this generation (or a newer one)
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

    private void work(int self) {
        int seen = 0;
        while (true) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            long now;
            while ((int) ((now = job) >>> 32) == seen && !shutdown) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (shutdown) {
                return;
            }
            seen = (int) (now >>> 32);
            runParts(self, seen, (int) now);
        }
    }
}
