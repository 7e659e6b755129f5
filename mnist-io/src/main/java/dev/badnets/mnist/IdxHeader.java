package dev.badnets.mnist;

import java.util.Arrays;

/**
 * The header of an IDX file: element type and dimensions, read without the payload.
 *
 * @param type the element type
 * @param dims the dimensions, outermost first (not copied: do not modify)
 */
public record IdxHeader(IdxType type, int[] dims) {

    public int rank() {
        return dims.length;
    }

    /** The number of items: the first dimension. */
    public int count() {
        return dims[0];
    }

    /** Bytes before the payload: the 4-byte magic and 4 bytes per dimension. */
    public int headerBytes() {
        return 4 + 4 * dims.length;
    }

    /** The number of elements the dimensions declare, saturating at Long.MAX_VALUE. */
    public long elementCount() {
        long n = 1;
        for (int d : dims) {
            n = multiplySaturated(n, d);
        }
        return n;
    }

    /** Payload bytes the dimensions declare, saturating at Long.MAX_VALUE. */
    public long payloadBytes() {
        return multiplySaturated(elementCount(), type.size());
    }

    /** "60000x28x28". */
    public String shapeString() {
        return IdxArray.shapeString(dims);
    }

    private static long multiplySaturated(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxHeader other && other.type == type && Arrays.equals(other.dims, dims);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return type + " " + shapeString();
    }
}
