package dev.badnets.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.badnets.core.Activation;
import dev.badnets.core.ActivationLayer;
import dev.badnets.core.AvgPool2D;
import dev.badnets.core.ChannelAffine;
import dev.badnets.core.Conv2D;
import dev.badnets.core.DenseLayer;
import dev.badnets.core.Flatten;
import dev.badnets.core.GlobalAvgPool2D;
import dev.badnets.core.Layer;
import dev.badnets.core.Loss;
import dev.badnets.core.MaxPool2D;
import dev.badnets.core.Network;
import dev.badnets.core.Normalization;
import dev.badnets.core.Shape;
import dev.badnets.onnx.proto.Onnx.AttributeProto;
import dev.badnets.onnx.proto.Onnx.GraphProto;
import dev.badnets.onnx.proto.Onnx.ModelProto;
import dev.badnets.onnx.proto.Onnx.NodeProto;
import dev.badnets.onnx.proto.Onnx.OperatorSetIdProto;
import dev.badnets.onnx.proto.Onnx.TensorProto;
import dev.badnets.onnx.proto.Onnx.TensorShapeProto;
import dev.badnets.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.ejml.data.FMatrixRMaj;

/**
 * Reads an ONNX image classifier (as {@code torch.onnx.export} writes one) into a {@link Network}
 * of this project's layers, so that everything the project does with a model (predict, input
 * gradients, fine-tuning) works on it unchanged.
 *
 * <p><b>What it reads.</b> A graph with one float input, {@code [N, C, H, W]} or {@code [N, F]},
 * whose nodes form a chain (each node reads the output of the one before, plus constants), in the
 * default domain at opsets {@value #MIN_OPSET} to {@value #MAX_OPSET}:
 * <pre>
 *   Conv (group 1, square kernel, equal strides and pads, no dilation)   → Conv2D
 *   MaxPool (square, no padding)                 → MaxPool2D
 *   AveragePool (square, padding counted), a zero Pad before it or a Conv → AvgPool2D, or the padding
 *   GlobalAveragePool                            → GlobalAvgPool2D
 *   BatchNormalization (inference)               → ChannelAffine, γ/sqrt(σ²+ε) and β - μ·γ/sqrt(σ²+ε)
 *   Relu, LeakyRelu (α = 0.01), Sigmoid, Tanh    → the activation of the layer before, or ActivationLayer
 *   Gemm (transA 0, any transB/alpha/beta), MatMul and Add → DenseLayer
 *   Mul, Add by per-channel constants             → ChannelAffine
 *   Flatten (axis 1), Reshape to [N, -1]          → Flatten (Shape, Gather, Unsqueeze, Concat and
 *                                                   Constant are evaluated while reading)
 *   Sub, Div by constants, in front               → Normalization
 *   Dropout, Identity                             → nothing (inference)
 *   Softmax, LogSoftmax at the end                → nothing ({@link OnnxModel#finalOp()})
 * </pre>
 * Anything else is refused with an {@link OnnxFormatException} naming the operator and the node;
 * no partial model is ever returned.
 *
 * <p><b>Layout.</b> ONNX tensors are NCHW; this project's samples are channels-last. Convolution
 * weights are reordered, and the first dense layer after a flatten of a multi-channel image gets
 * its rows permuted, so the network computes the same sums as the graph (predictions are identical,
 * not approximately equal).
 *
 * <p><b>Untrusted files.</b> The file is read whole (at most {@value #MAX_FILE_BYTES} bytes) and
 * parsed by protobuf, whose parser allocates no more than the bytes it is given; every tensor's
 * declared dimensions must match the values it holds, so no allocation is sized by a header;
 * external data is refused without looking at its path; at most {@value #MAX_NODES} nodes; the
 * input's declared size and the network's per-sample work are bounded.
 */
public final class OnnxReader {

    /** The largest ONNX file read (protobuf's own limit is 2 GB). */
    public static final long MAX_FILE_BYTES = 1L << 30;
    /** The most nodes a graph may have. */
    public static final int MAX_NODES = 10_000;
    /** The oldest and newest default-domain opsets read. */
    public static final int MIN_OPSET = 6;
    public static final int MAX_OPSET = 17;
    /** The most values one input sample may have (a 4096 x 4096 RGB image is 50 M). */
    public static final int MAX_INPUT_VALUES = 1 << 26;
    /** The most floats one sample may need through the whole network at inference. */
    public static final long MAX_FLOATS_PER_SAMPLE = 1L << 28;

    /** The symbolic batch dimension in shape constants (Shape(x)[0] is not known when reading). */
    private static final long BATCH = Long.MIN_VALUE;

    private OnnxReader() {
    }

