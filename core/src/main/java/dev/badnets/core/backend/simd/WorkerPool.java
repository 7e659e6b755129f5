package dev.badnets.core.backend.simd;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of daemon threads that run the parts of one task at a time, the calling thread
 * taking part 0. Hand-off is a volatile generation counter: workers spin briefly (products arrive
 * microseconds apart in a training step), then park. Nothing is allocated per task, so a
 * training step stays allocation-free. One caller at a time.
 */
public final class WorkerPool {

    /** Work split into parts that may run concurrently. */
    public interface Task {
        void run(int part);
    }

    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final Thread[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Task task;
    private volatile int parts;
    private volatile int generation;
    private volatile boolean shutdown;
    private volatile Thread caller;
    private volatile Throwable failure;

    /** A pool that runs up to {@code threads} parts at once ({@code threads - 1} new threads). */
    public WorkerPool(int threads, String name) {
        workers = new Thread[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            int part = w + 1;
            Thread t = new Thread(() -> work(part), name + "-" + part);
            t.setDaemon(true);
            workers[w] = t;
            t.start();
        }
    }

    /** Threads, the caller's included. */
    public int threads() {
        return workers.length + 1;
    }

    /** Runs parts {@code 0 .. parts-1} of the task, part 0 on the calling thread; returns when all are done. */
    public void run(Task task, int parts) {
        if (parts <= 1) {
            task.run(0);
            return;
        }
        if (parts > threads()) {
            throw new IllegalArgumentException("a pool of " + threads() + " threads cannot run " + parts + " parts");
        }
        caller = Thread.currentThread();
        failure = null;
        this.task = task;
        this.parts = parts;
        pending.set(workers.length);
        generation++; // publishes the fields above to the workers
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        Throwable own = null;
        try {
            task.run(0);
        } catch (Throwable e) {
            own = e;
        }
        long deadline = System.nanoTime() + SPIN_NANOS;
        while (pending.get() != 0) {
            if (System.nanoTime() < deadline) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        Throwable failed = own != null ? own : failure;
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

    private void work(int part) {
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
            if (part < parts) {
                try {
                    task.run(part);
                } catch (Throwable e) {
                    failure = e;
                }
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }
}
