package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Every structure a model header or a spec asks for is checked against a budget before it is
 * allocated, and what {@link Architecture} builds (so what {@code train} writes) a model file can
 * hold (so {@code evaluate} reads it).
 */
class ModelBudgetTest {

    /** A version 2 model: the header's ints as given, then {@code floats} zero parameters and the checksum. */
    static byte[] model(int[] header, int floats) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CRC32 crc = new CRC32();
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(bytes, crc));
        out.write(ModelCodec.MAGIC);
        for (int v : header) {
            out.writeInt(v);
        }
        out.write(new byte[4 * floats]);
        out.flush();
        new DataOutputStream(bytes).writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }

    private static long allocatedBy(ThrowingRunnable run) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        try {
            run.run();
        } catch (Exception e) {
            // the refusal is asserted by the caller
        }
        return mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aHugePoolingWindowInAHeaderIsRefusedBeforeItsTableIsAllocated() throws IOException {
        // 56 bytes of header: input 1x16384x16384, pool16384, flatten, dense 2
        byte[] file = model(new int[] {2, 0, 1, 16384, 16384, 3, 3, 16384, 1, 4, 1, 2, 0}, (1 + 1) * 2);
        assertTrue(file.length < 200, "a small file: " + file.length);
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelCodec.read(new ByteArrayInputStream(file)));
        assertTrue(e.getMessage().contains("window 16384"), e.getMessage());
        long allocated = allocatedBy(() -> ModelCodec.read(new ByteArrayInputStream(file)));
        assertTrue(allocated < (1 << 20), "reading a " + file.length + "-byte header allocated " + allocated + " bytes");
    }

    @Test
    void aModelWhoseOneSampleNeedsMoreBuffersThanTheBudgetIsRefusedOnReading() throws IOException {
        // 1x28x28, conv 300000 filters 3x3 padded, conv 1 filter 3x3 padded, flatten, dense 2: one sample's
        // im2col matrix of the second convolution alone would hold 784 x 9 x 300000 floats
        int filters = 300_000;
        int floats = (9 + 1) * filters + (9 * filters + 1) + (784 + 1) * 2;
        byte[] file = model(new int[] {2, 0, 1, 28, 28, 4, 2, filters, 3, 1, 1, 1, 2, 1, 3, 1, 1, 1, 4, 1, 2, 0},
                floats);
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelCodec.read(new ByteArrayInputStream(file)));
        assertTrue(e.getMessage().contains("floats of buffers"), e.getMessage());
    }

    @Test
    void aSpecOfMoreLayersThanAModelFileHoldsIsRefusedBeforeBuilding() {
        String spec = String.join(",", java.util.Collections.nCopies(1_100, "dense2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Architecture.build(Shape.image(28, 28), spec, 10, 1));
        assertTrue(e.getMessage().contains("at most " + Network.MAX_LAYERS), e.getMessage());
        String pools = String.join(",", java.util.Collections.nCopies(5_000, "pool1"));
        long allocated = allocatedBy(() -> Architecture.build(Shape.image(28, 28), pools, 10, 1));
        assertTrue(allocated < (1 << 20), "refusing 5,000 pooling layers allocated " + allocated + " bytes");
        assertThrows(IllegalArgumentException.class, () -> Architecture.build(Shape.image(28, 28), pools, 10, 1));
    }

    @Test
    void theLargestSpecArchitectureBuildsIsAModelTheReaderTakes() throws IOException {
        String spec = String.join(",", java.util.Collections.nCopies(Network.MAX_LAYERS - 2, "dense2"));
        Network net = Architecture.build(Shape.image(4, 4), spec, 2, 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelCodec.write(net, bytes);
        assertEquals(net.spec(), ModelCodec.read(new ByteArrayInputStream(bytes.toByteArray())).spec());
    }

    @Test
    void savingAModelAsTheRootFolderIsAClearRefusal() {
        Network net = Network.mlp(4, new int[0], 2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFiles.save(net, Path.of("/")));
        assertTrue(e.getMessage().contains("root folder"), e.getMessage());
    }
}
