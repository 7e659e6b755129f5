package dev.badnets.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.backend.simd.SimdBackend;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Element-wise work split across a backend's threads: every index exactly once, at most n / grain ranges. */
class ForRangesTest {

    private static final MatrixBackend[] BACKENDS = {new EjmlBackend(), new SimdBackend(1), new SimdBackend(2),
        new SimdBackend(3)};

    @Property(tries = 300)
    void everyIndexExactlyOnce(@ForAll @IntRange(min = 0, max = 5000) int n,
                               @ForAll @IntRange(min = 1, max = 600) int grain) {
        for (MatrixBackend backend : BACKENDS) {
            AtomicIntegerArray runs = new AtomicIntegerArray(n);
            AtomicInteger ranges = new AtomicInteger();
            backend.forRanges(n, grain, (from, to) -> {
                assertTrue(0 <= from && from <= to && to <= n, "[" + from + ", " + to + ") outside [0, " + n + ")");
                ranges.incrementAndGet();
                for (int i = from; i < to; i++) {
                    runs.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, runs.get(i), "index " + i + " of " + n + " on " + backend.name() + " x" + backend.threads());
            }
            assertTrue(ranges.get() <= Math.max(1, n / grain), ranges + " ranges of " + n + " with grain " + grain);
        }
    }

    @Test
    void coarseWorkIsSplitEvenlyNotByCacheLines() {
        // 49 blocks of rows over 2 threads x 2 parts: 13, 13, 13 and 10, not 16, 16, 16 and 1 (16-aligned ranges)
        java.util.List<Integer> sizes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        new SimdBackend(2).forRanges(49, 1, (from, to) -> sizes.add(to - from));
        assertEquals(4, sizes.size(), sizes.toString());
        assertTrue(sizes.stream().allMatch(size -> size <= 13), sizes.toString());
    }

    @Test
    void largeWorkReallyUsesTheOtherThreads() {
        MatrixBackend two = new SimdBackend(2);
        java.util.Set<Thread> ran = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int round = 0; round < 200 && ran.size() < 2; round++) {
            two.forRanges(1 << 16, 1024, (from, to) -> {
                ran.add(Thread.currentThread());
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            });
        }
        assertEquals(2, ran.size(), "no range ran on the second thread");
    }

    @Test
    void aFailingRangeReachesTheCaller() {
        for (MatrixBackend backend : BACKENDS) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> backend.forRanges(100_000, 1000,
                    (from, to) -> {
                        if (to == 100_000) {
                            throw new IllegalStateException("last range failed");
                        }
                    }));
            assertEquals("last range failed", e.getMessage());
        }
    }
}
