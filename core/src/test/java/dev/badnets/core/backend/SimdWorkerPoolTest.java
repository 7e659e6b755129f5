package dev.badnets.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.backend.simd.WorkerPool;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Collectors;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/** The pool behind the SIMD backend's threads: every part once, failures surface, threads end. */
class SimdWorkerPoolTest {

    @Test
    void runsEveryPartExactlyOnceOnDistinctThreads() {
        WorkerPool pool = new WorkerPool(3, "test-pool");
        try {
            for (int round = 0; round < 2000; round++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(3);
                Thread[] threads = new Thread[3];
                int parts = 1 + round % 3;
                pool.run(part -> {
                    runs.incrementAndGet(part);
                    threads[part] = Thread.currentThread();
                }, parts);
                for (int part = 0; part < 3; part++) {
                    assertEquals(part < parts ? 1 : 0, runs.get(part), "round " + round + " part " + part);
                }
                assertSame(Thread.currentThread(), threads[0], "part 0 runs on the caller");
                if (parts == 3) {
                    assertNotEquals(threads[1], threads[2]);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aFailingPartReachesTheCallerAndThePoolStaysUsable() {
        WorkerPool pool = new WorkerPool(2, "test-pool");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(part -> {
                if (part == 1) {
                    throw new IllegalStateException("part 1 failed");
                }
            }, 2));
            assertEquals("part 1 failed", e.getMessage());
            int[] done = new int[2];
            pool.run(part -> done[part] = 1, 2);
            assertEquals("[1, 1]", Arrays.toString(done));
            assertThrows(IllegalArgumentException.class, () -> pool.run(part -> { }, 3));
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void workerThreadsEndWhenTheBackendIsCollected() throws InterruptedException {
        Set<Thread> before = simdThreads();
        SimdBackend backend = new SimdBackend(3);
        backend.mult(new FMatrixRMaj(100, 100), new FMatrixRMaj(100, 100), new FMatrixRMaj(100, 100));
        Set<Thread> workers = simdThreads();
        workers.removeAll(before);
        assertEquals(2, workers.size(), "two workers besides the caller");
        assertTrue(workers.stream().allMatch(Thread::isDaemon));
        backend = null; // a sweep creates one backend per model: their threads must not pile up
        for (int i = 0; i < 100 && workers.stream().anyMatch(Thread::isAlive); i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertTrue(workers.stream().noneMatch(Thread::isAlive), "worker threads still alive after the backend was collected");
    }

    private static Set<Thread> simdThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("badnets-simd") && t.isAlive())
                .collect(Collectors.toCollection(HashSet::new));
    }
}
