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

    // Each budget at its limit: the limit itself is taken, one past it refused by that budget's own message.

    @Test
    void aSpecOfOneLayerMoreThanAModelFileHoldsIsRefusedNamingHowManyToList() {
        String spec = String.join(",", java.util.Collections.nCopies(Network.MAX_LAYERS - 1, "dense2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Architecture.build(Shape.flat(4), spec, 2, 1));
        assertTrue(e.getMessage().contains("so list at most " + (Network.MAX_LAYERS - 2)), e.getMessage());
    }

    /** A convolution, the flatten it needs, 1,021 dense layers and the output layer: exactly MAX_LAYERS. */
    @Test
    void aNetworkOfExactlyTheMostLayersIsBuiltWrittenAndRead() throws IOException {
        String spec = "conv1x1," + String.join(",", java.util.Collections.nCopies(Network.MAX_LAYERS - 3, "dense2"));
        Network net = Architecture.build(Shape.image(4, 4), spec, 2, 1);
        assertEquals(Network.MAX_LAYERS, net.layerCount());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelCodec.write(net, bytes);
        Network read = ModelCodec.read(new ByteArrayInputStream(bytes.toByteArray()));
        assertEquals(Network.MAX_LAYERS, read.layerCount());
        assertEquals(net.spec(), read.spec());

        java.util.List<Layer> more = new java.util.ArrayList<>(net.layers());
        more.add(new Flatten(Shape.flat(2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Network(more, Loss.SOFTMAX_CROSS_ENTROPY));
        assertTrue(e.getMessage().contains("at most " + Network.MAX_LAYERS + " layers"), e.getMessage());
    }

    /** Flatten layers hold no parameters: an input of 2^26 floats and three flattens of it are exactly 2^28 floats. */
    @Test
    void oneSamplesBuffersMayReachTheBudgetButNotPassIt() {
        Flatten flatten = new Flatten(Shape.flat(1 << 26));
        Network atBudget = new Network(java.util.Collections.nCopies(3, flatten), Loss.SOFTMAX_CROSS_ENTROPY);
        assertEquals(Network.MAX_FLOATS_PER_SAMPLE, atBudget.floatsPerSample(false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Network(java.util.Collections.nCopies(4, flatten), Loss.SOFTMAX_CROSS_ENTROPY));
        assertTrue(e.getMessage().contains((5L << 26) + " floats of buffers"), e.getMessage());
    }

    /**
     * The parameter count includes every layer's biases: each network below has at most 100 M
     * weights but more than 100 M parameters with its biases, and is refused before it is allocated
     * (a dense layer of 10 M inputs and 10 units, an output layer of 50 M inputs and 2 classes, and
     * 1,000,001 filters of 3x3x11, each one bias per unit past the limit).
     */
    @Test
    void theParameterLimitCountsTheBiasesOfEveryLayer() {
        String tooMany = "more than " + ModelCodec.MAX_PARAMETERS + " parameters";
        for (Runnable build : new Runnable[] {
                () -> Architecture.build(Shape.flat(10_000_000), "dense10", 2, 1),
                () -> Architecture.build(Shape.flat(50_000_000), "", 2, 1),
                () -> Architecture.build(new Shape(11, 1, 1), "conv1000001x3", 2, 1)}) {
            long allocated = allocatedBy(build::run);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
            assertTrue(e.getMessage().contains(tooMany), e.getMessage());
            assertTrue(allocated < (1 << 20), "refusing allocated " + allocated + " bytes");
        }
    }

    /**
     * A convolution's output may have up to 2^28 values per sample: with padding 2 a 3x3 kernel
     * makes 16,385 x 16,385 of 16,383 x 16,383 (more: refused by that rule); unpadded 16,384 x 16,384
     * stays 16,384 x 16,384, exactly 2^28, which that rule takes and the buffer budget of the whole
     * network then refuses.
     */
    @Test
    void aConvolutionsOutputMayHaveUpTo2To28Values() {
        String tooLarge = "more than " + Shape.MAX_SIZE + " values per sample";
        IllegalArgumentException padded = assertThrows(IllegalArgumentException.class,
                () -> Architecture.build(Shape.image(16_383, 16_383), "conv1x3p2,pool256", 2, 1));
        assertTrue(padded.getMessage().contains("1x16385x16385 " + "would have " + tooLarge), padded.getMessage());
        IllegalArgumentException exact = assertThrows(IllegalArgumentException.class,
                () -> Architecture.build(Shape.image(16_384, 16_384), "conv1x3,pool256", 2, 1));
        assertTrue(exact.getMessage().contains("floats of buffers") && !exact.getMessage().contains(tooLarge),
                exact.getMessage());
    }

    @Test
    void aPoolingWindowMayBeTheWidest() throws IOException {
        Network net = Architecture.build(Shape.image(MaxPool2D.MAX_WINDOW, MaxPool2D.MAX_WINDOW),
                "pool" + MaxPool2D.MAX_WINDOW, 2, 1);
        assertEquals(new Shape(1, 1, 1), net.layer(0).outputShape());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelCodec.write(net, bytes);
        assertEquals(net.spec(), ModelCodec.read(new ByteArrayInputStream(bytes.toByteArray())).spec());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.build(
                Shape.image(300, 300), "pool" + (MaxPool2D.MAX_WINDOW + 1), 2, 1));
        assertTrue(e.getMessage().contains("wider than " + MaxPool2D.MAX_WINDOW), e.getMessage());
    }

    // The reader's limits, in headers of models whose parameters are all 0.

    /** Version 1: a dense layer of 2^20 inputs and 1 output, then one of 1 input and 2^20 outputs. */
    @Test
    void aVersion1ModelMayHaveLayersOfOneToTheWidestWidth() throws IOException {
        int widest = ModelCodec.MAX_WIDTH;
        byte[] file = model(new int[] {1, 0, 2, 1, widest, 1, 0, 1, 1, widest, 0}, (widest + 1) + 2 * widest);
        Network net = ModelCodec.read(new ByteArrayInputStream(file));
        assertEquals(widest, net.inputWidth());
        assertEquals(widest, net.classes());
        byte[] wider = model(new int[] {1, 0, 2, 1, widest + 1, 1, 0, 1, 1, 2, 0}, 0);
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelCodec.read(new ByteArrayInputStream(wider)));
        assertTrue(e.getMessage().contains("must be in 1 to " + widest), e.getMessage());
    }

    /**
     * Convolutions at the edges of what a header may say: 2^20 filters of 1x1; one filter whose
     * 3x3 kernel is exactly as wide as its 3x3 input, or as its 1x1 input padded by 1; a stride of 2^20.
     */
    @Test
    void aConvolutionMayHaveTheMostFiltersAndAKernelAsWideAsItsPaddedInput() throws IOException {
        int widest = ModelCodec.MAX_WIDTH;
        Network wide = ModelCodec.read(new ByteArrayInputStream(model(
                new int[] {2, 0, 1, 1, 1, 2, 2, widest, 1, 1, 0, 0, 1, 2, 0}, 2 * widest + (widest + 1) * 2)));
        assertEquals(Shape.flat(widest), wide.layer(0).outputShape());
        Network exact = ModelCodec.read(new ByteArrayInputStream(model(
                new int[] {2, 0, 1, 3, 3, 3, 2, 1, 3, 1, 0, 0, 4, 1, 2, 0}, (9 + 1) + (1 + 1) * 2)));
        assertEquals(new Shape(1, 1, 1), exact.layer(0).outputShape());
        Network padded = ModelCodec.read(new ByteArrayInputStream(model(
                new int[] {2, 0, 1, 1, 1, 2, 2, 1, 3, 1, 1, 0, 1, 2, 0}, (9 + 1) + (1 + 1) * 2)));
        assertEquals(new Shape(1, 1, 1), padded.layer(0).outputShape());
        Network stride = ModelCodec.read(new ByteArrayInputStream(model(
                new int[] {2, 0, 1, 1, 1, 2, 2, 1, 1, widest, 0, 0, 1, 2, 0}, (1 + 1) + (1 + 1) * 2)));
        assertEquals(new Shape(1, 1, 1), stride.layer(0).outputShape());
    }

    /**
     * A strided convolution's output side is {@code 1 + (H + 2p - k) / s}: 32 filters of 3x3 with
     * stride 16 on 4,096 x 4,096 give 32 x 256 x 256 values, well within 2^28 (pooled to 32 x 1 x 1).
     */
    @Test
    void aStridedConvolutionsOutputIsCountedAtItsStride() {
        Network net = Architecture.build(Shape.image(4_096, 4_096), "conv32x3s16,pool256", 2, 1);
        assertEquals(new Shape(32, 256, 256), net.layer(0).outputShape());
    }

    /**
     * 2^20 filters of 1x1 on a 16x16 input give exactly 2^28 values per sample: within the reader's
     * limit for one layer's output, so it is the network's buffer budget that refuses the model.
     */
    @Test
    void aConvolutionOfExactly2To28OutputValuesIsRefusedByTheBufferBudget() throws IOException {
        int widest = ModelCodec.MAX_WIDTH;
        byte[] file = model(new int[] {2, 0, 1, 16, 16, 3, 2, widest, 1, 1, 0, 0, 6, 1, 2, 0},
                2 * widest + (widest + 1) * 2);
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelCodec.read(new ByteArrayInputStream(file)));
        assertTrue(e.getMessage().contains("floats of buffers"), e.getMessage());
    }

    /** Average pooling: window 1; a window exactly as wide as its input padded by 2; the widest window; padding = window refused. */
    @Test
    void anAveragePoolingMayReachEveryEdgeOfItsRange() throws IOException {
        int widest = ModelCodec.MAX_WIDTH;
        Network one = ModelCodec.read(new ByteArrayInputStream(model(
                new int[] {2, 0, 1, 2, 2, 3, 5, 1, 1, 0, 4, 1, 2, 0}, (4 + 1) * 2)));
        assertEquals(new Shape(1, 2, 2), one.layer(0).outputShape());
        Network padded = ModelCodec.read(new ByteArrayInputStream(model(
                new int[] {2, 0, 1, 1, 1, 2, 5, 5, 1, 2, 1, 2, 0}, (1 + 1) * 2)));
        assertEquals(new Shape(1, 1, 1), padded.layer(0).outputShape());
        Network widestWindow = ModelCodec.read(new ByteArrayInputStream(model(
                new int[] {2, 0, 1, 1, 1, 3, 5, widest, 1, widest / 2, 4, 1, 2, 0}, (4 + 1) * 2)));
        assertEquals(new Shape(1, 2, 2), widestWindow.layer(0).outputShape());
        for (int[] header : new int[][] {
                {2, 0, 1, 3, 3, 3, 5, 2, 1, 2, 4, 1, 2, 0}, // padding = window
                {2, 0, 1, 1, 1, 3, 5, widest + 1, 1, widest / 2 + 1, 4, 1, 2, 0}, // a window past the widest
                {2, 0, 1, 1, 3, 3, 5, 4, 1, 1, 4, 1, 2, 0}}) { // one wider than the padded height
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> ModelCodec.read(new ByteArrayInputStream(model(header, 0))));
            assertTrue(e.getMessage().contains("average pooling"), e.getMessage());
        }
    }

    @Test
    void savingAModelAsTheRootFolderIsAClearRefusal() {
        Network net = Network.mlp(4, new int[0], 2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFiles.save(net, Path.of("/")));
        assertTrue(e.getMessage().contains("root folder"), e.getMessage());
    }
}
