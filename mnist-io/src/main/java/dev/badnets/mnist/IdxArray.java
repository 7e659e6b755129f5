package dev.badnets.mnist;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * An n-dimensional array as stored in an IDX file: an element type, dimensions (rank 1 to 255) and a
 * row-major payload kept in its natural primitive array: {@code byte[]} for unsigned and signed bytes,
 * {@code short[]}, {@code int[]}, {@code float[]} or {@code double[]}.
 *
 * <p>The payload is shared, not copied: the accessors return the array itself, so a caller can read
 * millions of pixels without a copy (and must not modify it if others hold the same array).
 */
public final class IdxArray {
    private final IdxType type;
    private final int[] dims;
    private final Object payload;

    private IdxArray(IdxType type, int[] dims, Object payload, int payloadLength) {
        this.type = Objects.requireNonNull(type, "type");
        Objects.requireNonNull(dims, "dims");
        if (dims.length < 1 || dims.length > 255) {
            throw new IllegalArgumentException("an IDX array has rank 1 to 255, got " + dims.length);
        }
        long elements = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("dimensions must be >= 0, got " + Arrays.toString(dims));
            }
            elements = Math.min(elements * d, Long.MAX_VALUE / Integer.MAX_VALUE); // saturate, no overflow
        }
        if (elements != payloadLength) {
            throw new IllegalArgumentException("dimensions " + shapeString(dims) + " hold " + elements
                    + " elements but the payload has " + payloadLength);
        }
        this.dims = dims.clone();
        this.payload = payload;
    }

    /** Unsigned bytes (type 0x08), e.g. MNIST images and labels; read a value with {@code b & 0xFF}. */
    public static IdxArray ofUnsignedBytes(byte[] data, int... dims) {
        return new IdxArray(IdxType.UNSIGNED_BYTE, dims, data, data.length);
    }

    /** Signed bytes (type 0x09). */
    public static IdxArray ofSignedBytes(byte[] data, int... dims) {
        return new IdxArray(IdxType.SIGNED_BYTE, dims, data, data.length);
    }

    /** Shorts (type 0x0B). */
    public static IdxArray ofShorts(short[] data, int... dims) {
        return new IdxArray(IdxType.SHORT, dims, data, data.length);
    }

    /** Ints (type 0x0C). */
    public static IdxArray ofInts(int[] data, int... dims) {
        return new IdxArray(IdxType.INT, dims, data, data.length);
    }

    /** Floats (type 0x0D). */
    public static IdxArray ofFloats(float[] data, int... dims) {
        return new IdxArray(IdxType.FLOAT, dims, data, data.length);
    }

    /** Doubles (type 0x0E). */
    public static IdxArray ofDoubles(double[] data, int... dims) {
        return new IdxArray(IdxType.DOUBLE, dims, data, data.length);
    }

    public IdxType type() {
        return type;
    }

    /** A copy of the dimensions, outermost first. */
    public int[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i];
    }

    /** The number of items: the first dimension (60000 for MNIST's training images). */
    public int count() {
        return dims[0];
    }

    /** The shape of one item: the dimensions after the first ({28, 28} for MNIST images, {} for labels). */
    public int[] itemShape() {
        return Arrays.copyOfRange(dims, 1, dims.length);
    }

    /** The number of elements in one item (784 for MNIST images, 1 for labels). */
    public int itemLength() {
        int n = 1;
        for (int i = 1; i < dims.length; i++) {
            n *= dims[i];
        }
        return n;
    }

    /** The total number of elements. */
    public int length() {
        switch (type) {
            case UNSIGNED_BYTE:
            case SIGNED_BYTE:
                return ((byte[]) payload).length;
            case SHORT:
                return ((short[]) payload).length;
            case INT:
                return ((int[]) payload).length;
            case FLOAT:
                return ((float[]) payload).length;
            default:
                return ((double[]) payload).length;
        }
    }

    /** The payload of an unsigned or signed byte array (shared, not copied). */
    public byte[] bytes() {
        requireType("bytes()", IdxType.UNSIGNED_BYTE, IdxType.SIGNED_BYTE);
        return (byte[]) payload;
    }

    /** The payload of a short array (shared, not copied). */
    public short[] shorts() {
        requireType("shorts()", IdxType.SHORT);
        return (short[]) payload;
    }

    /** The payload of an int array (shared, not copied). */
    public int[] ints() {
        requireType("ints()", IdxType.INT);
        return (int[]) payload;
    }

    /** The payload of a float array (shared, not copied). */
    public float[] floats() {
        requireType("floats()", IdxType.FLOAT);
        return (float[]) payload;
    }

    /** The payload of a double array (shared, not copied). */
    public double[] doubles() {
        requireType("doubles()", IdxType.DOUBLE);
        return (double[]) payload;
    }

    /** Element {@code i} of the row-major payload as a double, whatever the type (unsigned bytes as 0-255). */
    public double get(int i) {
        switch (type) {
            case UNSIGNED_BYTE:
                return ((byte[]) payload)[i] & 0xFF;
            case SIGNED_BYTE:
                return ((byte[]) payload)[i];
            case SHORT:
                return ((short[]) payload)[i];
            case INT:
                return ((int[]) payload)[i];
            case FLOAT:
                return ((float[]) payload)[i];
            default:
                return ((double[]) payload)[i];
        }
    }

    /** "60000x28x28". */
    public String shapeString() {
        return shapeString(dims);
    }

    static String shapeString(int[] dims) {
        return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    }

    private void requireType(String accessor, IdxType... allowed) {
        for (IdxType t : allowed) {
            if (t == type) {
                return;
            }
        }
        throw new IllegalStateException(accessor + " called on an IDX array of " + type);
    }

    /** Equal when type, dimensions and every payload element are equal (floats and doubles as {@link Arrays#equals(float[], float[])} compares them). */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof IdxArray)) {
            return false;
        }
        IdxArray other = (IdxArray) o;
        if (type != other.type || !Arrays.equals(dims, other.dims)) {
            return false;
        }
        switch (type) {
            case UNSIGNED_BYTE:
            case SIGNED_BYTE:
                return Arrays.equals((byte[]) payload, (byte[]) other.payload);
            case SHORT:
                return Arrays.equals((short[]) payload, (short[]) other.payload);
            case INT:
                return Arrays.equals((int[]) payload, (int[]) other.payload);
            case FLOAT:
                return Arrays.equals((float[]) payload, (float[]) other.payload);
            default:
                return Arrays.equals((double[]) payload, (double[]) other.payload);
        }
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return "IdxArray[" + type + ", " + shapeString() + "]";
    }
}
