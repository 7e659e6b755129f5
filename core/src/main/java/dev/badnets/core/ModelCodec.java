package dev.badnets.core;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.ejml.data.FMatrixRMaj;

/**
 * Reads and writes a network in the BDNT binary format (see {@code core/MODEL-FORMAT.md}). Streams
 * only: the caller opens and closes them.
 *
 * <p>Version 2, written by {@link #write}; every number big-endian, ints 32-bit signed:
 * <pre>
 *   "BDNT"            4 ASCII bytes (magic)
 *   version           int, 2
 *   loss              int: 0 softmax cross-entropy, 1 mean squared error
 *   input shape       3 ints: channels, height, width
 *   L                 int, number of layers, 1..{@value #MAX_LAYERS}
 *   L times:          kind int, then the kind's ints:
 *                       1 dense     out, activation
 *                       2 conv2d    filters, kernel, stride, padding, activation
 *                       3 maxpool2d window, stride
 *                       4 flatten   (none)
 *                       5 avgpool2d window, stride, padding
 *                       6 global average pooling (none)
 *                       7 channel affine (none; parameters scale and shift, one per channel)
 *                       8 activation activation
 *                       9 normalization C means, then C stds, as float32 bits (C = input channels)
 *                     (activation: 0 identity, 1 relu, 2 sigmoid, 3 tanh, 4 leaky relu)
 *   parameters        float32, layer after layer, each layer's tensors in the order of
 *                     {@link Layer#parameters()}, each row-major
 *   crc               CRC32 of every byte before it, as an unsigned 32-bit int
 * </pre>
 * Version 1 (dense layers only, no input shape) is still read. At most {@value #MAX_PARAMETERS}
 * parameters in all. {@link #read} checks the whole header, every shape included, before reading
 * any parameter, then reads the floats as they arrive (so a file that claims more than it holds
 * allocates no more than it holds), then the checksum, and refuses NaN or infinite parameters;
 * only then does it build the network. Every size a header gives is bounded before anything is
 * allocated for it: layers ({@value #MAX_LAYERS}), widths ({@link #MAX_WIDTH}), values per sample
 * ({@link Shape#MAX_SIZE}), pooling windows ({@link MaxPool2D#MAX_WINDOW}); the network then refuses
 * buffers of more than {@link Network#MAX_FLOATS_PER_SAMPLE} floats per sample before any exists.
 */
public final class ModelCodec {

    static final byte[] MAGIC = "BDNT".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 2;
    static final int KIND_DENSE = 1;
    static final int KIND_CONV = 2;
    static final int KIND_MAXPOOL = 3;
    static final int KIND_FLATTEN = 4;
    static final int KIND_AVGPOOL = 5;
    static final int KIND_GLOBAL_AVGPOOL = 6;
    static final int KIND_AFFINE = 7;
    static final int KIND_ACTIVATION = 8;
    static final int KIND_NORMALIZATION = 9;
    static final int MAX_LAYERS = Network.MAX_LAYERS;
    /** The widest layer a model file may hold (and so {@link Architecture} builds). */
    public static final int MAX_WIDTH = 1 << 20;
    /** The most parameters a model file may hold, and so the most {@link Architecture} builds. */
    public static final long MAX_PARAMETERS = 100_000_000L;

    private ModelCodec() {
    }

    /** Writes {@code net} to {@code out} in version 2 (flushed, not closed). */
    public static void write(Network net, OutputStream out) throws IOException {
        CRC32 crc = new CRC32();
        DataOutputStream data = new DataOutputStream(new CheckedOutputStream(out, crc));
        data.write(MAGIC);
        data.writeInt(VERSION);
        data.writeInt(net.loss().code());
        Shape input = net.inputShape();
        data.writeInt(input.channels());
        data.writeInt(input.height());
        data.writeInt(input.width());
        data.writeInt(net.layerCount());
        for (Layer layer : net.layers()) {
            writeHeader(data, layer);
        }
        for (Layer layer : net.layers()) {
            for (Layer.Parameter p : layer.parameters()) {
                writeFloats(data, p.value());
            }
        }
        data.flush();
        new DataOutputStream(out).writeInt((int) crc.getValue());
        out.flush();
    }

