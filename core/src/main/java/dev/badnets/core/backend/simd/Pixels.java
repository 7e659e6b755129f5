package dev.badnets.core.backend.simd;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link dev.badnets.core.backend.MatrixBackend#unsignedBytesToFloats} V bytes at a time: widened
 * to ints (sign-extended, then masked to 0-255), converted to floats exactly, and multiplied by the
 * scale, the reference's float product, so the results are the same bit for bit. The JIT does not
 * vectorise the reference's loop (bytes in, floats out), which took half of a batch's gathering.
 */
final class Pixels {

    private static final int V = Kernels.V;
    /** V bytes: 128 bits for 16 floats, 64 for 8; none for 4 (no 32-bit vectors), which stay scalar. */
    private static final VectorSpecies<Byte> BYTES = V >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * V)) : null;
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, Kernels.SPECIES.vectorShape());

    private Pixels() {
    }

    /** The first {@code n - n % V} values (none without a byte species this narrow); returns how many were done. */
    public static int unsignedBytesToFloats(byte[] src, int from, float[] dst, int offset, int n, float scale) {
        if (BYTES == null) {
            return 0;
        }
        int j = 0;
        for (; j + V <= n; j += V) {
            IntVector widened = (IntVector) ByteVector.fromArray(BYTES, src, from + j)
                    .convertShape(VectorOperators.B2I, INTS, 0);
            FloatVector values = (FloatVector) widened.lanewise(VectorOperators.AND, 0xFF)
                    .convert(VectorOperators.I2F, 0);
            values.mul(scale).intoArray(dst, offset + j);
        }
        return j;
    }
}
