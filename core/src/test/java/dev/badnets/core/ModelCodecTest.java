package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ModelCodecTest {

    static byte[] bytes(Network net) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCodec.write(net, out);
        return out.toByteArray();
    }

    static Network read(byte[] bytes) throws IOException {
        return ModelCodec.read(new ByteArrayInputStream(bytes));
    }

    @Test
    void saveLoadPredictGivesIdenticalOutputs() throws IOException {
        Samples data = TrainerTest.randomSamples(200, 12, 3, 5);
        Network net = Network.mlp(12, new int[] {16, 8}, 3, 1);
        Trainer.train(net, data, TrainingConfig.defaults().withEpochs(2).withBatchSize(16), null);

        Network loaded = read(bytes(net));

        assertEquals(net.spec(), loaded.spec());
        assertEquals(net.loss(), loaded.loss());
        for (int l = 0; l < net.layerCount(); l++) {
            assertEquals(((DenseLayer) net.layer(l)).activation(), ((DenseLayer) loaded.layer(l)).activation());
            assertArrayEquals(((DenseLayer) net.layer(l)).weights().data, ((DenseLayer) loaded.layer(l)).weights().data);
            assertArrayEquals(((DenseLayer) net.layer(l)).bias().data, ((DenseLayer) loaded.layer(l)).bias().data);
        }
        assertArrayEquals(Evaluator.probabilities(net, data), Evaluator.probabilities(loaded, data));
        assertArrayEquals(Evaluator.predict(net, data), Evaluator.predict(loaded, data));
    }

    @Property(tries = 100)
    void everyNetworkSurvivesARoundTrip(@ForAll @Size(min = 2, max = 5) List<@IntRange(min = 1, max = 20) Integer> widths,
                                        @ForAll Activation hidden, @ForAll Activation output, @ForAll Loss loss,
                                        @ForAll long seed) throws IOException {
        int[] sizes = widths.stream().mapToInt(Integer::intValue).toArray();
        Network net = Network.create(sizes, hidden, output, loss, seed);

        byte[] written = bytes(net);
        Network loaded = read(written);

        assertArrayEquals(written, bytes(loaded));
        assertEquals(net.spec(), loaded.spec());
        for (int l = 0; l < net.layerCount(); l++) {
            assertArrayEquals(((DenseLayer) net.layer(l)).weights().data, ((DenseLayer) loaded.layer(l)).weights().data);
        }
    }

    @Test
    void keepsActivationsAndLossOfOtherNetworks() throws IOException {
        Network net = Network.create(new int[] {3, 4, 5, 2}, Activation.TANH, Activation.SIGMOID,
                Loss.MEAN_SQUARED_ERROR, 7);
        Network loaded = read(bytes(net));
        assertEquals(Activation.TANH, ((DenseLayer) loaded.layer(1)).activation());
        assertEquals(Activation.SIGMOID, ((DenseLayer) loaded.layer(2)).activation());
        assertEquals(Loss.MEAN_SQUARED_ERROR, loaded.loss());
    }

    @Test
    void documentedLayout() throws IOException {
        byte[] b = bytes(Network.mlp(2, new int[0], 3, 1));
        ByteBuffer buf = ByteBuffer.wrap(b);
        assertEquals('B', buf.get());
        assertEquals('D', buf.get());
        assertEquals('N', buf.get());
        assertEquals('T', buf.get());
        assertEquals(2, buf.getInt());             // version
        assertEquals(0, buf.getInt());             // softmax cross-entropy
        assertEquals(2, buf.getInt());             // input channels
        assertEquals(1, buf.getInt());             // input height
        assertEquals(1, buf.getInt());             // input width
        assertEquals(1, buf.getInt());             // layers
        assertEquals(1, buf.getInt());             // dense
        assertEquals(3, buf.getInt());             // out
        assertEquals(0, buf.getInt());             // identity
        assertEquals(40 + 6 * 4 + 3 * 4 + 4, b.length);
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 4);
        assertEquals((int) crc.getValue(), ByteBuffer.wrap(b, b.length - 4, 4).getInt());
    }

    @Test
    void convolutionalNetworksSurviveARoundTrip() throws IOException {
        Network net = Architecture.build(new Shape(2, 9, 7), "conv3x3s2,pool2s1,conv4x1p0,dense5", 3, 7);
        byte[] written = bytes(net);
        Network loaded = read(written);
        assertArrayEquals(written, bytes(loaded));
        assertEquals("2x9x7 conv3x3s2,pool2s1,conv4x1,flatten,dense5,dense3:identity", loaded.spec());
        Conv2D conv = (Conv2D) loaded.layer(0);
        assertArrayEquals(((Conv2D) net.layer(0)).weights().data, conv.weights().data);
        assertEquals(new Shape(3, 5, 4), conv.outputShape()); // H' = 1 + (9 + 2 - 3) / 2, W' = 1 + (7 + 2 - 3) / 2
    }

    /** Every layer kind a model read from ONNX may hold: the same bytes after a round trip, the same outputs. */
    @Test
    void importedLayerKindsSurviveARoundTrip() throws IOException {
        java.util.Random random = new java.util.Random(3);
        Shape in = new Shape(2, 6, 6);
        Conv2D conv = new Conv2D(in, 3, 1, 1, GradientCheckTest.randomMatrix(18, 4, random),
                GradientCheckTest.randomMatrix(1, 4, random), Activation.LEAKY_RELU);
        Shape s = conv.outputShape();
        AvgPool2D avg = new AvgPool2D(s, 3, 2, 1);
        Network net = new Network(List.of(new Normalization(in, new float[] {0.1f, 0.2f}, new float[] {0.3f, 0.4f}), conv,
                new ChannelAffine(s, GradientCheckTest.randomMatrix(1, 4, random), GradientCheckTest.randomMatrix(1, 4, random)),
                new ActivationLayer(s, Activation.TANH), avg, new GlobalAvgPool2D(avg.outputShape()),
                new DenseLayer(GradientCheckTest.randomMatrix(4, 3, random), GradientCheckTest.randomMatrix(1, 3, random),
                        Activation.IDENTITY)), Loss.SOFTMAX_CROSS_ENTROPY);
        byte[] written = bytes(net);
        Network loaded = read(written);
        assertArrayEquals(written, bytes(loaded));
        assertEquals("2x6x6 normalize,conv4x3:leaky_relu,affine,tanh,avgpool3s2p1,gap,dense3:identity", loaded.spec());
        assertArrayEquals(new float[] {0.3f, 0.4f}, ((Normalization) loaded.layer(0)).std());
        for (int i = 0; i < 5; i++) {
            float[] image = new float[72];
            for (int j = 0; j < image.length; j++) {
                image[j] = random.nextFloat();
            }
            assertArrayEquals(net.probabilities(image), loaded.probabilities(image));
        }
    }

    /** A normalization that claims 2^20 channels in a tiny file reads what is there, not 8 MB up front. */
    @Test
    void aLyingNormalizationAllocatesLittle() {
        byte[] b = ModelCodecRefusalTest.forged(new int[] {1 << 20, 1, 1}, new int[][] {{9, 0, 0, 0}}, 0);
        assertRefusedAllocatingLittle("truncated model: the file ends inside the normalization of layer 0", b);
    }

    /** Reading {@code b} is refused with {@code message}, having allocated less than 1 MB on the way. */
    private static void assertRefusedAllocatingLittle(String message, byte[] b) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertEquals(message, refusal(b));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1_000_000, "allocated " + allocated + " bytes for a file of " + b.length + " bytes");
    }

    /** A model written by the build before convolutions (format version 1), kept as a file. */
    @Test
    void readsModelsOfFormatVersion1() throws IOException {
        Network net;
        try (InputStream in = ModelCodecTest.class.getResourceAsStream("mlp-784-32-10-v1.bin")) {
            net = ModelCodec.read(in);
            assertEquals(-1, in.read());
        }
        assertEquals("784-32-10 relu softmax_cross_entropy", net.toString());
        assertEquals(Shape.flat(784), net.inputShape());
        // written again it is version 2, and reads back the same
        assertArrayEquals(bytes(net), bytes(read(bytes(net))));
    }

    // ---- hostile files: each refused with a ModelFormatException naming the problem ----

    private static String refusal(byte[] bytes) {
        return assertThrows(ModelFormatException.class, () -> read(bytes)).getMessage();
    }

    /** A file whose header says what the test wants, with a correct checksum over what follows. */
    private static byte[] forged(int version, int loss, int layers, int[][] layerFields, int floats) {
        return ModelCodecRefusalTest.forged(version, loss, new int[0], layers, layerFields, floats);
    }

    @Test
    void refusesAWrongMagicNumber() throws IOException {
        byte[] b = bytes(Network.mlp(2, new int[0], 2, 1));
        b[0] = 'P';
        assertTrue(refusal(b).startsWith("not a badnets model"));
    }

    @Test
    void refusesAnUnknownVersion() {
        assertEquals("unsupported model format version 3: this build reads versions 1 and 2",
                refusal(forged(3, 0, 1, new int[][] {{1, 2, 2, 0}}, 6)));
    }

    @Test
    void refusesUnknownCodes() {
        assertEquals("unknown loss code 7: expected 0 to 1", refusal(forged(1, 7, 1, new int[][] {{1, 2, 2, 0}}, 6)));
        assertEquals("unknown kind 9 of layer 0: expected 1 (dense)",
                refusal(forged(1, 0, 1, new int[][] {{9, 2, 2, 0}}, 6)));
        assertEquals("unknown activation code 5 of layer 0: expected 0 to 4",
                refusal(forged(1, 0, 1, new int[][] {{1, 2, 2, 5}}, 6)));
    }

    @Test
    void refusesAbsurdSizesBeforeAllocating() {
        assertEquals("layer count -1 is out of range: expected 1 to 1024", refusal(forged(1, 0, -1, new int[0][], 0)));
        assertEquals("layer count 0 is out of range: expected 1 to 1024", refusal(forged(1, 0, 0, new int[0][], 0)));
        assertEquals("layer 0 is 2147483647 x 2: inputs and outputs must be in 1 to 1048576",
                refusal(forged(1, 0, 1, new int[][] {{1, Integer.MAX_VALUE, 2, 0}}, 0)));
        assertEquals("layer 0 is 0 x 2: inputs and outputs must be in 1 to 1048576",
                refusal(forged(1, 0, 1, new int[][] {{1, 0, 2, 0}}, 0)));
        // each layer within limits, together 4 * 2^20 * 2^10 parameters
        int[][] huge = {{1, 1 << 20, 1 << 10, 1}, {1, 1 << 10, 1 << 20, 1}, {1, 1 << 20, 1 << 10, 1},
            {1, 1 << 10, 1 << 20, 1}};
        assertEquals("the model claims more than 100000000 parameters, the most this reader accepts",
                refusal(forged(1, 0, 4, huge, 0)));
        assertEquals("layer 1 has 3 inputs but layer 0 has 2 outputs",
                refusal(forged(1, 0, 2, new int[][] {{1, 2, 2, 1}, {1, 3, 2, 0}}, 0)));
    }

    @Test
    void refusesAFileThatClaimsMoreThanItHolds() {
        // 50M parameters claimed (200 MB), 8 bytes present (and the 4-byte checksum)
        byte[] b = forged(1, 0, 1, new int[][] {{1, 50_000, 999, 0}}, 2);
        assertRefusedAllocatingLittle("truncated model: expected 199803996 bytes of parameters, found 12", b);
    }

    @Test
    void refusesEveryTruncation() throws IOException {
        byte[] b = bytes(Network.mlp(3, new int[] {2}, 2, 1));
        for (int length = 0; length < b.length; length++) {
            byte[] prefix = java.util.Arrays.copyOf(b, length);
            assertTrue(refusal(prefix).startsWith("truncated model"), "prefix of " + length + " bytes");
        }
    }

    @Test
    void refusesABadChecksum() throws IOException {
        byte[] b = bytes(Network.mlp(3, new int[] {2}, 2, 1));
        b[b.length - 10] ^= 0x01; // one bit of the last bias
        assertTrue(refusal(b).startsWith("corrupted model: checksum"));
    }

    @Test
    void refusesVersion2HeadersThatDoNotFit() {
        assertEquals("input shape 0x28x28 is out of range: each side 1 to 1048576, at most 268435456 values",
                refusal(ModelCodecRefusalTest.forged(new int[] {0, 28, 28}, new int[][] {{1, 10, 0}}, 0)));
        assertEquals("input shape 65536x65536x1 is out of range: each side 1 to 1048576, at most 268435456 values",
                refusal(ModelCodecRefusalTest.forged(new int[] {65536, 65536, 1}, new int[][] {{1, 10, 0}}, 0)));
        assertEquals("layer 0 is dense but its input is 1x28x28, not flat",
                refusal(ModelCodecRefusalTest.forged(new int[] {1, 28, 28}, new int[][] {{1, 10, 0}}, 0)));
        assertEquals("layer 0 has a 9x9 kernel that does not fit its input 1x4x4",
                refusal(ModelCodecRefusalTest.forged(new int[] {1, 4, 4}, new int[][] {{2, 8, 9, 1, 1, 1}, {4}, {1, 2, 0}}, 0)));
        assertEquals("layer 0 is a convolution of 8 filters, kernel 3, stride 0, padding 1: out of range",
                refusal(ModelCodecRefusalTest.forged(new int[] {1, 4, 4}, new int[][] {{2, 8, 3, 0, 1, 1}, {4}, {1, 2, 0}}, 0)));
        assertEquals("layer 1 is a pooling of window 5 and stride 1 that does not fit its input 8x4x4",
                refusal(ModelCodecRefusalTest.forged(new int[] {1, 4, 4}, new int[][] {{2, 8, 3, 1, 1, 1}, {3, 5, 1}, {4}, {1, 2, 0}}, 0)));
        assertEquals("the last layer gives 8x4x4, not a flat vector of class scores",
                refusal(ModelCodecRefusalTest.forged(new int[] {1, 4, 4}, new int[][] {{2, 8, 3, 1, 1, 1}}, 0)));
        assertEquals("unknown kind 10 of layer 0: expected 1 (dense), 2 (conv2d), 3 (maxpool2d), 4 (flatten), "
                + "5 (avgpool2d), 6 (global average pooling), 7 (channel affine), 8 (activation) or 9 (normalization)",
                refusal(ModelCodecRefusalTest.forged(new int[] {1, 4, 4}, new int[][] {{10}}, 0)));
        assertEquals("layer 1 is an average pooling of window 3, stride 1 and padding 3 that does not fit its input 8x4x4",
                refusal(ModelCodecRefusalTest.forged(new int[] {1, 4, 4}, new int[][] {{2, 8, 3, 1, 1, 1}, {5, 3, 1, 3}, {4}, {1, 2, 0}}, 0)));
        assertEquals("layer 0 normalizes channel 0 with std 0.0: expected a finite mean and a finite, non-zero std",
                refusal(ModelCodecRefusalTest.forged(new int[] {1, 4, 4}, new int[][] {{9, Float.floatToIntBits(0.5f), 0}, {4}, {1, 2, 0}}, 0)));
        // 65536 filters of 3x3 over 256 channels: 151M parameters, refused before reading any
        assertEquals("the model claims more than 100000000 parameters, the most this reader accepts",
                refusal(ModelCodecRefusalTest.forged(new int[] {256, 4, 4}, new int[][] {{2, 65536, 3, 1, 1, 1}, {4}, {1, 2, 0}}, 0)));
    }

    @Test
    void refusesNonFiniteParameters() throws IOException {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Network net = Network.mlp(3, new int[] {2}, 2, 1);
            ((DenseLayer) net.layer(1)).bias().data[1] = bad;
            assertEquals("layer 1 has a " + (Float.isNaN(bad) ? "NaN" : "infinite")
                    + " parameter: the model is broken (its training diverged)", refusal(bytes(net)));
        }
    }

    @Test
    void readsExactlyTheModelsBytes() throws IOException {
        byte[] model = bytes(Network.mlp(3, new int[] {2}, 2, 1));
        byte[] withTrailer = java.util.Arrays.copyOf(model, model.length + 3);
        InputStream in = new ByteArrayInputStream(withTrailer);
        ModelCodec.read(in);
        assertEquals(3, in.available());
    }

    /** "flushed, not closed": a caller's buffered stream holds nothing back once write returns, checksum included. */
    @Test
    void writingFlushesTheCallersStream() throws IOException {
        Network net = Network.mlp(3, new int[] {4}, 2, 1);
        ByteArrayOutputStream direct = new ByteArrayOutputStream();
        ModelCodec.write(net, direct);
        ByteArrayOutputStream behind = new ByteArrayOutputStream();
        ModelCodec.write(net, new java.io.BufferedOutputStream(behind, 1 << 16));
        assertArrayEquals(direct.toByteArray(), behind.toByteArray());
    }
}