    private static void writeHeader(DataOutputStream data, Layer layer) throws IOException {
        if (layer instanceof DenseLayer) {
            DenseLayer d = (DenseLayer) layer;
            data.writeInt(KIND_DENSE);
            data.writeInt(d.outputs());
            data.writeInt(d.activation().code());
        } else if (layer instanceof Conv2D) {
            Conv2D c = (Conv2D) layer;
            data.writeInt(KIND_CONV);
            data.writeInt(c.filters());
            data.writeInt(c.kernel());
            data.writeInt(c.stride());
            data.writeInt(c.padding());
            data.writeInt(c.activation().code());
        } else if (layer instanceof MaxPool2D) {
            MaxPool2D p = (MaxPool2D) layer;
            data.writeInt(KIND_MAXPOOL);
            data.writeInt(p.window());
            data.writeInt(p.stride());
        } else if (layer instanceof AvgPool2D) {
            AvgPool2D p = (AvgPool2D) layer;
            data.writeInt(KIND_AVGPOOL);
            data.writeInt(p.window());
            data.writeInt(p.stride());
            data.writeInt(p.padding());
        } else if (layer instanceof GlobalAvgPool2D) {
            data.writeInt(KIND_GLOBAL_AVGPOOL);
        } else if (layer instanceof ChannelAffine) {
            data.writeInt(KIND_AFFINE);
        } else if (layer instanceof ActivationLayer) {
            data.writeInt(KIND_ACTIVATION);
            data.writeInt(((ActivationLayer) layer).activation().code());
        } else if (layer instanceof Normalization) {
            Normalization n = (Normalization) layer;
            data.writeInt(KIND_NORMALIZATION);
            for (float v : n.mean()) {
                data.writeFloat(v);
            }
            for (float v : n.std()) {
                data.writeFloat(v);
            }
        } else {
            data.writeInt(KIND_FLATTEN);
        }
    }

