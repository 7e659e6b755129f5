package dev.badnets.core;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.ejml.data.FMatrixRMaj;

/**
 * Reads and writes a network in the BDNT binary format. Streams only: the caller opens, closes
 * and (for files) writes to a temporary file and renames.
 *
 * <p>Format, version 1; every number big-endian, ints are 32-bit signed:
 * <pre>
 *   "BDNT"            4 ASCII bytes (magic)
 *   version           int, 1
 *   loss              int: 0 softmax cross-entropy, 1 mean squared error
 *   L                 int, number of layers, 1..{@value #MAX_LAYERS}
 *   L times:          kind int (1 = dense), in int, out int, activation int
 *                     (0 identity, 1 relu, 2 sigmoid, 3 tanh); in and out in 1..2^20,
 *                     each layer's in equal to the previous layer's out
 *   L times:          W: in*out float32, row-major (in rows of out), then b: out float32
 *   crc               CRC32 of every byte before it, as an unsigned 32-bit int
 * </pre>
 * At most {@value #MAX_PARAMETERS} parameters in all. {@link #read} checks the header against
 * these limits first, then reads the floats in chunks (so a file that claims more than it holds
 * allocates no more than it holds), then the checksum, and only then builds the network.
 */
public final class ModelCodec {

    static final byte[] MAGIC = "BDNT".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int KIND_DENSE = 1;
    static final int MAX_LAYERS = 1024;
    static final int MAX_WIDTH = 1 << 20;
    static final long MAX_PARAMETERS = 100_000_000L;

    private ModelCodec() {
    }

    /** Writes {@code net} to {@code out} (flushed, not closed). */
    public static void write(Network net, OutputStream out) throws IOException {
        CRC32 crc = new CRC32();
        DataOutputStream data = new DataOutputStream(new CheckedOutputStream(out, crc));
        data.write(MAGIC);
        data.writeInt(VERSION);
        data.writeInt(net.loss().code());
        data.writeInt(net.layerCount());
        for (int l = 0; l < net.layerCount(); l++) {
            DenseLayer layer = net.layer(l);
            data.writeInt(KIND_DENSE);
            data.writeInt(layer.inputs());
            data.writeInt(layer.outputs());
            data.writeInt(layer.activation().code());
        }
        for (int l = 0; l < net.layerCount(); l++) {
            writeFloats(data, net.layer(l).weights());
            writeFloats(data, net.layer(l).bias());
        }
        data.flush();
        new DataOutputStream(out).writeInt((int) crc.getValue());
        out.flush();
    }

    /**
     * Reads a network written by {@link #write}, consuming exactly its bytes.
     *
     * @throws ModelFormatException if the bytes are not a valid model (wrong magic or version,
     *                              out-of-range sizes, unknown codes, truncation, bad checksum)
     */
    public static Network read(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        DataInputStream data = new DataInputStream(new CheckedInputStream(in, crc));
        byte[] magic = new byte[MAGIC.length];
        readFully(data, magic, "the magic number");
        if (!Arrays.equals(magic, MAGIC)) {
            throw new ModelFormatException("not a badnets model: it does not start with \"BDNT\"; "
                    + "pass a file written by ModelCodec.write (./badnets train --out)");
        }
        int version = readInt(data, "the version");
        if (version != VERSION) {
            throw new ModelFormatException("unsupported model format version " + version
                    + ": this build reads version " + VERSION);
        }
        int lossCode = readInt(data, "the loss");
        Loss loss = Loss.fromCode(lossCode);
        if (loss == null) {
            throw new ModelFormatException("unknown loss code " + lossCode + ": expected 0 to "
                    + (Loss.values().length - 1));
        }
        int layerCount = readInt(data, "the layer count");
        if (layerCount < 1 || layerCount > MAX_LAYERS) {
            throw new ModelFormatException("layer count " + layerCount + " is out of range: expected 1 to " + MAX_LAYERS);
        }
        int[] ins = new int[layerCount];
        int[] outs = new int[layerCount];
        Activation[] activations = new Activation[layerCount];
        long parameters = 0;
        for (int l = 0; l < layerCount; l++) {
            int kind = readInt(data, "the kind of layer " + l);
            if (kind != KIND_DENSE) {
                throw new ModelFormatException("unknown kind " + kind + " of layer " + l + ": expected "
                        + KIND_DENSE + " (dense)");
            }
            ins[l] = readInt(data, "the inputs of layer " + l);
            outs[l] = readInt(data, "the outputs of layer " + l);
            int activationCode = readInt(data, "the activation of layer " + l);
            if (ins[l] < 1 || ins[l] > MAX_WIDTH || outs[l] < 1 || outs[l] > MAX_WIDTH) {
                throw new ModelFormatException("layer " + l + " is " + ins[l] + " x " + outs[l]
                        + ": inputs and outputs must be in 1 to " + MAX_WIDTH);
            }
            if (l > 0 && ins[l] != outs[l - 1]) {
                throw new ModelFormatException("layer " + l + " has " + ins[l] + " inputs but layer " + (l - 1)
                        + " has " + outs[l - 1] + " outputs");
            }
            activations[l] = Activation.fromCode(activationCode);
            if (activations[l] == null) {
                throw new ModelFormatException("unknown activation code " + activationCode + " of layer " + l
                        + ": expected 0 to " + (Activation.values().length - 1));
            }
            parameters += (long) ins[l] * outs[l] + outs[l];
            if (parameters > MAX_PARAMETERS) {
                throw new ModelFormatException("the model claims more than " + MAX_PARAMETERS
                        + " parameters, the most this reader accepts");
            }
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
        ByteBuffer floats = ByteBuffer.wrap(payload);
        List<DenseLayer> layers = new ArrayList<>();
        for (int l = 0; l < layerCount; l++) {
            FMatrixRMaj w = new FMatrixRMaj(ins[l], outs[l]);
            FMatrixRMaj b = new FMatrixRMaj(1, outs[l]);
            floats.asFloatBuffer().get(w.data);
            floats.position(floats.position() + w.data.length * Float.BYTES);
            floats.asFloatBuffer().get(b.data);
            floats.position(floats.position() + b.data.length * Float.BYTES);
            layers.add(new DenseLayer(w, b, activations[l]));
        }
        return new Network(layers, loss);
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
