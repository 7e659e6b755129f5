package dev.badnets.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdxArrayTest {
    @Test
    void shapeAccessors() {
        byte[] pixels = new byte[3 * 4 * 5];
        IdxArray a = IdxArray.ofUnsignedBytes(pixels, 3, 4, 5);
        assertEquals(3, a.count());
        assertEquals(3, a.rank());
        assertArrayEquals(new int[] {4, 5}, a.itemShape());
        assertEquals(20, a.itemLength());
        assertEquals(60, a.length());
        assertEquals("3x4x5", a.shapeString());
        assertSame(pixels, a.bytes(), "the payload is shared, not copied");
        a.dims()[0] = 99;
        assertEquals(3, a.count(), "dims() is a copy");
    }

    @Test
    void payloadMustMatchTheDimensions() {
        assertThrows(IllegalArgumentException.class, () -> IdxArray.ofInts(new int[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> IdxArray.ofInts(new int[0]));
        assertThrows(IllegalArgumentException.class, () -> IdxArray.ofInts(new int[0], -1));
        assertEquals(0, IdxArray.ofDoubles(new double[0], 4, 0, 7).length());
    }

    @Test
    void dimensionsWhoseProductOverflowsAreRefused() {
        // 2^64 elements: a 64-bit product wraps to 0 and would accept an empty payload
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IdxArray.ofUnsignedBytes(new byte[0], 65536, 65536, 65536, 65536));
        assertTrue(e.getMessage().startsWith("dimensions 65536x65536x65536x65536 hold "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" elements but the payload has 0"), e.getMessage());
        // 4 x (2^62 + 1) = 2^64 + 4 elements: a wrapped product equals this 4-element payload
        assertThrows(IllegalArgumentException.class,
                () -> IdxArray.ofFloats(new float[4], 4, 5 * 5581, 8681, 49477, 384773));
        // 2^32 elements: a 32-bit product wraps to 0
        assertThrows(IllegalArgumentException.class, () -> IdxArray.ofInts(new int[0], 65536, 65536));
    }

    @Test
    void typedAccessorsRefuseOtherTypes() {
        IdxArray floats = IdxArray.ofFloats(new float[] {1.5f, -2f}, 2);
        assertThrows(IllegalStateException.class, floats::bytes);
        assertThrows(IllegalStateException.class, floats::doubles);
        assertEquals(-2.0, floats.get(1));
        assertEquals(255.0, IdxArray.ofUnsignedBytes(new byte[] {(byte) 255}, 1).get(0));
        assertEquals(-1.0, IdxArray.ofSignedBytes(new byte[] {(byte) 255}, 1).get(0));
    }

    @Test
    void equalityIsByTypeDimensionsAndContent() {
        assertEquals(IdxArray.ofShorts(new short[] {1, 2}, 2), IdxArray.ofShorts(new short[] {1, 2}, 2));
        assertNotEquals(IdxArray.ofShorts(new short[] {1, 2}, 2), IdxArray.ofShorts(new short[] {1, 2}, 1, 2));
        assertNotEquals(IdxArray.ofUnsignedBytes(new byte[] {1}, 1), IdxArray.ofSignedBytes(new byte[] {1}, 1));
    }

    @Test
    void typeCodes() {
        assertEquals(IdxType.DOUBLE, IdxType.ofCode(0x0E));
        assertEquals(8, IdxType.DOUBLE.size());
        assertNull(IdxType.ofCode(0x0A));
    }
}