    /**
     * Reads a network written by {@link #write} (version 2) or by an earlier build (version 1),
     * consuming exactly its bytes.
     *
     * @throws ModelFormatException if the bytes are not a valid model (wrong magic or version,
     *                              out-of-range sizes, unknown codes, layers that do not fit,
     *                              truncation, bad checksum, non-finite parameters)
     */
    public static Network read(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        DataInputStream data = new DataInputStream(new CheckedInputStream(in, crc));
        byte[] magic = new byte[MAGIC.length];
        readFully(data, magic, "the magic number");
        if (!Arrays.equals(magic, MAGIC)) {
            throw new ModelFormatException("not a badnets model: it does not start with \"BDNT\"");
        }
        int version = readInt(data, "the version");
        if (version != 1 && version != 2) {
            throw new ModelFormatException("unsupported model format version " + version
                    + ": this build reads versions 1 and 2");
        }
        int lossCode = readInt(data, "the loss");
        Loss loss = Loss.fromCode(lossCode);
        if (loss == null) {
            throw new ModelFormatException("unknown loss code " + lossCode + ": expected 0 to "
                    + (Loss.values().length - 1));
        }
        Shape input = version == 1 ? null : readShape(data);
        int layerCount = readInt(data, "the layer count");
        if (layerCount < 1 || layerCount > MAX_LAYERS) {
            throw new ModelFormatException("layer count " + layerCount + " is out of range: expected 1 to " + MAX_LAYERS);
        }
        List<Header> headers = new ArrayList<>();
        Shape shape = input;
        long parameters = 0;
        for (int l = 0; l < layerCount; l++) {
            Header h = version == 1 ? readV1Header(data, l, shape) : readHeader(data, l, shape);
            if (shape == null) {
                shape = h.in;
            }
            headers.add(h);
            shape = h.out;
            parameters += h.parameters();
            if (parameters > MAX_PARAMETERS) {
                throw new ModelFormatException("the model claims more than " + MAX_PARAMETERS
                        + " parameters, the most this reader accepts");
            }
        }
        if (!shape.isFlat()) {
            throw new ModelFormatException("the last layer gives " + shape + ", not a flat vector of class scores");
        }
        // readNBytes grows its buffer as bytes arrive, so a lying header costs no more than the real bytes.
        byte[] payload = data.readNBytes((int) (parameters * Float.BYTES));
        if (payload.length != parameters * Float.BYTES) {
            throw new ModelFormatException("truncated model: expected " + parameters * Float.BYTES
                    + " bytes of parameters, found " + payload.length);
        }
        long expectedCrc = crc.getValue();
        long storedCrc = Integer.toUnsignedLong(readInt(new DataInputStream(in), "the checksum"));
        if (storedCrc != expectedCrc) {
            throw new ModelFormatException(String.format("corrupted model: checksum %08x does not match the "
                    + "contents (%08x)", storedCrc, expectedCrc));
        }
        FloatBuffer floats = ByteBuffer.wrap(payload).asFloatBuffer();
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < layerCount; l++) {
            layers.add(headers.get(l).build(floats, l));
        }
        try {
            return new Network(layers, loss); // refuses buffers beyond Network.MAX_FLOATS_PER_SAMPLE
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("the model is beyond this reader's budget: " + e.getMessage());
        }
    }

    /** One layer's header, its shapes worked out and checked before anything large is allocated. */
    private record Header(int kind, Shape in, Shape out, int[] ints, Activation activation, float[] constants) {

        Header(int kind, Shape in, Shape out, int[] ints, Activation activation) {
            this(kind, in, out, ints, activation, null);
        }

        long parameters() {
            switch (kind) {
                case KIND_DENSE:
                    return ((long) in.size() + 1) * out.size();
                case KIND_CONV:
                    return ((long) ints[1] * ints[1] * in.channels() + 1) * ints[0];
                case KIND_AFFINE:
                    return 2L * in.channels();
                default:
                    return 0;
            }
        }

        Layer build(FloatBuffer floats, int l) throws ModelFormatException {
            switch (kind) {
                case KIND_DENSE:
                    return new DenseLayer(matrix(floats, in.size(), out.size(), l), matrix(floats, 1, out.size(), l),
                            activation);
                case KIND_CONV:
                    int rows = ints[1] * ints[1] * in.channels();
                    return new Conv2D(in, ints[1], ints[2], ints[3], matrix(floats, rows, ints[0], l),
                            matrix(floats, 1, ints[0], l), activation);
                case KIND_MAXPOOL:
                    return new MaxPool2D(in, ints[0], ints[1]);
                case KIND_AVGPOOL:
                    return new AvgPool2D(in, ints[0], ints[1], ints[2]);
                case KIND_GLOBAL_AVGPOOL:
                    return new GlobalAvgPool2D(in);
                case KIND_AFFINE:
                    return new ChannelAffine(in, matrix(floats, 1, in.channels(), l), matrix(floats, 1, in.channels(), l));
                case KIND_ACTIVATION:
                    return new ActivationLayer(in, activation);
                case KIND_NORMALIZATION:
                    int c = in.channels();
                    return new Normalization(in, Arrays.copyOfRange(constants, 0, c), Arrays.copyOfRange(constants, c, 2 * c));
                default:
                    return new Flatten(in);
            }
        }
    }

    private static FMatrixRMaj matrix(FloatBuffer floats, int rows, int cols, int layer) throws ModelFormatException {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        floats.get(m.data, 0, rows * cols);
        for (float v : m.data) {
            if (!Float.isFinite(v)) {
                throw new ModelFormatException("layer " + layer + " has a " + (Float.isNaN(v) ? "NaN" : "infinite")
                        + " parameter: the model is broken (its training diverged)");
            }
        }
        return m;
    }

    private static Shape readShape(DataInputStream data) throws IOException {
        int c = readInt(data, "the input channels");
        int h = readInt(data, "the input height");
        int w = readInt(data, "the input width");
        if (c < 1 || h < 1 || w < 1 || c > MAX_WIDTH || h > MAX_WIDTH || w > MAX_WIDTH
                || (long) c * h * w > Shape.MAX_SIZE) {
            throw new ModelFormatException("input shape " + c + "x" + h + "x" + w + " is out of range: each side 1 to "
                    + MAX_WIDTH + ", at most " + Shape.MAX_SIZE + " values");
        }
        return new Shape(c, h, w);
    }

    /** Version 1: kind (dense), in, out, activation; {@code previous} is null for the first layer. */
    private static Header readV1Header(DataInputStream data, int l, Shape previous) throws IOException {
        int kind = readInt(data, "the kind of layer " + l);
        if (kind != KIND_DENSE) {
            throw new ModelFormatException("unknown kind " + kind + " of layer " + l + ": expected "
                    + KIND_DENSE + " (dense)");
        }
        int in = readInt(data, "the inputs of layer " + l);
        int out = readInt(data, "the outputs of layer " + l);
        Activation activation = activation(readInt(data, "the activation of layer " + l), l);
        if (in < 1 || in > MAX_WIDTH || out < 1 || out > MAX_WIDTH) {
            throw new ModelFormatException("layer " + l + " is " + in + " x " + out
                    + ": inputs and outputs must be in 1 to " + MAX_WIDTH);
        }
        if (previous != null && in != previous.size()) {
            throw new ModelFormatException("layer " + l + " has " + in + " inputs but layer " + (l - 1)
                    + " has " + previous.size() + " outputs");
        }
        return new Header(KIND_DENSE, Shape.flat(in), Shape.flat(out), new int[] {out}, activation);
    }

    private static Header readHeader(DataInputStream data, int l, Shape in) throws IOException {
        int kind = readInt(data, "the kind of layer " + l);
        switch (kind) {
            case KIND_DENSE: {
                int out = readInt(data, "the outputs of layer " + l);
                Activation activation = activation(readInt(data, "the activation of layer " + l), l);
                check(in.isFlat(), l, "is dense but its input is " + in + ", not flat");
                check(out >= 1 && out <= MAX_WIDTH, l, "has " + out + " outputs: expected 1 to " + MAX_WIDTH);
                return new Header(kind, in, Shape.flat(out), new int[] {out}, activation);
            }
            case KIND_CONV: {
                int filters = readInt(data, "the filters of layer " + l);
                int kernel = readInt(data, "the kernel of layer " + l);
                int stride = readInt(data, "the stride of layer " + l);
                int padding = readInt(data, "the padding of layer " + l);
                Activation activation = activation(readInt(data, "the activation of layer " + l), l);
                check(filters >= 1 && filters <= MAX_WIDTH && kernel >= 1 && kernel <= MAX_WIDTH
                        && stride >= 1 && stride <= MAX_WIDTH && padding >= 0 && padding < kernel, l,
                        "is a convolution of " + filters + " filters, kernel " + kernel + ", stride " + stride
                                + ", padding " + padding + ": out of range");
                check(kernel <= in.height() + 2L * padding && kernel <= in.width() + 2L * padding, l,
                        "has a " + kernel + "x" + kernel + " kernel that does not fit its input " + in);
                long h = Conv2D.outputSide(in.height(), kernel, stride, padding);
                long w = Conv2D.outputSide(in.width(), kernel, stride, padding);
                check(h * w * filters <= Shape.MAX_SIZE, l, "gives more than " + Shape.MAX_SIZE + " values per sample");
                return new Header(kind, in, new Shape(filters, (int) h, (int) w),
                        new int[] {filters, kernel, stride, padding}, activation);
            }
            case KIND_MAXPOOL: {
                int window = readInt(data, "the window of layer " + l);
                int stride = readInt(data, "the stride of layer " + l);
                check(window <= MaxPool2D.MAX_WINDOW, l, "is a pooling of window " + window + ": at most "
                        + MaxPool2D.MAX_WINDOW + " allowed");
                check(window >= 1 && stride >= 1 && window <= in.height() && window <= in.width(), l,
                        "is a pooling of window " + window + " and stride " + stride + " that does not fit its input "
                                + in);
                return new Header(kind, in, new Shape(in.channels(), 1 + (in.height() - window) / stride,
                        1 + (in.width() - window) / stride), new int[] {window, stride}, null);
            }
            case KIND_FLATTEN:
                return new Header(kind, in, Shape.flat(in.size()), new int[0], null);
            case KIND_AVGPOOL: {
                int window = readInt(data, "the window of layer " + l);
                int stride = readInt(data, "the stride of layer " + l);
                int padding = readInt(data, "the padding of layer " + l);
                check(window >= 1 && window <= MAX_WIDTH && stride >= 1 && padding >= 0 && padding < window
                        && window <= in.height() + 2L * padding && window <= in.width() + 2L * padding, l,
                        "is an average pooling of window " + window + ", stride " + stride + " and padding " + padding
                                + " that does not fit its input " + in);
                return new Header(kind, in, new Shape(in.channels(), Conv2D.outputSide(in.height(), window, stride, padding),
                        Conv2D.outputSide(in.width(), window, stride, padding)), new int[] {window, stride, padding}, null);
            }
            case KIND_GLOBAL_AVGPOOL:
                return new Header(kind, in, Shape.flat(in.channels()), new int[0], null);
            case KIND_AFFINE:
                return new Header(kind, in, in, new int[0], null);
            case KIND_ACTIVATION:
                return new Header(kind, in, in, new int[0], activation(readInt(data, "the activation of layer " + l), l));
            case KIND_NORMALIZATION:
                return new Header(kind, in, in, new int[0], null, readNormalization(data, l, in.channels()));
            default:
                throw new ModelFormatException("unknown kind " + kind + " of layer " + l
                        + ": expected 1 (dense), 2 (conv2d), 3 (maxpool2d), 4 (flatten), 5 (avgpool2d), "
                        + "6 (global average pooling), 7 (channel affine), 8 (activation) or 9 (normalization)");
        }
    }

    /**
     * A normalisation's C means then C stds. The bytes are read as they arrive (never an array
     * sized by the header up front), so a lying channel count costs no more than the file holds.
     */
    private static float[] readNormalization(DataInputStream data, int l, int channels) throws IOException {
        // Means and stds are read apart: C may reach Shape.MAX_SIZE (2^28), and 2C floats would
        // overflow an int count of bytes.
        float[] means = readNormalizationHalf(data, l, channels);
        float[] stds = readNormalizationHalf(data, l, channels);
        float[] constants = new float[2 * channels];
        System.arraycopy(means, 0, constants, 0, channels);
        System.arraycopy(stds, 0, constants, channels, channels);
        for (int i = 0; i < constants.length; i++) {
            float v = constants[i];
            check(Float.isFinite(v) && (i < channels || v != 0f), l, "normalizes channel " + (i % channels) + " with "
                    + (i < channels ? "mean " : "std ") + v + ": expected a finite mean and a finite, non-zero std");
        }
        return constants;
    }

    private static float[] readNormalizationHalf(DataInputStream data, int l, int channels) throws IOException {
        byte[] bytes = data.readNBytes(channels * Float.BYTES);
        if (bytes.length != channels * Float.BYTES) {
            throw new ModelFormatException("truncated model: the file ends inside the normalization of layer " + l);
        }
        float[] half = new float[channels];
        ByteBuffer.wrap(bytes).asFloatBuffer().get(half);
        return half;
    }

    private static void check(boolean ok, int layer, String problem) throws ModelFormatException {
        if (!ok) {
            throw new ModelFormatException("layer " + layer + " " + problem);
        }
    }

    private static Activation activation(int code, int layer) throws ModelFormatException {
        Activation activation = Activation.fromCode(code);
        if (activation == null) {
            throw new ModelFormatException("unknown activation code " + code + " of layer " + layer
                    + ": expected 0 to " + (Activation.values().length - 1));
        }
        return activation;
    }

    private static void writeFloats(DataOutputStream out, FMatrixRMaj m) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(m.getNumElements() * Float.BYTES);
        bytes.asFloatBuffer().put(m.data, 0, m.getNumElements());
        out.write(bytes.array());
    }

    private static int readInt(DataInputStream in, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new ModelFormatException("truncated model: the file ends before " + what);
        }
    }

    private static void readFully(DataInputStream in, byte[] dst, String what) throws IOException {
        try {
            in.readFully(dst);
        } catch (EOFException e) {
            throw new ModelFormatException("truncated model: the file ends before " + what);
        }
    }
}
