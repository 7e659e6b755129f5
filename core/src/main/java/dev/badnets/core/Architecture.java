package dev.badnets.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds classifiers from a short text that lists their hidden layers, input side first:
 * <pre>
 *   spec   = [token {"," token}]
 *   token  = "conv" K "x" k ["s" S] ["p" P]    K filters of k x k, stride S (default 1),
 *                                              zero padding P (default k/2: "same" for odd k), ReLU
 *          | "pool" w ["s" S]                  max pooling over w x w, stride S (default w)
 *          | "dense" N                         N fully connected ReLU units
 *          | "flatten"                         optional: added before the first dense layer anyway
 * </pre>
 * for example {@code conv32x3,pool2,conv64x3,pool2,dense128}. The output layer (dense, one linear
 * unit per class, softmax cross-entropy) is always added. Weights are drawn from one generator
 * seeded with {@code seed}, layer after layer (He before a ReLU, Glorot for the output layer), so
 * a dense-only spec gives exactly {@link Network#mlp}.
 */
public final class Architecture {

    /** The OWASP ML02 notebook's {@code SimpleCNN}: two 3x3 convolutions of 32 and 64 filters, each pooled, then 128 units. */
    public static final String SEED_CNN = "conv32x3,pool2,conv64x3,pool2,dense128";
    /**
     * The default network of the demo: SimpleCNN with half the filters, a third of its work, chosen
     * by measurement (see the README).
     */
    public static final String CNN = "conv16x3,pool2,conv32x3,pool2,dense128";
    /** The dense baseline: one hidden layer of 128 units. */
    public static final String MLP = "dense128";

    /** Most filters, units, kernel side, window or stride one token may ask for. */
    public static final int MAX_SIZE = ModelCodec.MAX_WIDTH;

    private static final Pattern CONV = Pattern.compile("conv(\\d+)x(\\d+)(?:s(\\d+))?(?:p(\\d+))?");
    private static final Pattern POOL = Pattern.compile("pool(\\d+)(?:s(\\d+))?");
    private static final Pattern DENSE = Pattern.compile("dense(\\d+)");

    private Architecture() {
    }

    /**
     * The spec of a named model: {@code mlp}, {@code cnn} or {@code seed-cnn}.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static String named(String model) {
        switch (model == null ? "" : model.trim().toLowerCase(Locale.ROOT)) {
            case "mlp":
                return MLP;
            case "cnn":
                return CNN;
            case "seed-cnn":
                return SEED_CNN;
            default:
                throw new IllegalArgumentException("unknown model '" + model + "': expected mlp, cnn or seed-cnn");
        }
    }

    /**
     * A classifier of {@code classes} classes for samples of shape {@code input}, with the hidden
     * layers of {@code spec}. A spec that starts with a dense layer reads the input as a flat
     * vector; convolution and pooling need the image shape.
     *
     * @throws IllegalArgumentException naming the token at fault when the spec does not parse or a
     *                                  layer does not fit the shape it receives
     */
    public static Network build(Shape input, String spec, int classes, long seed) {
        if (classes < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
        }
        String[] tokens = spec.isBlank() ? new String[0] : spec.split(",", -1);
        // each token is a layer, one may add a flatten, and the output layer comes last: what a model file holds
        if (tokens.length + 2 > Network.MAX_LAYERS) {
            throw new IllegalArgumentException("the spec lists " + tokens.length + " layers; a network may have at most "
                    + Network.MAX_LAYERS + " with its flatten and output layers, so list at most "
                    + (Network.MAX_LAYERS - 2));
        }
        SplittableRandom random = new SplittableRandom(seed);
        long[] parameters = {0};
        List<Layer> layers = new ArrayList<>();
        Shape shape = tokens.length > 0 && tokens[0].trim().toLowerCase(Locale.ROOT).startsWith("dense")
                ? Shape.flat(input.size()) : input;
        for (int t = 0; t < tokens.length; t++) {
            String token = tokens[t].trim().toLowerCase(Locale.ROOT);
            Layer layer;
            try {
                layer = parse(token, shape, random, parameters);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer '" + tokens[t].trim() + "' (" + ordinal(t + 1)
                        + " in \"" + spec + "\"): " + e.getMessage());
            }
            if (layer instanceof DenseLayer && !shape.isFlat()) {
                layers.add(new Flatten(shape));
            }
            if (layer != null) {
                layers.add(layer);
                shape = layer.outputShape();
            }
        }
        if (!shape.isFlat()) {
            Flatten flatten = new Flatten(shape);
            layers.add(flatten);
            shape = flatten.outputShape();
        }
        count(parameters, ((long) shape.size() + 1) * classes);
        layers.add(DenseLayer.initialized(shape.size(), classes, Activation.IDENTITY, random));
        return new Network(layers, Loss.SOFTMAX_CROSS_ENTROPY);
    }

    /** One token's layer on an input of {@code shape}; null for "flatten" on a flat input. */
    private static Layer parse(String token, Shape shape, SplittableRandom random, long[] parameters) {
        Matcher m;
        if ((m = CONV.matcher(token)).matches()) {
            int filters = number(m.group(1), "filters", 1);
            int kernel = number(m.group(2), "kernel side", 1);
            int stride = m.group(3) == null ? 1 : number(m.group(3), "stride", 1);
            int padding = m.group(4) == null ? kernel / 2 : number(m.group(4), "padding", 0);
            if (padding >= kernel) {
                throw new IllegalArgumentException("padding " + padding + " must be below the kernel side " + kernel);
            }
            if (kernel > shape.height() + 2 * padding || kernel > shape.width() + 2 * padding) {
                throw new IllegalArgumentException("a " + kernel + "x" + kernel + " kernel does not fit its input of "
                        + shape + (padding > 0 ? " padded by " + padding : ""));
            }
            count(parameters, ((long) kernel * kernel * shape.channels() + 1) * filters);
            long side = 1 + (shape.height() + 2L * padding - kernel) / stride;
            long width = 1 + (shape.width() + 2L * padding - kernel) / stride;
            if (side * width * filters > Shape.MAX_SIZE) {
                throw new IllegalArgumentException("its output of " + filters + "x" + side + "x" + width
                        + " would have more than " + Shape.MAX_SIZE + " values per sample");
            }
            return Conv2D.initialized(shape, filters, kernel, stride, padding, Activation.RELU, random);
        }
        if ((m = POOL.matcher(token)).matches()) {
            int window = number(m.group(1), "window", 1);
            int stride = m.group(2) == null ? window : number(m.group(2), "stride", 1);
            if (window > MaxPool2D.MAX_WINDOW) {
                throw new IllegalArgumentException("window " + window + " is wider than " + MaxPool2D.MAX_WINDOW
                        + ", the widest pooling window");
            }
            if (window > shape.height() || window > shape.width()) {
                throw new IllegalArgumentException("a " + window + "x" + window + " window does not fit its input of "
                        + shape);
            }
            return new MaxPool2D(shape, window, stride);
        }
        if ((m = DENSE.matcher(token)).matches()) {
            int units = number(m.group(1), "units", 1);
            count(parameters, ((long) shape.size() + 1) * units);
            return DenseLayer.initialized(shape.size(), units, Activation.RELU, random);
        }
        if (token.equals("flatten")) {
            return shape.isFlat() ? null : new Flatten(shape);
        }
        throw new IllegalArgumentException("expected conv<filters>x<kernel>[s<stride>][p<padding>], pool<window>[s<stride>], "
                + "dense<units> or flatten");
    }

    /** Adds a layer's parameters to the running total; refuses a network no model file could hold, before allocating it. */
    private static void count(long[] total, long parameters) {
        total[0] += parameters;
        if (total[0] > ModelCodec.MAX_PARAMETERS) {
            throw new IllegalArgumentException("the network would have more than " + ModelCodec.MAX_PARAMETERS
                    + " parameters, the most a model file holds");
        }
    }

    private static int number(String digits, String what, int min) {
        int value;
        try {
            value = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            value = Integer.MAX_VALUE;
        }
        if (value < min || value > MAX_SIZE) {
            throw new IllegalArgumentException(what + " must be in " + min + " to " + MAX_SIZE + ", got " + digits);
        }
        return value;
    }

    private static String ordinal(int n) {
        String suffix = n % 100 >= 11 && n % 100 <= 13 ? "th"
                : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
        return n + suffix;
    }
}
