package dev.badnets.onnx;

import dev.badnets.core.Activation;
import dev.badnets.core.ActivationLayer;
import dev.badnets.core.AvgPool2D;
import dev.badnets.core.ChannelAffine;
import dev.badnets.core.Conv2D;
import dev.badnets.core.DenseLayer;
import dev.badnets.core.Flatten;
import dev.badnets.core.GlobalAvgPool2D;
import dev.badnets.core.Layer;
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
import dev.badnets.onnx.proto.Onnx.TypeProto;
import dev.badnets.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a {@link Network} as an ONNX model (opset {@value #OPSET}) that any ONNX runtime, or
 * PyTorch through an ONNX importer, evaluates to the same outputs:
 * <pre>
 *   input   [N, C, H, W] float (or [N, F] for a network on flat vectors given no image shape),
 *           pixels in [0, 1] before the network's own normalisation
 *   output  [N, classes] float, the logits (no softmax)
 * </pre>
 * Each layer becomes the ONNX nodes that compute the same floats in the same order where the
 * operator allows it: Normalization → Sub, Div; Conv2D → Conv (weights reordered to
 * {@code [K, C, k, k]}) and its activation; MaxPool2D → MaxPool; AvgPool2D → AveragePool
 * ({@code count_include_pad=1}); GlobalAvgPool2D → GlobalAveragePool, Flatten; ChannelAffine → Mul,
 * Add; ActivationLayer → Relu, LeakyRelu, Sigmoid or Tanh; Flatten → Flatten; DenseLayer → Gemm
 * (the rows of the first one after a flatten reordered from channels-last to NCHW) and its
 * activation.
 */
public final class OnnxWriter {

    /** The opset written. */
    public static final int OPSET = 13;
    /** The IR version written (the one that goes with opset 13). */
    public static final int IR_VERSION = 7;

    private OnnxWriter() {
    }

    /**
     * Writes {@code net} to {@code file} in ONNX, whole or not at all (a temporary file beside it,
     * forced to disk, then renamed over it).
     *
     * @param imageShape for a network on flat vectors, the image it reads (the ONNX input is then
     *                   [N, C, H, W] followed by a Flatten); null to take the network's input shape
     * @param inputName  the name of the graph's input, e.g. {@code input}
     */
    public static void write(Network net, Shape imageShape, String inputName, Path file) throws IOException {
        byte[] bytes = toBytes(net, imageShape, inputName);
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(channel)) {
                out.write(bytes);
                out.flush();
                channel.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The ONNX model of {@code net} as bytes; see {@link #write}. */
    public static byte[] toBytes(Network net, Shape imageShape, String inputName) {
        return new Export(net, imageShape, inputName).run().toByteArray();
    }

    /** The conversion of one network, node after node. */
    private static final class Export {

        private final Network net;
        private final Shape image;
        private final String inputName;
        private final GraphProto.Builder graph = GraphProto.newBuilder().setName("badnets");
        private String current;
        private int rank; // of the ONNX tensor now flowing: 4 (NCHW) or 2
        private int[] order; // for a flat vector from a multi-channel image: ONNX index → channels-last index
        private int names;

        Export(Network net, Shape imageShape, String inputName) {
            this.net = net;
            Shape in = net.inputShape();
            if (imageShape != null && !(in.isFlat() && imageShape.size() == in.size()) && !imageShape.equals(in)) {
                throw new IllegalArgumentException("image shape " + imageShape + " does not match the network's input " + in);
            }
            this.image = imageShape != null ? imageShape : in;
            this.inputName = inputName;
        }

        ModelProto run() {
            current = inputName;
            boolean flatInput = image.isFlat();
            graph.addInput(valueInfo(inputName, flatInput ? new long[] {-1, image.size()}
                    : new long[] {-1, image.channels(), image.height(), image.width()}));
            rank = flatInput ? 2 : 4;
            if (net.inputShape().isFlat() && !flatInput) { // a dense network reading an image: flatten it first
                flatten(image);
            }
            for (Layer layer : net.layers()) {
                layer(layer);
            }
            node("Identity", new String[] {current}, "logits");
            graph.addOutput(valueInfo("logits", new long[] {-1, net.classes()}));
            return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("badnets")
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                    .setGraph(graph).build();
        }

        private void layer(Layer layer) {
            Shape in = layer.inputShape();
            if (layer instanceof Normalization n) {
                current = node("Sub", new String[] {current, channelConstant("mean", n.mean(), in)});
                current = node("Div", new String[] {current, channelConstant("std", n.std(), in)});
            } else if (layer instanceof Conv2D c) {
                int k = c.kernel(), channels = in.channels(), filters = c.filters();
                float[] w = new float[filters * channels * k * k];
                for (int f = 0; f < filters; f++) {
                    for (int ch = 0; ch < channels; ch++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                w[((f * channels + ch) * k + ky) * k + kx] =
                                        c.weights().data[((ky * k + kx) * channels + ch) * filters + f];
                            }
                        }
                    }
                }
                String weights = initializer("W", w, filters, channels, k, k);
                String bias = initializer("B", c.bias().data.clone(), filters);
                current = node("Conv", new String[] {current, weights, bias}, ints("kernel_shape", k, k),
                        ints("strides", c.stride(), c.stride()), ints("pads", c.padding(), c.padding(), c.padding(), c.padding()));
                activation(c.activation());
            } else if (layer instanceof MaxPool2D p) {
                current = node("MaxPool", new String[] {current}, ints("kernel_shape", p.window(), p.window()),
                        ints("strides", p.stride(), p.stride()));
            } else if (layer instanceof AvgPool2D p) {
                current = node("AveragePool", new String[] {current}, ints("kernel_shape", p.window(), p.window()),
                        ints("strides", p.stride(), p.stride()),
                        ints("pads", p.padding(), p.padding(), p.padding(), p.padding()), integer("count_include_pad", 1));
            } else if (layer instanceof GlobalAvgPool2D) {
                current = node("GlobalAveragePool", new String[] {current});
                current = node("Flatten", new String[] {current}, integer("axis", 1));
                rank = 2;
                order = null;
            } else if (layer instanceof ChannelAffine a) {
                current = node("Mul", new String[] {current, channelConstant("scale", a.scale().data, in)});
                current = node("Add", new String[] {current, channelConstant("shift", a.shift().data, in)});
            } else if (layer instanceof ActivationLayer a) {
                if (a.activation() == Activation.IDENTITY) {
                    current = node("Identity", new String[] {current});
                } else {
                    activation(a.activation());
                }
            } else if (layer instanceof Flatten) {
                if (rank == 4) {
                    flatten(in);
                }
            } else if (layer instanceof DenseLayer d) {
                int inputs = d.inputs(), outputs = d.outputs();
                float[] w = new float[inputs * outputs];
                for (int o = 0; o < inputs; o++) { // ONNX row o is the network's row order[o]
                    int row = order == null ? o : order[o];
                    System.arraycopy(d.weights().data, row * outputs, w, o * outputs, outputs);
                }
                order = null;
                String weights = initializer("W", w, inputs, outputs);
                String bias = initializer("B", d.bias().data.clone(), outputs);
                current = node("Gemm", new String[] {current, weights, bias});
                activation(d.activation());
            } else {
                throw new IllegalArgumentException("layer " + layer.spec() + " has no ONNX form in this writer");
            }
        }

        private void flatten(Shape shape) {
            current = node("Flatten", new String[] {current}, integer("axis", 1));
            rank = 2;
            order = shape.channels() > 1 && !shape.isFlat() ? OnnxReader.nchwOrder(shape) : null;
        }

        private void activation(Activation f) {
            switch (f) {
                case IDENTITY -> {
                }
                case RELU -> current = node("Relu", new String[] {current});
                case SIGMOID -> current = node("Sigmoid", new String[] {current});
                case TANH -> current = node("Tanh", new String[] {current});
                case LEAKY_RELU -> current = node("LeakyRelu", new String[] {current},
                        AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT)
                                .setF(Activation.LEAKY_SLOPE).build());
            }
        }

        /**
         * One value per channel (per feature of a flat vector), as a constant that broadcasts over
         * the tensor now flowing: {@code [1, C, 1, 1]} for an image, {@code [F]} (in ONNX order) for a vector.
         */
        private String channelConstant(String what, float[] values, Shape in) {
            if (rank == 4) {
                return initializer(what, values.clone(), 1, in.channels(), 1, 1);
            }
            float[] onnxOrder = new float[values.length];
            for (int o = 0; o < values.length; o++) {
                onnxOrder[o] = values[order == null ? o : order[o]];
            }
            return initializer(what, onnxOrder, values.length);
        }

        private String initializer(String what, float[] values, long... dims) {
            String name = what + "_" + (names++);
            graph.addInitializer(Tensors.floats(name, values, dims));
            return name;
        }

        private String node(String op, String[] inputs, AttributeProto... attributes) {
            return node(op, inputs, op.toLowerCase() + "_" + (names++), attributes);
        }

        private String node(String op, String[] inputs, String output, AttributeProto... attributes) {
            NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_" + (names++)).addOutput(output);
            for (String input : inputs) {
                n.addInput(input);
            }
            for (AttributeProto a : attributes) {
                n.addAttribute(a);
            }
            graph.addNode(n);
            return output;
        }

        private static AttributeProto ints(String name, long... values) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
            for (long v : values) {
                a.addInts(v);
            }
            return a.build();
        }

        private static AttributeProto integer(String name, long value) {
            return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
        }

        /** A float tensor's type and shape; -1 is the symbolic batch dimension N. */
        private static ValueInfoProto valueInfo(String name, long[] dims) {
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            for (long d : dims) {
                shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                        : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
            return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                    TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
        }
    }
}
