package dev.badnets.attack.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs the points of a grid several at a time. */
public final class Parallel {

    /** One point's work. */
    @FunctionalInterface
    public interface Task<T> {
        void run(T item) throws Exception;
    }

    private Parallel() {
    }

    /**
     * Runs {@code task} on every item, {@code workers} at a time, and waits for all of them.
     *
     * @throws Exception the first failure in item order (its cause, unwrapped); the other items
     *                   still running are interrupted
     */
    public static <T> void forEach(List<T> items, int workers, Task<? super T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(pool.submit(() -> {
                    task.run(item);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
