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

        assertArrayEquals(net.layerSizes(), loaded.layerSizes());
        assertEquals(net.loss(), loaded.loss());
        for (int l = 0; l < net.layerCount(); l++) {
            assertEquals(net.layer(l).activation(), loaded.layer(l).activation());
            assertArrayEquals(net.layer(l).weights().data, loaded.layer(l).weights().data);
            assertArrayEquals(net.layer(l).bias().data, loaded.layer(l).bias().data);
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
        assertArrayEquals(sizes, loaded.layerSizes());
        for (int l = 0; l < net.layerCount(); l++) {
            assertArrayEquals(net.layer(l).weights().data, loaded.layer(l).weights().data);
        }
    }

    @Test
    void keepsActivationsAndLossOfOtherNetworks() throws IOException {
        Network net = Network.create(new int[] {3, 4, 5, 2}, Activation.TANH, Activation.SIGMOID,
                Loss.MEAN_SQUARED_ERROR, 7);
        Network loaded = read(bytes(net));
        assertEquals(Activation.TANH, loaded.layer(1).activation());
        assertEquals(Activation.SIGMOID, loaded.layer(2).activation());
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
        assertEquals(1, buf.getInt());             // version
        assertEquals(0, buf.getInt());             // softmax cross-entropy
        assertEquals(1, buf.getInt());             // layers
        assertEquals(1, buf.getInt());             // dense
        assertEquals(2, buf.getInt());             // in
        assertEquals(3, buf.getInt());             // out
        assertEquals(0, buf.getInt());             // identity
        assertEquals(32 + 6 * 4 + 3 * 4 + 4, b.length);
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 4);
        assertEquals((int) crc.getValue(), ByteBuffer.wrap(b, b.length - 4, 4).getInt());
    }

    // ---- hostile files: each refused with a ModelFormatException naming the problem ----

    private static String refusal(byte[] bytes) {
        return assertThrows(ModelFormatException.class, () -> read(bytes)).getMessage();
    }

    /** A file whose header says what the test wants, with a correct checksum over what follows. */
    private static byte[] forged(int version, int loss, int layers, int[][] layerFields, int floats) {
        ByteBuffer buf = ByteBuffer.allocate(16 + 16 * layerFields.length + 4 * floats + 4);
        buf.put(ModelCodec.MAGIC).putInt(version).putInt(loss).putInt(layers);
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

    @Test
    void refusesAWrongMagicNumber() throws IOException {
        byte[] b = bytes(Network.mlp(2, new int[0], 2, 1));
        b[0] = 'P';
        assertTrue(refusal(b).startsWith("not a badnets model"));
    }

    @Test
    void refusesAnUnknownVersion() {
        assertEquals("unsupported model format version 2: this build reads version 1",
                refusal(forged(2, 0, 1, new int[][] {{1, 2, 2, 0}}, 6)));
    }

    @Test
    void refusesUnknownCodes() {
        assertEquals("unknown loss code 7: expected 0 to 1", refusal(forged(1, 7, 1, new int[][] {{1, 2, 2, 0}}, 6)));
        assertEquals("unknown kind 9 of layer 0: expected 1 (dense)",
                refusal(forged(1, 0, 1, new int[][] {{9, 2, 2, 0}}, 6)));
        assertEquals("unknown activation code 4 of layer 0: expected 0 to 3",
                refusal(forged(1, 0, 1, new int[][] {{1, 2, 2, 4}}, 6)));
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
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertEquals("truncated model: expected 199803996 bytes of parameters, found 12", refusal(b));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1_000_000, "allocated " + allocated + " bytes for a 64-byte file");
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
    void readsExactlyTheModelsBytes() throws IOException {
        byte[] model = bytes(Network.mlp(3, new int[] {2}, 2, 1));
        byte[] withTrailer = java.util.Arrays.copyOf(model, model.length + 3);
        InputStream in = new ByteArrayInputStream(withTrailer);
        ModelCodec.read(in);
        assertEquals(3, in.available());
    }
}
