package dev.badnets.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdxSummaryTest {
    @Test
    void imagesGetPixelMeanAndStdOnTheZeroToOneScale() {
        // pixels 0, 255, 255, 0, 51, 204: mean 127.5/255 = 0.5; population std of {0,1,1,0,.2,.8} = sqrt(1.18 / 6)
        byte[] pixels = {0, (byte) 255, (byte) 255, 0, 51, (byte) 204};
        IdxSummary s = IdxSummary.of(IdxArray.ofUnsignedBytes(pixels, 3, 1, 2));
        assertTrue(s.hasPixelStatistics());
        assertEquals(0.5, s.pixelMean(), 1e-12);
        assertEquals(Math.sqrt(1.18 / 6), s.pixelStd(), 1e-12);
        assertEquals(3, s.count());
        assertEquals("unsigned byte, rank 3, 3x1x2, 3 items, pixel mean 0.5000, std 0.4435", s.describe());
    }

    @Test
    void otherArraysGetNoPixelStatistics() {
        IdxSummary labels = IdxSummary.of(IdxArray.ofUnsignedBytes(new byte[] {1, 2, 3}, 3));
        assertFalse(labels.hasPixelStatistics());
        assertEquals("unsigned byte, rank 1, 3, 3 items", labels.describe());
        IdxSummary floats = IdxSummary.of(IdxArray.ofFloats(new float[8], 2, 2, 2));
        assertFalse(floats.hasPixelStatistics());
        assertEquals("float, rank 3, 2x2x2, 2 items", floats.describe());
    }
}
