package dev.badnets.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.badnets.core.Architecture;
import dev.badnets.core.Shape;
import dev.badnets.onnx.proto.Onnx.AttributeProto;
import dev.badnets.onnx.proto.Onnx.GraphProto;
import dev.badnets.onnx.proto.Onnx.ModelProto;
import dev.badnets.onnx.proto.Onnx.NodeProto;
import dev.badnets.onnx.proto.Onnx.OperatorSetIdProto;
import dev.badnets.onnx.proto.Onnx.StringStringEntryProto;
import dev.badnets.onnx.proto.Onnx.TensorProto;
import dev.badnets.onnx.proto.Onnx.TensorShapeProto;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ONNX files are untrusted input. Each hostile file is refused with one line naming the problem
 * (an {@link OnnxFormatException}, never another exception, never a partial model), and nothing is
 * allocated far beyond the file's size.
 */
class OnnxHostileTest {

    private static final byte[] VALID = OnnxWriter.toBytes(Architecture.build(Shape.image(8, 8), "conv2x3,pool2,dense4", 3, 1),
            null, "input");

    private static String refusal(byte[] bytes) {
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxReader.read(bytes));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private static ModelProto.Builder valid() throws Exception {
        return ModelProto.parseFrom(VALID).toBuilder();
    }

    @Test
    void theValidFileReads() throws Exception {
        assertEquals(3, OnnxReader.read(VALID).network().classes());
        assertTrue(OnnxReader.recognizes(VALID));
    }

    /** Every truncation, and a thousand files with random bits flipped: a model or a one-line refusal, nothing else. */
    @Test
    void truncatedAndBitFlippedFiles() {
        for (int length = 0; length < VALID.length; length += 7) {
            byte[] prefix = java.util.Arrays.copyOf(VALID, length);
            try {
                OnnxReader.read(prefix);
            } catch (OnnxFormatException e) {
                assertFalse(e.getMessage().contains("\n"));
            }
        }
        assertTrue(refusal(java.util.Arrays.copyOf(VALID, VALID.length / 2)).startsWith("not a valid ONNX file"));
        Random random = new Random(1);
        for (int trial = 0; trial < 1000; trial++) {
            byte[] flipped = VALID.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
            }
            try {
                OnnxReader.read(flipped); // a flip inside a weight still makes a valid model
            } catch (OnnxFormatException e) {
                assertFalse(e.getMessage().contains("\n"));
            }
        }
    }

    @Test
    void unknownOpsetsAndOperators() throws Exception {
        ModelProto.Builder m = valid();
        m.setOpsetImport(0, OperatorSetIdProto.newBuilder().setDomain("").setVersion(99));
        assertEquals("the model uses opset 99: this reader takes opsets 6 to 17 (export with opset_version=13, say)",
                refusal(m.build().toByteArray()));
        m = valid();
        m.getGraphBuilder().getNodeBuilder(0).setOpType("ConvTranspose");
        String name = m.getGraph().getNode(0).getName();
        assertEquals("node '" + name + "' (ConvTranspose) is not supported by this reader", refusal(m.build().toByteArray()));
    }

    @Test
    void externalDataIsRefusedWithoutFollowingItsPath() throws Exception {
        ModelProto.Builder m = valid();
        TensorProto.Builder w = m.getGraphBuilder().getInitializerBuilder(0);
        w.clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("../../../etc/passwd"));
        assertTrue(refusal(m.build().toByteArray()).contains("keeps its values in an external file (external_data): refused"));
    }

    /** A tensor that declares 4 G values and holds 4 bytes: refused before anything of that size is allocated. */
    @Test
    void hugeDeclaredDimensionsAllocateNothing() throws Exception {
        ModelProto.Builder m = valid();
        m.getGraphBuilder().getInitializerBuilder(0).clearDims().addDims(1 << 16).addDims(1 << 16)
                .setRawData(ByteString.copyFrom(new byte[4]));
        byte[] bytes = m.build().toByteArray();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertTrue(refusal(bytes).contains("declares dimensions [65536, 65536] (more than 2^31 values) but holds 1"));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 10L * bytes.length + 1_000_000, "allocated " + allocated + " bytes for " + bytes.length);

        m = valid();
        m.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                .setDim(2, TensorShapeProto.Dimension.newBuilder().setDimValue(1 << 20))
                .setDim(3, TensorShapeProto.Dimension.newBuilder().setDimValue(1 << 20));
        assertTrue(refusal(m.build().toByteArray()).startsWith("input 'input' declares [1, 1048576, 1048576] per sample"));
    }

    @Test
    void cyclesAndUnsortedGraphs() throws Exception {
        ModelProto.Builder m = valid();
        NodeProto.Builder first = m.getGraphBuilder().getNodeBuilder(0);
        first.setInput(0, first.getOutput(0)); // reads its own output
        assertTrue(refusal(m.build().toByteArray()).contains("which no earlier node produces (an unsorted graph, or a cycle)"));
        m = valid();
        NodeProto second = m.getGraph().getNode(1);
        m.getGraphBuilder().setNode(1, m.getGraph().getNode(2)).setNode(2, second); // out of order
        assertTrue(refusal(m.build().toByteArray()).contains("which no earlier node produces"));
    }

    @Test
    void thousandsOfNodes() throws Exception {
        ModelProto.Builder m = valid();
        GraphProto.Builder g = m.getGraphBuilder();
        int own = g.getNodeCount();
        for (int i = 0; i < OnnxReader.MAX_NODES; i++) {
            g.addNode(NodeProto.newBuilder().setOpType("Identity").addInput("x" + i).addOutput("x" + (i + 1)));
        }
        assertEquals("the graph has " + (own + OnnxReader.MAX_NODES) + " nodes, more than the 10000 this reader takes",
                refusal(m.build().toByteArray()));
    }

    @Test
    void wrongTypes() throws Exception {
        ModelProto.Builder m = valid();
        m.getGraphBuilder().getInitializerBuilder(0).setDataType(TensorProto.DataType.STRING_VALUE);
        assertTrue(refusal(m.build().toByteArray()).contains("has data type STRING: this reader takes float, double, int32"));
        m = valid();
        NodeProto.Builder conv = m.getGraphBuilder().getNodeBuilder(0);
        for (int a = 0; a < conv.getAttributeCount(); a++) {
            if (conv.getAttribute(a).getName().equals("strides")) {
                conv.setAttribute(a, AttributeProto.newBuilder().setName("strides").setType(AttributeProto.AttributeType.STRING)
                        .setS(ByteString.copyFromUtf8("two")));
            }
        }
        assertTrue(refusal(m.build().toByteArray()).endsWith("has attribute strides of type STRING, expected INTS"));
        m = valid();
        m.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().setElemType(TensorProto.DataType.STRING_VALUE);
        assertEquals("input 'input' has element type STRING: this reader takes float inputs", refusal(m.build().toByteArray()));
    }

    @Test
    void unsupportedAttributesAreNamed() throws Exception {
        ModelProto.Builder m = valid();
        m.getGraphBuilder().getNodeBuilder(0).addAttribute(AttributeProto.newBuilder().setName("group")
                .setType(AttributeProto.AttributeType.INT).setI(2));
        assertTrue(refusal(m.build().toByteArray()).endsWith("(Conv) has group 2: this reader supports group 1 only"));
    }

    @Test
    void nothingThatIsNotOnnxIsRecognised() {
        assertFalse(OnnxReader.recognizes("BDNT\0\0\0\2".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        assertFalse(OnnxReader.recognizes(new byte[] {0x08}));
    }
}
