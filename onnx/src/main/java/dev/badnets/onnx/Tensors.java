package dev.badnets.onnx;

import dev.badnets.onnx.proto.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decoding ONNX tensors (initializers and constants) into Java arrays, without trusting their
 * declared dimensions: the number of elements the dimensions give must equal the number of values
 * the file actually holds, so nothing is allocated beyond what the file's bytes contain. Values are
 * little-endian in {@code raw_data} (the ONNX specification), or in the typed repeated fields.
 */
final class Tensors {

    private Tensors() {
    }

    /** A decoded constant: its dimensions and its values as floats or longs (the other null). */
    record Constant(long[] dims, float[] floats, long[] longs) {

        long size() {
            return floats != null ? floats.length : longs.length;
        }

        /** The constant's values as floats (longs converted). */
        float[] asFloats() {
            if (floats != null) {
                return floats;
            }
            float[] f = new float[longs.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = longs[i];
            }
            return f;
        }
    }

    /**
     * The tensor's dimensions and values; {@code what} names it in messages.
     *
     * @throws OnnxFormatException for external data, an unsupported data type, negative dimensions,
     *                             or dimensions that do not match the values present
     */
    static Constant decode(TensorProto t, String what) throws OnnxFormatException {
        if (t.getExternalDataCount() > 0 || t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new OnnxFormatException(what + " keeps its values in an external file (external_data): refused, "
                    + "this reader never opens a path named by a model; save the model with its weights inside");
        }
        long[] dims = new long[t.getDimsCount()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
            if (dims[i] < 0) {
                throw new OnnxFormatException(what + " has a negative dimension " + dims[i]);
            }
            if (count == 0 || dims[i] == 0) {
                count = 0;
            } else if (count == Long.MAX_VALUE || count > Integer.MAX_VALUE / dims[i]) {
                count = Long.MAX_VALUE; // more than an array holds: can never match the values present
            } else {
                count *= dims[i];
            }
        }
        int type = t.getDataType();
        switch (type) {
            case TensorProto.DataType.FLOAT_VALUE: {
                boolean raw = t.hasRawData();
                long present = raw ? t.getRawData().size() / Float.BYTES : t.getFloatDataCount();
                checkCount(what, dims, count, present, raw && t.getRawData().size() % Float.BYTES != 0);
                float[] values = new float[(int) count];
                if (raw) {
                    t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
                } else {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = t.getFloatData(i);
                    }
                }
                return new Constant(dims, values, null);
            }
            case TensorProto.DataType.DOUBLE_VALUE: {
                boolean raw = t.hasRawData();
                long present = raw ? t.getRawData().size() / Double.BYTES : t.getDoubleDataCount();
                checkCount(what, dims, count, present, raw && t.getRawData().size() % Double.BYTES != 0);
                float[] values = new float[(int) count];
                ByteBuffer bytes = raw ? t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN) : null;
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (raw ? bytes.getDouble(i * Double.BYTES) : t.getDoubleData(i));
                }
                return new Constant(dims, values, null);
            }
            case TensorProto.DataType.INT64_VALUE:
            case TensorProto.DataType.INT32_VALUE: {
                boolean wide = type == TensorProto.DataType.INT64_VALUE;
                int width = wide ? Long.BYTES : Integer.BYTES;
                boolean raw = t.hasRawData();
                long present = raw ? t.getRawData().size() / width : wide ? t.getInt64DataCount() : t.getInt32DataCount();
                checkCount(what, dims, count, present, raw && t.getRawData().size() % width != 0);
                long[] values = new long[(int) count];
                ByteBuffer bytes = raw ? t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN) : null;
                for (int i = 0; i < values.length; i++) {
                    values[i] = raw ? (wide ? bytes.getLong(i * width) : bytes.getInt(i * width))
                            : wide ? t.getInt64Data(i) : t.getInt32Data(i);
                }
                return new Constant(dims, null, values);
            }
            default:
                throw new OnnxFormatException(what + " has data type " + typeName(type)
                        + ": this reader takes float, double, int32 and int64 tensors");
        }
    }

    private static void checkCount(String what, long[] dims, long count, long present, boolean ragged)
            throws OnnxFormatException {
        if (ragged || count != present) {
            throw new OnnxFormatException(what + " declares dimensions " + java.util.Arrays.toString(dims) + " ("
                    + (count == Long.MAX_VALUE ? "more than 2^31" : Long.toString(count)) + " values) but holds "
                    + present + (ragged ? " and a partial one" : ""));
        }
    }

    /** The ONNX name of a tensor data type, e.g. {@code STRING}, or its number when unknown. */
    static String typeName(int type) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(type);
        return t == null ? "number " + type : t.name();
    }

    /** A float tensor of the given dimensions, values in raw little-endian bytes. */
    static TensorProto floats(String name, float[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(com.google.protobuf.ByteString.copyFrom(bytes.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }
}
