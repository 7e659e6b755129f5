package dev.badnets.onnx;

import dev.badnets.core.ArraySamples;
import dev.badnets.core.Evaluator;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import org.ejml.data.FMatrixRMaj;

/**
 * An ONNX model read as a {@link Network}, with what it takes to reproduce the ONNX graph's own
 * input and output: the names of its input and output, the image shape its input has in ONNX
 * (which a network that starts with a dense layer no longer shows), and how its output differs
 * from the network's.
 *
 * @param network     the graph as layers of this project; its outputs are the graph's output before
 *                    any final softmax, channels-last when the graph ends on an image
 * @param inputName   the graph's input, e.g. {@code input}
 * @param outputName  the graph's output, e.g. {@code logits}
 * @param inputShape  the input of one sample in ONNX, C x H x W (or a flat vector for a rank-2 input)
 * @param outputOrder null when the network's outputs are in the graph's order; else, for each value
 *                    of the graph's output in ONNX (NCHW) order, the index of that value in the
 *                    network's (channels-last) output
 * @param finalOp     what the graph applies after the network's outputs
 */
public record OnnxModel(Network network, String inputName, String outputName, Shape inputShape, int[] outputOrder,
                        FinalOp finalOp) {

    /** The operator a graph may end with, argmax-neutral, which the network leaves out. */
    public enum FinalOp {
        /** No final operator: the graph's output is the network's. */
        NONE,
        /** {@code Softmax} over the classes: the network's outputs are its logits. */
        SOFTMAX,
        /** {@code LogSoftmax} over the classes. */
        LOG_SOFTMAX
    }

    /**
     * What the ONNX graph computes for a batch given as ONNX lays it out: {@code n} samples of
     * {@link #inputShape()} in NCHW order, in and out (the graph's output, sample after sample).
     * Any float input is taken as it is (no [0, 1] check: the graph's input need not be pixels).
     */
    public float[] run(float[] nchw, int n) {
        Shape shape = inputShape;
        int size = shape.size(), channels = shape.channels(), pixels = shape.height() * shape.width();
        if (nchw.length != (long) n * size) {
            throw new IllegalArgumentException("expected " + n + " samples of " + size + " values, got " + nchw.length);
        }
        float[] channelsLast = new float[nchw.length];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < pixels; p++) {
                    channelsLast[i * size + p * channels + c] = nchw[i * size + c * pixels + p];
                }
            }
        }
        Shape networkShape = network.inputShape().isFlat() ? Shape.flat(size) : shape;
        FMatrixRMaj out = Evaluator.representations(network, new ArraySamples(channelsLast, new int[n], networkShape,
                network.classes()), network.layerCount() - 1);
        int k = network.classes();
        float[] result = new float[n * k];
        float[] row = new float[k];
        for (int i = 0; i < n; i++) {
            System.arraycopy(out.data, i * k, row, 0, k);
            System.arraycopy(graphOutput(row), 0, result, i * k, k);
        }
        return result;
    }

    /**
     * The graph's output for one sample from the network's: reordered to ONNX order, then the
     * final softmax or log-softmax applied in double precision.
     *
     * @param networkOutput the network's output for one sample (not changed)
     * @return a new array in the graph's order
     */
    public float[] graphOutput(float[] networkOutput) {
        float[] out = new float[networkOutput.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = networkOutput[outputOrder == null ? i : outputOrder[i]];
        }
        if (finalOp == FinalOp.NONE) {
            return out;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float v : out) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : out) {
            sum += Math.exp(v - max);
        }
        for (int i = 0; i < out.length; i++) {
            double logP = out[i] - max - Math.log(sum);
            out[i] = (float) (finalOp == FinalOp.SOFTMAX ? Math.exp(logP) : logP);
        }
        return out;
    }
}