    /**
     * Reads the ONNX model in {@code file}.
     *
     * @throws OnnxFormatException with a one-line message naming the problem (and the node)
     * @throws IOException         if the file cannot be read
     */
    public static OnnxModel read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new OnnxFormatException("the ONNX file has " + size + " bytes, more than the " + MAX_FILE_BYTES
                    + " this reader takes");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in.readNBytes((int) size + 1));
        }
    }

    /** Reads an ONNX model from its bytes. */
    public static OnnxModel read(byte[] bytes) throws OnnxFormatException {
        ModelProto model;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(32);
            model = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException("not a valid ONNX file (" + firstLine(e.getMessage()) + ")");
        } catch (IOException | RuntimeException e) {
            throw new OnnxFormatException("not a valid ONNX file (" + firstLine(String.valueOf(e.getMessage())) + ")");
        }
        return new OnnxReader.Import(model).run();
    }

    /** Whether {@code head}, the first bytes of a file, look like an ONNX model: field 1 (ir_version) first, 1 to 63. */
    public static boolean recognizes(byte[] head) {
        return head.length >= 3 && head[0] == 0x08 && head[1] >= 1 && head[1] < 64;
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /**
     * A value of the graph while reading it: the data flowing through the network (one at a time,
     * the output of the last layer), or a constant known now.
     */
    private sealed interface Value permits Data, Const {
    }

    /**
     * The data path: one sample is {@code shape} in this project's layout; {@code rank} is the
     * rank of the ONNX tensor (4 for NCHW images, 2 for [N, F]); for a flat vector that came from
     * flattening a multi-channel image, {@code order[o]} is the index in the network's (channels-last)
     * vector of value o in the ONNX (NCHW) order, else null.
     */
    private record Data(Shape shape, int rank, int[] order) implements Value {
    }

    private record Const(Tensors.Constant value) implements Value {
    }

    /** The conversion of one graph: a chain of nodes becomes a list of layers. */
    private static final class Import {

        private final ModelProto model;
        private final GraphProto graph;
        private final Map<String, Value> values = new HashMap<>();
        private final Map<String, TensorProto> initializers = new HashMap<>();
        private final List<Layer> layers = new ArrayList<>();
        private String current; // the name of the data value now flowing, the last layer's output
        private int pendingPad; // zeros a Pad node put around the image, for the Conv or AveragePool after it
        private boolean matmulBias; // the last layer is a MatMul's, whose bias an Add may still set
        private boolean scaleOnly; // the last layer is a Mul's ChannelAffine, whose shift an Add may still set
        private long declaredBatch = -1;
        private int opset;
        private OnnxModel.FinalOp finalOp = OnnxModel.FinalOp.NONE;
        private String finalOutput; // the output of a final Softmax / LogSoftmax
        private NodeProto node; // the node being converted, for messages

        Import(ModelProto model) {
            this.model = model;
            this.graph = model.getGraph();
        }

        OnnxModel run() throws OnnxFormatException {
            if (!model.hasGraph()) {
                throw new OnnxFormatException("not an ONNX model: it has no graph");
            }
            opset = opset();
            if (graph.getNodeCount() > MAX_NODES) {
                throw new OnnxFormatException("the graph has " + graph.getNodeCount() + " nodes, more than the " + MAX_NODES
                        + " this reader takes");
            }
            if (graph.getSparseInitializerCount() > 0) {
                throw new OnnxFormatException("the graph has sparse initializers, which this reader does not support");
            }
            for (TensorProto t : graph.getInitializerList()) {
                initializers.put(t.getName(), t);
            }
            ValueInfoProto input = input();
            Shape inputShape = inputShape(input);
            values.put(input.getName(), new Data(inputShape, input.getType().getTensorType().getShape().getDimCount(), null));
            current = input.getName();
            for (NodeProto n : graph.getNodeList()) {
                node = n;
                convert(n);
            }
            node = null;
            return finish(input.getName(), inputShape);
        }

        private int opset() throws OnnxFormatException {
            int version = -1;
            for (OperatorSetIdProto set : model.getOpsetImportList()) {
                if (set.getDomain().isEmpty() || set.getDomain().equals("ai.onnx")) {
                    version = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, set.getVersion()));
                }
            }
            if (version < MIN_OPSET || version > MAX_OPSET) {
                throw new OnnxFormatException((version == -1 ? "the model imports no default-domain opset"
                        : "the model uses opset " + version) + ": this reader takes opsets " + MIN_OPSET + " to "
                        + MAX_OPSET + " (export with opset_version=13, say)");
            }
            return version;
        }

        /** The graph's one real input (inputs that are initializers are constants, as older exporters list them). */
        private ValueInfoProto input() throws OnnxFormatException {
            ValueInfoProto found = null;
            for (ValueInfoProto v : graph.getInputList()) {
                if (initializers.containsKey(v.getName())) {
                    continue;
                }
                if (found != null) {
                    throw new OnnxFormatException("the graph has more than one input (" + found.getName() + ", "
                            + v.getName() + "): this reader takes image classifiers of one input");
                }
                found = v;
            }
            if (found == null) {
                throw new OnnxFormatException("the graph has no input");
            }
            return found;
        }

        private Shape inputShape(ValueInfoProto input) throws OnnxFormatException {
            String name = "input '" + input.getName() + "'";
            if (!input.getType().hasTensorType()) {
                throw new OnnxFormatException(name + " is not a tensor");
            }
            int type = input.getType().getTensorType().getElemType();
            if (type != TensorProto.DataType.FLOAT_VALUE) {
                throw new OnnxFormatException(name + " has element type " + Tensors.typeName(type)
                        + ": this reader takes float inputs");
            }
            TensorShapeProto shape = input.getType().getTensorType().getShape();
            int rank = shape.getDimCount();
            if (rank != 2 && rank != 4) {
                throw new OnnxFormatException(name + " has rank " + rank + ": this reader takes [N, C, H, W] images or "
                        + "[N, F] vectors");
            }
            long[] dims = new long[rank];
            for (int i = 0; i < rank; i++) {
                TensorShapeProto.Dimension d = shape.getDim(i);
                dims[i] = d.hasDimValue() ? d.getDimValue() : -1;
                if (i > 0 && (dims[i] < 1 || dims[i] > MAX_INPUT_VALUES)) {
                    throw new OnnxFormatException(name + " has dimension " + i + " = "
                            + (d.hasDimValue() ? Long.toString(d.getDimValue()) : "'" + d.getDimParam() + "'")
                            + ": every dimension but the batch must be a number from 1 to " + MAX_INPUT_VALUES);
                }
            }
            declaredBatch = dims[0];
            long values = 1;
            for (int i = 1; i < rank; i++) {
                values *= dims[i];
                if (values > MAX_INPUT_VALUES) {
                    throw new OnnxFormatException(name + " declares " + Arrays.toString(Arrays.copyOfRange(dims, 1, rank))
                            + " per sample, more than the " + MAX_INPUT_VALUES + " values this reader takes");
                }
            }
            return rank == 4 ? new Shape((int) dims[1], (int) dims[2], (int) dims[3]) : Shape.flat((int) dims[1]);
        }

        private OnnxModel finish(String inputName, Shape inputShape) throws OnnxFormatException {
            if (graph.getOutputCount() != 1) {
                throw new OnnxFormatException("the graph has " + graph.getOutputCount()
                        + " outputs: this reader takes classifiers of one output");
            }
            String outputName = graph.getOutput(0).getName();
            boolean endsHere = outputName.equals(current) || outputName.equals(finalOutput);
            if (!endsHere) {
                throw new OnnxFormatException("the graph's output '" + outputName + "' is not the end of its chain of nodes"
                        + " ('" + current + "'): this reader takes graphs that are one chain");
            }
            if (pendingPad > 0) {
                throw new OnnxFormatException("the graph ends on a Pad node: padding is supported only before a Conv or "
                        + "an AveragePool");
            }
            Data data = (Data) values.get(current);
            if (layers.isEmpty()) { // only no-ops (Identity, Dropout, a final softmax): the identity
                layers.add(new ActivationLayer(data.shape(), Activation.IDENTITY));
            }
            int[] outputOrder = data.order();
            if (!data.shape().isFlat()) { // an image out: flatten it, remembering the ONNX order of its values
                outputOrder = nchwOrder(data.shape());
                layers.add(new Flatten(data.shape()));
            }
            Network net;
            try {
                net = new Network(layers, Loss.SOFTMAX_CROSS_ENTROPY);
            } catch (IllegalArgumentException e) {
                throw new OnnxFormatException("the graph does not make a network: " + e.getMessage());
            }
            if (net.floatsPerSample(false) > MAX_FLOATS_PER_SAMPLE) {
                throw new OnnxFormatException("the model needs " + net.floatsPerSample(false) + " floats per sample, more "
                        + "than the " + MAX_FLOATS_PER_SAMPLE + " this reader takes");
            }
            return new OnnxModel(net, inputName, outputName, inputShape, outputOrder, finalOp);
        }

        // ---- nodes ----

        private void convert(NodeProto n) throws OnnxFormatException {
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                throw refuse("is in domain '" + n.getDomain() + "', which this reader does not support");
            }
            if (finalOp != OnnxModel.FinalOp.NONE) {
                throw refuse("comes after the final " + (finalOp == OnnxModel.FinalOp.SOFTMAX ? "Softmax" : "LogSoftmax")
                        + ": a softmax must be the graph's last node");
            }
            for (AttributeProto a : n.getAttributeList()) {
                if (!a.getG().isEmpty() || !a.getRefAttrName().isEmpty()) {
                    throw refuse("has a subgraph or a reference attribute ('" + a.getName() + "'), which this reader "
                            + "does not support");
                }
            }
            if (pendingPad > 0 && !n.getOpType().equals("Conv") && !n.getOpType().equals("AveragePool")) {
                throw refuse("follows a Pad node: padding is supported only before a Conv or an AveragePool");
            }
            switch (n.getOpType()) {
                case "Constant" -> constant(n);
                case "Shape" -> shape(n);
                case "Gather" -> gather(n);
                case "Unsqueeze" -> unsqueeze(n);
                case "Concat" -> concat(n);
                case "Identity" -> alias(n, values.get(inputName(n, 0)));
                case "Dropout" -> dropout(n);
                case "Conv" -> conv(n);
                case "MaxPool" -> maxPool(n);
                case "AveragePool" -> averagePool(n);
                case "Pad" -> pad(n);
                case "GlobalAveragePool" -> globalAveragePool(n);
                case "BatchNormalization" -> batchNorm(n);
                case "Relu" -> activation(n, Activation.RELU);
                case "Sigmoid" -> activation(n, Activation.SIGMOID);
                case "Tanh" -> activation(n, Activation.TANH);
                case "LeakyRelu" -> {
                    float alpha = floatAttribute(n, "alpha", 0.01f);
                    if (alpha != Activation.LEAKY_SLOPE) {
                        throw refuse("has alpha " + alpha + ": this reader supports the default slope "
                                + Activation.LEAKY_SLOPE + " only");
                    }
                    activation(n, Activation.LEAKY_RELU);
                }
                case "Gemm" -> gemm(n);
                case "MatMul" -> matMul(n);
                case "Add" -> add(n);
                case "Mul" -> multiply(n);
                case "Flatten" -> flatten(n);
                case "Reshape" -> reshape(n);
                case "Sub", "Div" -> normalization(n);
                case "Softmax", "LogSoftmax" -> softmax(n);
                default -> throw refuse("is not supported by this reader");
            }
        }

        private OnnxFormatException refuse(String problem) {
            String name = node.getName().isEmpty() ? "" : " '" + node.getName() + "'";
            return new OnnxFormatException("node" + name + " (" + node.getOpType() + ") " + problem);
        }

        /** The name of input i of n; an empty name means an omitted optional input. */
        private String inputName(NodeProto n, int i) throws OnnxFormatException {
            if (i >= n.getInputCount()) {
                throw refuse("has " + n.getInputCount() + " inputs, fewer than it needs");
            }
            return n.getInput(i);
        }

        private boolean hasInput(NodeProto n, int i) {
            return i < n.getInputCount() && !n.getInput(i).isEmpty();
        }

        /** The value named {@code name}: computed by an earlier node, or a constant; refused if neither. */
        private Value value(String name) throws OnnxFormatException {
            Value v = values.get(name);
            if (v == null) {
                v = constantOrNull(name);
            }
            if (v == null) {
                throw refuse("reads '" + name + "', which no earlier node produces (an unsorted graph, or a cycle)");
            }
            return v;
        }

        /** The data input i of n, which must be the value now flowing (the graph is a chain). */
        private Data data(NodeProto n, int i) throws OnnxFormatException {
            String name = inputName(n, i);
            Value v = value(name);
            if (!(v instanceof Data d)) {
                throw refuse("computes on constants only, which this reader does not evaluate");
            }
            if (!name.equals(current)) {
                throw refuse("reads '" + name + "', an earlier value than '" + current
                        + "': this reader takes graphs that are one chain (no branches or skip connections)");
            }
            return d;
        }

        /** The constant input i of n (an initializer, a Constant node's output, or a value computed while reading). */
        private Tensors.Constant constant(NodeProto n, int i) throws OnnxFormatException {
            Value v = value(inputName(n, i));
            if (!(v instanceof Const c)) {
                throw refuse("takes the data flowing through the network as input " + i
                        + ", where this reader needs a constant");
            }
            return c.value();
        }

        private Value constantOrNull(String name) throws OnnxFormatException {
            TensorProto t = initializers.get(name);
            if (t == null) {
                return null;
            }
            Const c = new Const(Tensors.decode(t, "initializer '" + name + "'"));
            values.put(name, c);
            return c;
        }

        /** Sets output 0 of n to v; any further output must be unused (an empty name). */
        private void alias(NodeProto n, Value v) throws OnnxFormatException {
            if (v == null) {
                v = constantOrNull(inputName(n, 0));
            }
            if (v == null) {
                throw refuse("reads '" + inputName(n, 0) + "', which no earlier node produces");
            }
            if (v instanceof Data) {
                data(n, 0); // checks the chain
            }
            output(n, v);
        }

        private void output(NodeProto n, Value v) throws OnnxFormatException {
            if (n.getOutputCount() < 1) {
                throw refuse("has no output");
            }
            for (int o = 1; o < n.getOutputCount(); o++) {
                if (!n.getOutput(o).isEmpty()) {
                    throw refuse("has a second output '" + n.getOutput(o) + "', which this reader does not support");
                }
            }
            String name = n.getOutput(0);
            if (values.containsKey(name)) {
                throw refuse("writes '" + name + "', which an earlier node already wrote (a cycle, or an invalid graph)");
            }
            values.put(name, v);
            if (v instanceof Data) {
                current = name;
            }
        }

        /** Adds a layer after the current data, whose output becomes the new current data. */
        private void addLayer(NodeProto n, Layer layer, int rank, int[] order) throws OnnxFormatException {
            layers.add(layer);
            matmulBias = false;
            scaleOnly = false;
            output(n, new Data(layer.outputShape(), rank, order));
        }

        /** Adds the layer {@code make} builds on an image input; its refusal of the shape becomes the node's. */
        private void addImageLayer(NodeProto n, Supplier<Layer> make, String problem) throws OnnxFormatException {
            Layer layer;
            try {
                layer = make.get();
            } catch (IllegalArgumentException e) {
                throw refuse(problem + e.getMessage());
            }
            addLayer(n, layer, 4, null);
        }

        // ---- constants and shapes ----

        private void constant(NodeProto n) throws OnnxFormatException {
            for (AttributeProto a : n.getAttributeList()) {
                switch (a.getName()) {
                    case "value" -> {
                        output(n, new Const(Tensors.decode(a.getT(), "the value of node '" + n.getName() + "'")));
                        return;
                    }
                    case "value_float" -> {
                        output(n, new Const(new Tensors.Constant(new long[0], new float[] {a.getF()}, null)));
                        return;
                    }
                    case "value_floats" -> {
                        float[] f = new float[a.getFloatsCount()];
                        for (int i = 0; i < f.length; i++) {
                            f[i] = a.getFloats(i);
                        }
                        output(n, new Const(new Tensors.Constant(new long[] {f.length}, f, null)));
                        return;
                    }
                    case "value_int" -> {
                        output(n, new Const(new Tensors.Constant(new long[0], null, new long[] {a.getI()})));
                        return;
                    }
                    case "value_ints" -> {
                        long[] l = new long[a.getIntsCount()];
                        for (int i = 0; i < l.length; i++) {
                            l[i] = a.getInts(i);
                        }
                        output(n, new Const(new Tensors.Constant(new long[] {l.length}, null, l)));
                        return;
                    }
                    default -> {
                        // other attributes (sparse_value, strings) are refused below
                    }
                }
            }
            throw refuse("has no float or integer value");
        }

        /** Shape(x) of the data: {@code [N, C, H, W]} (or {@code [N, F]}), N symbolic. */
        private void shape(NodeProto n) throws OnnxFormatException {
            Value v = values.get(inputName(n, 0));
            if (n.getAttributeCount() > 0) {
                throw refuse("has attributes (start, end), which this reader does not support");
            }
            if (v instanceof Const c) {
                output(n, new Const(new Tensors.Constant(new long[] {c.value().dims().length}, null, c.value().dims())));
                return;
            }
            Data d = data(n, 0);
            long[] dims = d.rank() == 4 ? new long[] {BATCH, d.shape().channels(), d.shape().height(), d.shape().width()}
                    : new long[] {BATCH, d.shape().size()};
            output(n, new Const(new Tensors.Constant(new long[] {dims.length}, null, dims)));
        }

        private long[] longs(NodeProto n, int i) throws OnnxFormatException {
            Tensors.Constant c = constant(n, i);
            if (c.longs() == null) {
                throw refuse("needs integers as input " + i + ", got floats");
            }
            return c.longs();
        }

        /** Gather along axis 0 of a vector of integers (picking dimensions out of a shape). */
        private void gather(NodeProto n) throws OnnxFormatException {
            Tensors.Constant data = constant(n, 0);
            long[] indices = longs(n, 1);
            if (longAttribute(n, "axis", 0) != 0 || data.dims().length != 1 || data.longs() == null) {
                throw refuse("is supported only on a vector of integers along axis 0 (as in x.view(x.size(0), -1))");
            }
            long[] picked = new long[indices.length];
            for (int i = 0; i < indices.length; i++) {
                long index = indices[i] < 0 ? indices[i] + data.longs().length : indices[i];
                if (index < 0 || index >= data.longs().length) {
                    throw refuse("has index " + indices[i] + " outside 0 to " + (data.longs().length - 1));
                }
                picked[i] = data.longs()[(int) index];
            }
            long[] dims = constant(n, 1).dims().length == 0 ? new long[0] : new long[] {picked.length};
            output(n, new Const(new Tensors.Constant(dims, null, picked)));
        }

        /** Unsqueeze of a scalar or vector constant: the values stay, the dimensions get ones. */
        private void unsqueeze(NodeProto n) throws OnnxFormatException {
            Tensors.Constant c = constant(n, 0);
            long[] axes = opset >= 13 ? longs(n, 1) : longsAttribute(n, "axes");
            int rank = c.dims().length + axes.length;
            if (rank > 8) {
                throw refuse("gives rank " + rank + ", more than this reader evaluates");
            }
            long[] dims = new long[rank];
            boolean[] inserted = new boolean[rank];
            for (long axis : axes) {
                int a = (int) (axis < 0 ? axis + rank : axis);
                if (a < 0 || a >= rank || inserted[a]) {
                    throw refuse("has an invalid axis " + axis);
                }
                inserted[a] = true;
            }
            for (int i = 0, j = 0; i < rank; i++) {
                dims[i] = inserted[i] ? 1 : c.dims()[j++];
            }
            output(n, new Const(new Tensors.Constant(dims, c.floats(), c.longs())));
        }

        /** Concat of integer vectors along axis 0 (building a shape). */
        private void concat(NodeProto n) throws OnnxFormatException {
            List<long[]> parts = new ArrayList<>();
            int total = 0;
            for (int i = 0; i < n.getInputCount(); i++) {
                Tensors.Constant c = constant(n, i);
                if (c.longs() == null || c.dims().length != 1) {
                    throw refuse("is supported only on vectors of integers (building a shape)");
                }
                parts.add(c.longs());
                total += c.longs().length;
            }
            long[] all = new long[total];
            int at = 0;
            for (long[] part : parts) {
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
            }
            output(n, new Const(new Tensors.Constant(new long[] {total}, null, all)));
        }

        // ---- layers ----

        private void dropout(NodeProto n) throws OnnxFormatException {
            if (hasInput(n, 2)) {
                Tensors.Constant training = constant(n, 2);
                if (training.size() == 1 && (training.longs() != null ? training.longs()[0] != 0 : training.floats()[0] != 0)) {
                    throw refuse("is in training mode: this reader reads models for inference");
                }
            }
            alias(n, values.get(inputName(n, 0)));
        }

        private void conv(NodeProto n) throws OnnxFormatException {
            Data x = image(n);
            Tensors.Constant w = constant(n, 1);
            if (longAttribute(n, "group", 1) != 1) {
                throw refuse("has group " + longAttribute(n, "group", 1) + ": this reader supports group 1 only");
            }
            if (w.floats() == null || w.dims().length != 4) {
                throw refuse("has weights of dimensions " + Arrays.toString(w.dims()) + ": expected [K, C, k, k] floats");
            }
            int filters = (int) w.dims()[0], channels = x.shape().channels();
            if (w.dims()[1] != channels || w.dims()[2] != w.dims()[3]) {
                throw refuse("has weights " + Arrays.toString(w.dims()) + " for an input of " + channels
                        + " channels: expected [K, " + channels + ", k, k] (square kernels only)");
            }
            int k = (int) w.dims()[2];
            checkKernelShape(n, k);
            checkNoDilation(n);
            int stride = stride(n);
            int padding = padding(n) + pendingPad;
            pendingPad = 0;
            float[] bias = new float[filters];
            if (hasInput(n, 2)) {
                Tensors.Constant b = constant(n, 2);
                if (b.floats() == null || b.size() != filters) {
                    throw refuse("has a bias of " + b.size() + " values for " + filters + " filters");
                }
                bias = b.floats().clone();
            }
            // ONNX W[f, c, ky, kx] → this project's W[(ky·k + kx)·C + c, f]
            FMatrixRMaj weights = new FMatrixRMaj(k * k * channels, filters);
            float[] wf = w.floats();
            for (int f = 0; f < filters; f++) {
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            weights.data[((ky * k + kx) * channels + c) * filters + f] = wf[((f * channels + c) * k + ky) * k + kx];
                        }
                    }
                }
            }
            FMatrixRMaj biasRow = FMatrixRMaj.wrap(1, filters, bias);
            addImageLayer(n, () -> new Conv2D(x.shape(), k, stride, padding, weights, biasRow, Activation.IDENTITY),
                    "does not fit this project's convolution: ");
        }

        private void maxPool(NodeProto n) throws OnnxFormatException {
            Data x = image(n);
            int k = squareKernel(n);
            checkNoDilation(n);
            int stride = stride(n);
            if (padding(n) != 0) {
                throw refuse("has padding: this reader supports max pooling without padding only");
            }
            if (longAttribute(n, "storage_order", 0) != 0) {
                throw refuse("has storage_order 1, which this reader does not support");
            }
            checkCeilMode(n, x.shape(), k, stride, 0);
            addImageLayer(n, () -> new MaxPool2D(x.shape(), k, stride), "does not fit: ");
        }

        private void averagePool(NodeProto n) throws OnnxFormatException {
            Data x = image(n);
            int k = squareKernel(n);
            checkNoDilation(n);
            int stride = stride(n);
            int own = padding(n);
            if (own > 0 && longAttribute(n, "count_include_pad", 0) == 0) {
                throw refuse("has padding that the mean leaves out (count_include_pad 0): this reader supports padding "
                        + "counted in the mean only (PyTorch's default)");
            }
            int padding = own + pendingPad;
            pendingPad = 0;
            checkCeilMode(n, x.shape(), k, stride, padding);
            addImageLayer(n, () -> new AvgPool2D(x.shape(), k, stride, padding), "does not fit: ");
        }

        /** A constant zero Pad of the image's sides, equal on all four, kept for the Conv or AveragePool after it. */
        private void pad(NodeProto n) throws OnnxFormatException {
            image(n);
            String mode = stringAttribute(n, "mode", "constant");
            long[] pads = opset >= 11 ? longs(n, 1) : longsAttribute(n, "pads");
            float value = opset >= 11 ? (hasInput(n, 2) ? constant(n, 2).asFloats()[0] : 0f) : floatAttribute(n, "value", 0f);
            boolean sides = pads.length == 8 && pads[0] == 0 && pads[1] == 0 && pads[4] == 0 && pads[5] == 0
                    && pads[2] == pads[3] && pads[2] == pads[6] && pads[2] == pads[7] && pads[2] >= 0 && pads[2] <= 1 << 16;
            if (!mode.equals("constant") || value != 0f || !sides || (opset >= 18 && hasInput(n, 3))) {
                throw refuse("is supported only as the same number of zeros on every side of the image (constant mode, "
                        + "value 0), got mode " + mode + ", value " + value + ", pads " + Arrays.toString(pads));
            }
            pendingPad += (int) pads[2];
            alias(n, values.get(inputName(n, 0)));
        }

        private void globalAveragePool(NodeProto n) throws OnnxFormatException {
            Data x = image(n);
            addLayer(n, new GlobalAvgPool2D(x.shape()), 4, null);
        }

        private void batchNorm(NodeProto n) throws OnnxFormatException {
            Data x = data(n, 0);
            if (longAttribute(n, "training_mode", 0) != 0) {
                throw refuse("is in training mode: this reader reads models for inference");
            }
            if (longAttribute(n, "spatial", 1) != 1) {
                throw refuse("has spatial 0, which this reader does not support");
            }
            int channels = x.shape().channels();
            float[][] p = new float[4][];
            for (int i = 0; i < 4; i++) {
                Tensors.Constant c = constant(n, i + 1);
                if (c.size() != channels) {
                    throw refuse("has " + c.size() + " values in input " + (i + 1) + " for " + channels + " channels");
                }
                p[i] = c.asFloats();
            }
            float epsilon = floatAttribute(n, "epsilon", 1e-5f);
            // y = γ'(x - μ)/sqrt(σ² + ε) + β' = x·γ + β, with γ = γ'/sqrt(σ² + ε) and β = β' - μ·γ, in float as PyTorch
            FMatrixRMaj scale = new FMatrixRMaj(1, channels), shift = new FMatrixRMaj(1, channels);
            for (int c = 0; c < channels; c++) {
                int at = x.order() == null ? c : x.order()[c];
                float invStd = 1f / (float) Math.sqrt(p[3][c] + epsilon);
                scale.data[at] = p[0][c] * invStd;
                shift.data[at] = p[1][c] - p[2][c] * scale.data[at];
            }
            addLayer(n, new ChannelAffine(x.shape(), scale, shift), x.rank(), x.order());
        }

        /** An activation: carried by the convolution or dense layer just before, when it has none yet, else a layer. */
        private void activation(NodeProto n, Activation f) throws OnnxFormatException {
            Data x = data(n, 0);
            Layer last = layers.isEmpty() ? null : layers.get(layers.size() - 1);
            Layer fused = null;
            if (last instanceof Conv2D c && c.activation() == Activation.IDENTITY) {
                fused = new Conv2D(c.inputShape(), c.kernel(), c.stride(), c.padding(), c.weights(), c.bias(), f);
            } else if (last instanceof DenseLayer d && d.activation() == Activation.IDENTITY) {
                fused = new DenseLayer(d.weights(), d.bias(), f);
            }
            if (fused != null) {
                layers.set(layers.size() - 1, fused);
                matmulBias = false;
                scaleOnly = false;
                output(n, x);
            } else {
                addLayer(n, new ActivationLayer(x.shape(), f), x.rank(), x.order());
            }
        }

        /** Gemm: {@code Y = alpha·A'·B' + beta·C}, A the data, B and C constants. */
        private void gemm(NodeProto n) throws OnnxFormatException {
            Data x = flat(n);
            if (longAttribute(n, "transA", 0) != 0) {
                throw refuse("has transA 1, which this reader does not support");
            }
            boolean transB = longAttribute(n, "transB", 0) != 0;
            float alpha = floatAttribute(n, "alpha", 1f), beta = floatAttribute(n, "beta", 1f);
            Tensors.Constant b = constant(n, 1);
            if (b.floats() == null || b.dims().length != 2) {
                throw refuse("has B of dimensions " + Arrays.toString(b.dims()) + ": expected a 2-D float matrix");
            }
            int in = (int) b.dims()[transB ? 1 : 0], out = (int) b.dims()[transB ? 0 : 1];
            if (in != x.shape().size()) {
                throw refuse("multiplies " + x.shape().size() + " inputs by B of dimensions " + Arrays.toString(b.dims())
                        + (transB ? " (transposed)" : ""));
            }
            float[] bias = new float[out];
            if (hasInput(n, 2)) {
                float[] c = broadcastVector(constant(n, 2), out, "C");
                for (int j = 0; j < out; j++) {
                    bias[j] = beta * c[j];
                }
            }
            FMatrixRMaj w = dense(b.floats(), in, out, transB, alpha, x.order());
            addLayer(n, new DenseLayer(w, FMatrixRMaj.wrap(1, out, bias), Activation.IDENTITY), 2, null);
        }

        private void matMul(NodeProto n) throws OnnxFormatException {
            Data x = flat(n);
            Tensors.Constant b = constant(n, 1);
            if (b.floats() == null || b.dims().length != 2 || b.dims()[0] != x.shape().size()) {
                throw refuse("multiplies " + x.shape().size() + " inputs by a matrix of dimensions "
                        + Arrays.toString(b.dims()) + ": expected [" + x.shape().size() + ", out] floats");
            }
            int out = (int) b.dims()[1];
            FMatrixRMaj w = dense(b.floats(), x.shape().size(), out, false, 1f, x.order());
            addLayer(n, new DenseLayer(w, new FMatrixRMaj(1, out), Activation.IDENTITY), 2, null);
            matmulBias = true;
        }

        /**
         * Add of a constant: the bias of a MatMul just before; else one value per channel, the shift
         * of the {@link ChannelAffine} a Mul just made, or a new one of scale 1 ({@code x·1 + β} is
         * exactly {@code x + β}).
         */
        private void add(NodeProto n) throws OnnxFormatException {
            int dataInput = values.get(inputName(n, 0)) instanceof Data ? 0 : 1;
            Data x = data(n, dataInput);
            if (!matmulBias) {
                float[] shift = perChannel(n, x, constant(n, 1 - dataInput));
                Layer last = layers.isEmpty() ? null : layers.get(layers.size() - 1);
                if (last instanceof ChannelAffine a && scaleOnly) {
                    System.arraycopy(shift, 0, a.shift().data, 0, shift.length);
                    scaleOnly = false;
                    output(n, x);
                    return;
                }
                float[] ones = new float[shift.length];
                Arrays.fill(ones, 1f);
                addLayer(n, new ChannelAffine(x.shape(), FMatrixRMaj.wrap(1, ones.length, ones),
                        FMatrixRMaj.wrap(1, shift.length, shift)), x.rank(), x.order());
                return;
            }
            DenseLayer d = (DenseLayer) layers.get(layers.size() - 1);
            float[] c = broadcastVector(constant(n, 1 - dataInput), d.outputs(), "the added constant");
            System.arraycopy(c, 0, d.bias().data, 0, c.length);
            matmulBias = false;
            output(n, values.get(current));
        }

        /** Mul by one value per channel: a {@link ChannelAffine} of shift 0 (which an Add right after may set). */
        private void multiply(NodeProto n) throws OnnxFormatException {
            int dataInput = values.get(inputName(n, 0)) instanceof Data ? 0 : 1;
            Data x = data(n, dataInput);
            float[] scale = perChannel(n, x, constant(n, 1 - dataInput));
            addLayer(n, new ChannelAffine(x.shape(), FMatrixRMaj.wrap(1, scale.length, scale),
                    new FMatrixRMaj(1, scale.length)), x.rank(), x.order());
            scaleOnly = true;
        }

        /**
         * A constant that broadcasts as one value per channel of the data (per feature of a vector),
         * in the network's channel order.
         */
        private float[] perChannel(NodeProto n, Data x, Tensors.Constant c) throws OnnxFormatException {
            int channels = x.shape().channels();
            if (c.floats() == null) {
                throw refuse("has an integer constant, where this reader needs floats");
            }
            float[] v = new float[channels];
            if (c.size() == 1) {
                Arrays.fill(v, c.floats()[0]);
            } else if (c.size() == channels && isChannelVector(c.dims(), x.rank())) {
                for (int o = 0; o < channels; o++) {
                    v[x.order() == null ? o : x.order()[o]] = c.floats()[o];
                }
            } else {
                throw refuse("has a constant of dimensions " + Arrays.toString(c.dims())
                        + ": expected one value, or one per channel ([1, C, 1, 1], or [F] for a vector)");
            }
            return v;
        }

        private void flatten(NodeProto n) throws OnnxFormatException {
            Data x = data(n, 0);
            long axis = longAttribute(n, "axis", 1);
            if (axis != 1 && axis + x.rank() != 1) {
                throw refuse("has axis " + axis + ": this reader supports flattening each sample (axis 1) only");
            }
            flattenData(n, x);
        }

        private void flattenData(NodeProto n, Data x) throws OnnxFormatException {
            if (x.shape().isFlat()) {
                output(n, new Data(x.shape(), 2, x.order()));
                return;
            }
            Flatten f = new Flatten(x.shape());
            boolean reorders = x.shape().channels() > 1;
            addLayer(n, f, 2, reorders ? nchwOrder(x.shape()) : null);
        }

        /** Reshape of each sample to a flat vector, {@code [N, -1]} in any of the ways exporters spell it. */
        private void reshape(NodeProto n) throws OnnxFormatException {
            Data x = data(n, 0);
            long[] target = longs(n, 1);
            long size = x.shape().size();
            boolean batchFirst = target.length == 2 && (target[0] == BATCH || target[0] == 0
                    || (target[0] == declaredBatch && declaredBatch > 0) || (target[0] == -1 && target[1] == size));
            boolean flatRest = target.length == 2 && (target[1] == -1 || target[1] == size);
            if (!batchFirst || !flatRest || longAttribute(n, "allowzero", 0) != 0) {
                throw refuse("reshapes to " + describe(target) + ": this reader supports flattening each sample "
                        + "([N, -1]) only");
            }
            flattenData(n, x);
        }

        private static String describe(long[] dims) {
            StringBuilder s = new StringBuilder("[");
            for (int i = 0; i < dims.length; i++) {
                s.append(i == 0 ? "" : ", ").append(dims[i] == BATCH ? "N" : Long.toString(dims[i]));
            }
            return s.append(']').toString();
        }

        /** Sub or Div of the input by per-channel constants, in front of every layer: a normalisation. */
        private void normalization(NodeProto n) throws OnnxFormatException {
            Data x = data(n, 0);
            boolean front = layers.stream().allMatch(l -> l instanceof Normalization);
            if (!front || x.order() != null) {
                throw refuse("is supported only on the input, in front of every layer (input normalisation)");
            }
            int channels = x.shape().channels();
            Tensors.Constant c = constant(n, 1);
            if (c.floats() == null) {
                throw refuse("has an integer constant, where this reader needs floats");
            }
            float[] perChannel = new float[channels];
            long[] d = c.dims();
            if (c.size() == 1) {
                Arrays.fill(perChannel, c.floats()[0]);
            } else if (c.size() == channels && isChannelVector(d, x.rank())) {
                perChannel = c.floats().clone();
            } else {
                throw refuse("has a constant of dimensions " + Arrays.toString(d)
                        + ": expected one value, or one per channel ([1, C, 1, 1])");
            }
            float[] zeros = new float[channels], ones = new float[channels];
            Arrays.fill(ones, 1f);
            boolean sub = n.getOpType().equals("Sub");
            Layer last = layers.isEmpty() ? null : layers.get(layers.size() - 1);
            try {
                if (!sub && last instanceof Normalization prev && allOnes(prev.std())) {
                    // Sub then Div: one normalisation (x - μ) / σ, the same arithmetic
                    layers.set(layers.size() - 1, new Normalization(x.shape(), prev.mean(), perChannel));
                    output(n, x);
                    return;
                }
                addLayer(n, new Normalization(x.shape(), sub ? perChannel : zeros, sub ? ones : perChannel), x.rank(), null);
            } catch (IllegalArgumentException e) {
                throw refuse("does not make a normalisation: " + e.getMessage());
            }
        }

        private static boolean allOnes(float[] v) {
            for (float f : v) {
                if (f != 1f) {
                    return false;
                }
            }
            return true;
        }

        /** Whether dims broadcast as one value per channel: [C], [C, 1, 1], [1, C, 1, 1] for images; [F], [1, F] for vectors. */
        private static boolean isChannelVector(long[] d, int rank) {
            if (rank == 2) {
                return d.length == 1 || (d.length == 2 && d[0] == 1);
            }
            return (d.length == 3 && d[1] == 1 && d[2] == 1) || (d.length == 4 && d[0] == 1 && d[2] == 1 && d[3] == 1);
        }

        private void softmax(NodeProto n) throws OnnxFormatException {
            Data x = data(n, 0);
            long axis = longAttribute(n, "axis", opset >= 13 ? -1 : 1);
            if (x.rank() != 2 || !(axis == 1 || axis == -1)) {
                throw refuse("is supported only over the classes of a [N, classes] output (axis 1)");
            }
            finalOp = n.getOpType().equals("Softmax") ? OnnxModel.FinalOp.SOFTMAX : OnnxModel.FinalOp.LOG_SOFTMAX;
            if (n.getOutputCount() != 1) {
                throw refuse("has " + n.getOutputCount() + " outputs, expected 1");
            }
            finalOutput = n.getOutput(0);
        }

        // ---- helpers ----

        private Data image(NodeProto n) throws OnnxFormatException {
            Data x = data(n, 0);
            if (x.rank() != 4) {
                throw refuse("needs an image [N, C, H, W], got a vector of " + x.shape().size());
            }
            return x;
        }

        private Data flat(NodeProto n) throws OnnxFormatException {
            Data x = data(n, 0);
            if (x.rank() != 2) {
                throw refuse("needs a vector [N, F], got an image " + x.shape() + " (flatten it first)");
            }
            return x;
        }

        /**
         * The weights of a dense layer, {@code in x out}, from B ({@code in x out}, or {@code out x in}
         * when transposed) times alpha; row o of the ONNX matrix goes to row {@code order[o]} (the
         * channels-last position of that input), or stays when order is null.
         */
        private static FMatrixRMaj dense(float[] b, int in, int out, boolean transB, float alpha, int[] order) {
            FMatrixRMaj w = new FMatrixRMaj(in, out);
            for (int i = 0; i < in; i++) {
                int row = order == null ? i : order[i];
                for (int j = 0; j < out; j++) {
                    float v = transB ? b[j * in + i] : b[i * out + j];
                    w.data[row * out + j] = alpha == 1f ? v : alpha * v;
                }
            }
            return w;
        }

        private float[] broadcastVector(Tensors.Constant c, int out, String what) throws OnnxFormatException {
            if (c.floats() == null) {
                throw refuse("has an integer " + what + ", where this reader needs floats");
            }
            if (c.size() == out) {
                return c.floats();
            }
            if (c.size() == 1) {
                float[] all = new float[out];
                Arrays.fill(all, c.floats()[0]);
                return all;
            }
            throw refuse("has " + what + " of " + c.size() + " values for " + out + " outputs");
        }

        private void checkKernelShape(NodeProto n, int k) throws OnnxFormatException {
            long[] shape = longsAttribute(n, "kernel_shape");
            if (shape.length != 0 && (shape.length != 2 || shape[0] != k || shape[1] != k)) {
                throw refuse("has kernel_shape " + Arrays.toString(shape) + " that does not match its " + k + "x" + k
                        + " weights");
            }
        }

        private int squareKernel(NodeProto n) throws OnnxFormatException {
            long[] shape = longsAttribute(n, "kernel_shape");
            if (shape.length != 2 || shape[0] != shape[1] || shape[0] < 1 || shape[0] > 1 << 16) {
                throw refuse("has kernel_shape " + Arrays.toString(shape) + ": this reader supports square 2-D windows only");
            }
            return (int) shape[0];
        }

        private void checkNoDilation(NodeProto n) throws OnnxFormatException {
            for (long d : longsAttribute(n, "dilations")) {
                if (d != 1) {
                    throw refuse("has dilations " + Arrays.toString(longsAttribute(n, "dilations"))
                            + ": this reader supports dilation 1 only");
                }
            }
        }

        private int stride(NodeProto n) throws OnnxFormatException {
            long[] strides = longsAttribute(n, "strides");
            if (strides.length == 0) {
                return 1;
            }
            if (strides.length != 2 || strides[0] != strides[1] || strides[0] < 1 || strides[0] > 1 << 16) {
                throw refuse("has strides " + Arrays.toString(strides) + ": this reader supports equal 2-D strides only");
            }
            return (int) strides[0];
        }

        /** The padding of every side, which must be the same; auto_pad NOTSET or VALID only. */
        private int padding(NodeProto n) throws OnnxFormatException {
            String autoPad = stringAttribute(n, "auto_pad", "NOTSET");
            if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
                throw refuse("has auto_pad " + autoPad + ": this reader supports explicit pads only");
            }
            long[] pads = longsAttribute(n, "pads");
            if (pads.length == 0) {
                return 0;
            }
            if (pads.length != 4 || pads[0] != pads[1] || pads[0] != pads[2] || pads[0] != pads[3] || pads[0] < 0
                    || pads[0] > 1 << 16) {
                throw refuse("has pads " + Arrays.toString(pads) + ": this reader supports the same padding on every "
                        + "side only");
            }
            return (int) pads[0];
        }

        /** ceil_mode 1 is accepted where it gives the same output size as 0 (the windows fit exactly). */
        private void checkCeilMode(NodeProto n, Shape in, int k, int stride, int padding) throws OnnxFormatException {
            if (longAttribute(n, "ceil_mode", 0) == 0) {
                return;
            }
            for (int side : new int[] {in.height(), in.width()}) {
                if ((side + 2 * padding - k) % stride != 0) {
                    throw refuse("has ceil_mode 1 with windows that do not fit exactly: this reader supports floor only");
                }
            }
        }

        /** The node's attribute {@code name}, or null if absent; refused if it carries another type. */
        private AttributeProto attribute(NodeProto n, String name, AttributeProto.AttributeType type)
                throws OnnxFormatException {
            for (AttributeProto a : n.getAttributeList()) {
                if (a.getName().equals(name)) {
                    if (a.hasType() && a.getType() != type) {
                        throw refuse("has attribute " + name + " of type " + a.getType() + ", expected " + type);
                    }
                    return a;
                }
            }
            return null;
        }

        private long longAttribute(NodeProto n, String name, long fallback) throws OnnxFormatException {
            AttributeProto a = attribute(n, name, AttributeProto.AttributeType.INT);
            return a == null ? fallback : a.getI();
        }

        private float floatAttribute(NodeProto n, String name, float fallback) throws OnnxFormatException {
            AttributeProto a = attribute(n, name, AttributeProto.AttributeType.FLOAT);
            if (a != null && !Float.isFinite(a.getF())) {
                throw refuse("has attribute " + name + " = " + a.getF() + ", expected a finite number");
            }
            return a == null ? fallback : a.getF();
        }

        private String stringAttribute(NodeProto n, String name, String fallback) throws OnnxFormatException {
            AttributeProto a = attribute(n, name, AttributeProto.AttributeType.STRING);
            return a == null ? fallback : a.getS().toStringUtf8();
        }

        private long[] longsAttribute(NodeProto n, String name) throws OnnxFormatException {
            AttributeProto a = attribute(n, name, AttributeProto.AttributeType.INTS);
            long[] v = new long[a == null ? 0 : a.getIntsCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = a.getInts(i);
            }
            return v;
        }
    }

    /**
     * For an image of {@code shape} flattened in ONNX (NCHW) order, the index in this project's
     * channels-last flattening of each value: {@code order[c·H·W + y·W + x] = (y·W + x)·C + c}.
     */
    static int[] nchwOrder(Shape shape) {
        int channels = shape.channels(), pixels = shape.height() * shape.width();
        int[] order = new int[shape.size()];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < pixels; p++) {
                order[c * pixels + p] = p * channels + c;
            }
        }
        return order;
    }

    static Set<String> supportedOperators() {
        return new HashSet<>(List.of("Constant", "Shape", "Gather", "Unsqueeze", "Concat", "Identity", "Dropout", "Conv",
                "MaxPool", "AveragePool", "Pad", "GlobalAveragePool", "BatchNormalization", "Relu", "Sigmoid", "Tanh",
                "LeakyRelu", "Gemm", "MatMul", "Add", "Mul", "Flatten", "Reshape", "Sub", "Div", "Softmax", "LogSoftmax"));
    }
}
