package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Every documented refusal of {@link ModelCodec#read} on version-2 headers, one field at a time at
 * and just past its limits: each a {@link ModelFormatException} naming the problem, never another
 * exception from deeper down (a {@link Shape} or a layer constructor refusing what the reader let
 * through), and the limits themselves accepted.
 */
class ModelCodecRefusalTest {

    private static final int MAX = ModelCodec.MAX_WIDTH;
    /** The first activation code past the last. */
    private static final int ACTIVATIONS = Activation.values().length;

    /** A version-2 file: loss 0, the input shape, the layers' fields, {@code floats} zero parameters and a correct checksum. */
    static byte[] forged(int[] shape, int[][] layerFields, int floats) {
        return forged(2, 0, shape, layerFields.length, layerFields, floats);
    }

    /**
     * A file of any version: the magic, version, loss, input shape (empty for version 1), layer
     * count, the layers' fields, {@code floats} zero parameters and a correct checksum.
     */
    static byte[] forged(int version, int loss, int[] shape, int layers, int[][] layerFields, int floats) {
        int ints = 3 + shape.length;
        for (int[] fields : layerFields) {
            ints += fields.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(4 + 4 * ints + 4 * floats + 4);
        buf.put(ModelCodec.MAGIC).putInt(version).putInt(loss);
        for (int side : shape) {
            buf.putInt(side);
        }
        buf.putInt(layers);
        for (int[] fields : layerFields) {
            for (int field : fields) {
                buf.putInt(field);
            }
        }
        buf.position(buf.position() + 4 * floats);
        CRC32 crc = new CRC32();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        return buf.array();
    }

    private static String refusal(byte[] bytes) {
        return assertThrows(ModelFormatException.class, () -> ModelCodec.read(new ByteArrayInputStream(bytes))).getMessage();
    }

    private static Network read(byte[] bytes) throws IOException {
        return ModelCodec.read(new ByteArrayInputStream(bytes));
    }

    @Test
    void refusesInputShapesOutOfRange() throws IOException {
        int[][] dense = {{1, 2, 0}};
        String range = " is out of range: each side 1 to 1048576, at most 268435456 values";
        for (int[] shape : new int[][] {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}, {-1, 1, 1}, {MAX + 1, 1, 1}, {1, MAX + 1, 1},
            {1, 1, MAX + 1}, {1 << 15, 1 << 13, 2}}) {
            assertEquals("input shape " + shape[0] + "x" + shape[1] + "x" + shape[2] + range,
                    refusal(forged(shape, dense, 0)), Arrays.toString(shape));
        }
        // at the limits: a side of 2^20, 2^28 values (a 1x1 pooling keeps them, a flatten makes a vector)
        int floats = (MAX + 1) * 2;
        assertEquals("1048576 dense2:identity", read(forged(new int[] {MAX, 1, 1}, dense, floats)).spec());
        assertEquals(new Shape(1, 1, MAX), read(forged(new int[] {1, 1, MAX}, new int[][] {{4}, {1, 2, 0}}, floats)).inputShape());
        assertEquals(new Shape(1, MAX, 1), read(forged(new int[] {1, MAX, 1}, new int[][] {{4}, {1, 2, 0}}, floats)).inputShape());
    }

    @Test
    void refusesDenseLayersOutOfRange() throws IOException {
        assertEquals("layer 0 has 0 outputs: expected 1 to 1048576", refusal(forged(new int[] {3, 1, 1}, new int[][] {{1, 0, 0}}, 0)));
        assertEquals("layer 0 has 1048577 outputs: expected 1 to 1048576",
                refusal(forged(new int[] {3, 1, 1}, new int[][] {{1, MAX + 1, 0}}, 0)));
        assertEquals("layer 1 is dense but its input is 1x3x3, not flat",
                refusal(forged(new int[] {1, 3, 3}, new int[][] {{3, 1, 1}, {1, 2, 0}}, 0)));
        assertEquals("unknown activation code -1 of layer 0: expected 0 to " + (ACTIVATIONS - 1),
                refusal(forged(new int[] {3, 1, 1}, new int[][] {{1, 2, -1}}, 0)));
        assertEquals("unknown activation code " + ACTIVATIONS + " of layer 0: expected 0 to " + (ACTIVATIONS - 1),
                refusal(forged(new int[] {3, 1, 1}, new int[][] {{1, 2, ACTIVATIONS}}, 0)));
        // the widest layer the format holds: 1 x 2^20 (2^21 parameters)
        Network wide = read(forged(new int[] {1, 1, 1}, new int[][] {{1, MAX, 3}}, 2 * MAX));
        assertEquals(MAX, wide.classes());
        assertEquals(Activation.TANH, ((DenseLayer) wide.layer(0)).activation());
    }

    @Test
    void refusesConvolutionsOutOfRange() throws IOException {
        int[] image = {1, 4, 4};
        String[][] cases = {
            // filters, kernel, stride, padding, activation -> message
            {"0 3 1 1 1", "layer 0 is a convolution of 0 filters, kernel 3, stride 1, padding 1: out of range"},
            {"1048577 3 1 1 1", "layer 0 is a convolution of 1048577 filters, kernel 3, stride 1, padding 1: out of range"},
            {"2 0 1 0 1", "layer 0 is a convolution of 2 filters, kernel 0, stride 1, padding 0: out of range"},
            {"2 1048577 1 1 1", "layer 0 is a convolution of 2 filters, kernel 1048577, stride 1, padding 1: out of range"},
            {"2 3 0 1 1", "layer 0 is a convolution of 2 filters, kernel 3, stride 0, padding 1: out of range"},
            {"2 3 1048577 1 1", "layer 0 is a convolution of 2 filters, kernel 3, stride 1048577, padding 1: out of range"},
            {"2 3 1 -1 1", "layer 0 is a convolution of 2 filters, kernel 3, stride 1, padding -1: out of range"},
            {"2 3 1 3 1", "layer 0 is a convolution of 2 filters, kernel 3, stride 1, padding 3: out of range"},
            {"2 7 1 1 1", "layer 0 has a 7x7 kernel that does not fit its input 1x4x4"},
            {"2 3 1 1 " + ACTIVATIONS, "unknown activation code " + ACTIVATIONS + " of layer 0: expected 0 to " + (ACTIVATIONS - 1)},
        };
        for (String[] c : cases) {
            int[] f = Arrays.stream(c[0].split(" ")).mapToInt(Integer::parseInt).toArray();
            int[][] layers = {{2, f[0], f[1], f[2], f[3], f[4]}, {4}, {1, 2, 0}};
            assertEquals(c[1], refusal(forged(image, layers, 0)), c[0]);
        }
        // a kernel as wide as the padded input fits, in either direction
        assertEquals(new Shape(2, 1, 2), read(forged(new int[] {1, 4, 5}, new int[][] {{2, 2, 6, 1, 1, 1}, {4}, {1, 2, 0}},
                (36 + 1) * 2 + (4 + 1) * 2)).layer(0).outputShape());
        assertEquals("layer 0 has a 7x7 kernel that does not fit its input 1x4x5", refusal(forged(new int[] {1, 4, 5},
                new int[][] {{2, 2, 7, 1, 1, 1}, {4}, {1, 2, 0}}, 0)));
        assertEquals("layer 0 has a 7x7 kernel that does not fit its input 1x5x4", refusal(forged(new int[] {1, 5, 4},
                new int[][] {{2, 2, 7, 1, 1, 1}, {4}, {1, 2, 0}}, 0)));
        // 2^20 filters of 1x1 over a 16x16 image: 2^28 values per sample are the most a layer may give
        assertEquals("layer 0 gives more than 268435456 values per sample", refusal(forged(new int[] {1, 16, 17},
                new int[][] {{2, MAX, 1, 1, 0, 1}, {4}, {1, 2, 0}}, 0)));
        assertEquals("layer 0 gives more than 268435456 values per sample", refusal(forged(new int[] {1, 17, 16},
                new int[][] {{2, MAX, 1, 1, 0, 1}, {4}, {1, 2, 0}}, 0)));
    }

    @Test
    void refusesPoolingsOutOfRange() throws IOException {
        int[] image = {2, 4, 5};
        String[][] cases = {
            {"0 1", "layer 0 is a pooling of window 0 and stride 1 that does not fit its input 2x4x5"},
            {"2 0", "layer 0 is a pooling of window 2 and stride 0 that does not fit its input 2x4x5"},
            {"5 1", "layer 0 is a pooling of window 5 and stride 1 that does not fit its input 2x4x5"},
            {"6 1", "layer 0 is a pooling of window 6 and stride 1 that does not fit its input 2x4x5"},
        };
        for (String[] c : cases) {
            int[] f = Arrays.stream(c[0].split(" ")).mapToInt(Integer::parseInt).toArray();
            assertEquals(c[1], refusal(forged(image, new int[][] {{3, f[0], f[1]}, {4}, {1, 2, 0}}, 0)), c[0]);
        }
        assertEquals("layer 0 is a pooling of window 5 and stride 1 that does not fit its input 2x5x4",
                refusal(forged(new int[] {2, 5, 4}, new int[][] {{3, 5, 1}, {4}, {1, 2, 0}}, 0)));
        // the window as tall as the input fits; the output is 1 + (side - window) / stride
        Network net = read(forged(image, new int[][] {{3, 4, 2}, {4}, {1, 2, 0}}, (2 + 1) * 2));
        assertEquals(new Shape(2, 1, 1), net.layer(0).outputShape());
        assertEquals("2x4x5 pool4s2,flatten,dense2:identity", net.spec());
    }

    /** The last layer must give a vector of class scores: a convolution or pooling last is refused, not built. */
    @Test
    void refusesALastLayerThatIsNotFlat() throws IOException {
        assertEquals("the last layer gives 2x3x4, not a flat vector of class scores",
                refusal(forged(new int[] {2, 3, 4}, new int[][] {{3, 1, 1}}, 0)));
        assertEquals("the last layer gives 2x2x3, not a flat vector of class scores",
                refusal(forged(new int[] {2, 3, 4}, new int[][] {{3, 2, 1}}, 0)));
        // a 1x1 image whose last layer is a pooling is a vector already
        assertEquals(3, read(forged(new int[] {3, 1, 1}, new int[][] {{3, 1, 1}}, 0)).classes());
    }

    /** Any prefix of a convolutional model, header or parameters, is a truncated model. */
    @Test
    void refusesEveryTruncationOfAConvolutionalModel() throws IOException {
        Network net = Architecture.build(new Shape(2, 5, 5), "conv2x3,pool2s1,dense3", 2, 1);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ModelCodec.write(net, out);
        byte[] b = out.toByteArray();
        for (int length = 0; length < b.length; length++) {
            String message = refusal(Arrays.copyOf(b, length));
            assertTrue(message.startsWith("truncated model"), length + " bytes: " + message);
        }
        assertArrayEquals(b, roundTrip(b));
    }

    private static byte[] roundTrip(byte[] b) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ModelCodec.write(read(b), out);
        return out.toByteArray();
    }

    /** Loss and activation codes name their valid range: negative codes and the first code past the last are refused. */
    @Test
    void refusesCodesJustOutOfRange() throws IOException {
        assertEquals(null, Loss.fromCode(-1));
        assertEquals(null, Loss.fromCode(Loss.values().length));
        assertEquals(Loss.SOFTMAX_CROSS_ENTROPY, Loss.fromCode(0));
        assertEquals(Loss.MEAN_SQUARED_ERROR, Loss.fromCode(1));
        assertEquals(null, Activation.fromCode(-1));
        assertEquals(null, Activation.fromCode(Activation.values().length));
        for (Activation a : Activation.values()) {
            assertEquals(a, Activation.fromCode(a.code()));
        }
        byte[] b = forged(new int[] {3, 1, 1}, new int[][] {{1, 2, 0}}, 8);
        for (int loss : new int[] {-1, 2}) {
            ByteBuffer.wrap(b).putInt(8, loss);
            CRC32 crc = new CRC32();
            crc.update(b, 0, b.length - 4);
            ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
            assertEquals("unknown loss code " + loss + ": expected 0 to 1", refusal(b));
        }
    }

    /** A version-1 file (dense layers: kind, in, out, activation), as {@link #forged} for version 2. */
    private static byte[] forgedV1(int[][] layerFields) {
        ByteBuffer buf = ByteBuffer.allocate(16 + 16 * layerFields.length + 4);
        buf.put(ModelCodec.MAGIC).putInt(1).putInt(0).putInt(layerFields.length);
        for (int[] fields : layerFields) {
            for (int field : fields) {
                buf.putInt(field);
            }
        }
        CRC32 crc = new CRC32();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        return buf.array();
    }

    @Test
    void refusesVersion1LayersOutOfRange() {
        String range = ": inputs and outputs must be in 1 to 1048576";
        assertEquals("layer 0 is 2 x 0" + range, refusal(forgedV1(new int[][] {{1, 2, 0, 0}})));
        assertEquals("layer 0 is 2 x 1048577" + range, refusal(forgedV1(new int[][] {{1, 2, MAX + 1, 0}})));
        assertEquals("layer 0 is 1048577 x 2" + range, refusal(forgedV1(new int[][] {{1, MAX + 1, 2, 0}})));
        assertEquals("unknown activation code " + ACTIVATIONS + " of layer 0: expected 0 to " + (ACTIVATIONS - 1),
                refusal(forgedV1(new int[][] {{1, 2, 2, ACTIVATIONS}})));
        // the widest layers pass the check (then the file holds none of their parameters)
        assertTrue(refusal(forgedV1(new int[][] {{1, MAX, 2, 0}})).startsWith("truncated model"));
        assertTrue(refusal(forgedV1(new int[][] {{1, 2, MAX, 0}})).startsWith("truncated model"));
    }

    /** Exactly 100 M parameters is the most a file may claim: it is read (and found truncated here), one more is refused. */
    @Test
    void theParameterLimitIsInclusive() {
        // (the 4 bytes found are the checksum's)
        assertEquals("truncated model: expected 400000000 bytes of parameters, found 4",
                refusal(forgedV1(new int[][] {{1, 99, 1_000_000, 0}})));
        assertEquals("the model claims more than 100000000 parameters, the most this reader accepts",
                refusal(forgedV1(new int[][] {{1, 99, 1_000_000, 1}, {1, 1_000_000, 1, 0}})));
    }
}
