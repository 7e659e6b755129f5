package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The allocation measurement itself: it must see our allocations, and name where they happen. */
@Tag(Allocations.TAG)
class AllocationsTest {

    private static final byte[][] KEPT = new byte[64][];

    /** Allocates 64 arrays of 4 KB, kept so that escape analysis cannot remove them. */
    private static void allocateOurs() {
        for (int i = 0; i < KEPT.length; i++) {
            KEPT[i] = new byte[4096];
        }
    }

    @Test
    void ourAllocationsFailTheMeasurementAndAreNamed() {
        Allocations.Measured measured = Allocations.measure(10, 0, AllocationsTest::allocateOurs, Thread.currentThread());
        assertFalse(measured.clean());
        assertTrue(measured.leastBytes() >= 64 * 4096, measured.describe("10"));
        assertTrue(measured.ourSites().stream().anyMatch(site -> site.contains(" at dev.badnets.core.AllocationsTest.allocateOurs:")),
                measured.describe("10"));
    }

    @Test
    void aRoundThatAllocatesNothingIsClean() {
        int[] sum = new int[1];
        Allocations.Measured measured = Allocations.measure(10, 0, () -> {
            for (int i = 0; i < 1000; i++) {
                sum[0] += i;
            }
        }, Thread.currentThread());
        assertTrue(measured.clean(), measured.describe("10"));
        assertEquals(List.of(), measured.ourSites());
    }
}
