package dev.badnets.core.backend.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/** The pool behind the SIMD backend's threads: every part once, failures surface, threads end. */
class SimdWorkerPoolTest {

    @Test
    void runsEveryPartExactlyOnceWhateverThePartCount() {
        WorkerPool pool = new WorkerPool(3, "test-pool");
        try {
            for (int round = 0; round < 3000; round++) {
                int parts = 1 + round % 9; // fewer, as many and more parts than threads
                AtomicIntegerArray runs = new AtomicIntegerArray(9);
                pool.run(runs::incrementAndGet, parts);
                for (int part = 0; part < 9; part++) {
                    assertEquals(part < parts ? 1 : 0, runs.get(part), "round " + round + " part " + part);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void workersShareTheParts() throws InterruptedException {
        WorkerPool pool = new WorkerPool(2, "test-pool");
        try {
            Set<Thread> ran = ConcurrentHashMap.newKeySet();
            for (int round = 0; round < 200 && ran.size() < 2; round++) {
                pool.run(part -> {
                    ran.add(Thread.currentThread());
                    LockSupport.parkNanos(100_000); // long enough for the worker to claim a part
                }, 4);
            }
            assertEquals(2, ran.size(), "the worker never ran a part");
            assertTrue(ran.contains(Thread.currentThread()), "the caller runs parts too");
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
            assertThrows(IllegalArgumentException.class, () -> pool.run(part -> { }, 0));
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void workerThreadsEndWhenTheBackendIsCollected() throws InterruptedException {
        Set<Thread> before = simdThreads();
        SimdBackend backend = new SimdBackend(3);
        backend.multTransA(new FMatrixRMaj(100, 100), new FMatrixRMaj(100, 100), new FMatrixRMaj(100, 100));
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
