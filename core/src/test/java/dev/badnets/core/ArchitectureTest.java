package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The architecture grammar: what each token builds, its defaults, and every documented refusal. */
class ArchitectureTest {

    private static final Shape MNIST = Shape.image(28, 28);

    @Test
    void namedModels() {
        assertEquals(Architecture.MLP, Architecture.named("mlp"));
        assertEquals(Architecture.CNN, Architecture.named(" CNN "));
        assertEquals(Architecture.SEED_CNN, Architecture.named("seed-cnn"));
        assertEquals("unknown model 'resnet': expected mlp, cnn or seed-cnn",
                assertThrows(IllegalArgumentException.class, () -> Architecture.named("resnet")).getMessage());
        assertEquals("unknown model 'null': expected mlp, cnn or seed-cnn",
                assertThrows(IllegalArgumentException.class, () -> Architecture.named(null)).getMessage());
    }

    /** Each token with its defaults spelled out by the built network's spec, shapes worked out by hand. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // spec                        | the network's spec (the grammar, defaults left out)                         | parameters
        "conv4x3                       | 1x28x28 conv4x3,flatten,dense10:identity                                 | 40 + 31370",
        "conv4x3s2                     | 1x28x28 conv4x3s2,flatten,dense10:identity                               | 40 + 7850",
        "conv4x5p0                     | 1x28x28 conv4x5p0,flatten,dense10:identity                               | 104 + 23050",
        "conv4x4                       | 1x28x28 conv4x4,flatten,dense10:identity                                 | 68 + 33650",
        "pool2                         | 1x28x28 pool2,flatten,dense10:identity                                   | 0 + 1970",
        "pool3s2                       | 1x28x28 pool3s2,flatten,dense10:identity                                 | 0 + 1700",
        "dense16                       | 1x28x28 dense16,dense10:identity                                         | 12560 + 170",
        "pool2, FLATTEN ,Dense8        | 1x28x28 pool2,flatten,dense8,dense10:identity                            | 1576 + 90",
        "''                            | 1x28x28 flatten,dense10:identity                                         | 0 + 7850",
        "'  '                          | 1x28x28 flatten,dense10:identity                                         | 0 + 7850",
    })
    void eachTokenBuildsItsLayer(String spec, String built, String parameters) {
        Network net = Architecture.build(MNIST, spec, 10, 1);
        String expected = built.startsWith("1x28x28 dense") ? built.replace("1x28x28", "784") : built;
        assertEquals(expected, net.spec());
        long count = 0;
        for (Layer layer : net.layers()) {
            for (Layer.Parameter p : layer.parameters()) {
                count += p.value().getNumElements();
            }
        }
        long want = 0;
        for (String term : parameters.split("\\+")) {
            want += Long.parseLong(term.trim());
        }
        assertEquals(want, count, "parameters of " + spec);
    }

    @Test
    void convolutionDefaultsAndExplicitValues() {
        Conv2D conv = (Conv2D) Architecture.build(new Shape(3, 9, 9), "conv5x4s3p1", 2, 1).layer(0);
        assertEquals(5, conv.filters());
        assertEquals(4, conv.kernel());
        assertEquals(3, conv.stride());
        assertEquals(1, conv.padding());
        assertEquals(new Shape(5, 3, 3), conv.outputShape()); // 1 + (9 + 2 - 4) / 3
        assertEquals(Activation.RELU, conv.activation());
        Conv2D same = (Conv2D) Architecture.build(new Shape(3, 9, 9), "conv2x5", 2, 1).layer(0);
        assertEquals(1, same.stride());
        assertEquals(2, same.padding()); // k/2: "same" for odd k
        assertEquals(new Shape(2, 9, 9), same.outputShape());
        MaxPool2D pool = (MaxPool2D) Architecture.build(new Shape(3, 9, 9), "pool3", 2, 1).layer(0);
        assertEquals(3, pool.window());
        assertEquals(3, pool.stride());
        assertEquals(new Shape(3, 3, 3), pool.outputShape());
        // a flat input takes no Flatten, even when asked for one
        Network flat = Architecture.build(Shape.flat(6), "flatten,dense4", 3, 1);
        assertEquals("6 dense4,dense3:identity", flat.spec());
    }

    /** A dense-only spec draws the same weights as {@link Network#mlp}, layer after layer, from the same seed. */
    @Test
    void aDenseSpecIsTheMlp() {
        Network built = Architecture.build(MNIST, "dense32,dense16", 10, 7);
        Network mlp = Network.mlp(784, new int[] {32, 16}, 10, 7);
        assertEquals(mlp.toString(), built.toString());
        for (int l = 0; l < 3; l++) {
            assertArrayEquals(((DenseLayer) mlp.layer(l)).weights().data, ((DenseLayer) built.layer(l)).weights().data);
            assertArrayEquals(((DenseLayer) mlp.layer(l)).bias().data, ((DenseLayer) built.layer(l)).bias().data);
        }
        assertEquals(Activation.IDENTITY, ((DenseLayer) built.layer(2)).activation());
        assertEquals(Loss.SOFTMAX_CROSS_ENTROPY, built.loss());
    }

    /** Every documented refusal, naming the token at fault and its place. */
    @Test
    void refusesBadSpecsNamingTheToken() {
        String[][] cases = {
            {"conv4x3,relu",
                "layer 'relu' (2nd in \"conv4x3,relu\"): expected conv<filters>x<kernel>[s<stride>][p<padding>], pool<window>[s<stride>], dense<units> or flatten"},
            {"dense8,",
                "layer '' (2nd in \"dense8,\"): expected conv<filters>x<kernel>[s<stride>][p<padding>], pool<window>[s<stride>], dense<units> or flatten"},
            {"conv0x3",
                "layer 'conv0x3' (1st in \"conv0x3\"): filters must be in 1 to 1048576, got 0"},
            {"conv4x0",
                "layer 'conv4x0' (1st in \"conv4x0\"): kernel side must be in 1 to 1048576, got 0"},
            {"conv4x3s0",
                "layer 'conv4x3s0' (1st in \"conv4x3s0\"): stride must be in 1 to 1048576, got 0"},
            {"conv4x3p3",
                "layer 'conv4x3p3' (1st in \"conv4x3p3\"): padding 3 must be below the kernel side 3"},
            {"conv4x31p1",
                "layer 'conv4x31p1' (1st in \"conv4x31p1\"): a 31x31 kernel does not fit its input of 1x28x28 padded by 1"},
            {"conv4x29p0",
                "layer 'conv4x29p0' (1st in \"conv4x29p0\"): a 29x29 kernel does not fit its input of 1x28x28"},
            {"pool2,pool2,pool2,pool2,pool2",
                "layer 'pool2' (5th in \"pool2,pool2,pool2,pool2,pool2\"): a 2x2 window does not fit its input of 1"},
            {"pool29",
                "layer 'pool29' (1st in \"pool29\"): a 29x29 window does not fit its input of 1x28x28"},
            {"pool0",
                "layer 'pool0' (1st in \"pool0\"): window must be in 1 to 1048576, got 0"},
            {"pool2s0",
                "layer 'pool2s0' (1st in \"pool2s0\"): stride must be in 1 to 1048576, got 0"},
            {"dense0",
                "layer 'dense0' (1st in \"dense0\"): units must be in 1 to 1048576, got 0"},
            {"dense1048577",
                "layer 'dense1048577' (1st in \"dense1048577\"): units must be in 1 to 1048576, got 1048577"},
            {"dense99999999999",
                "layer 'dense99999999999' (1st in \"dense99999999999\"): units must be in 1 to 1048576, got 99999999999"},
            {"dense8,dense8,pool2",
                "layer 'pool2' (3rd in \"dense8,dense8,pool2\"): a 2x2 window does not fit its input of 8"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], assertThrows(IllegalArgumentException.class,
                    () -> Architecture.build(MNIST, c[0], 10, 1), c[0]).getMessage());
        }
        // each side on its own: a kernel or window as tall as the input fits, one wider does not
        Shape tall = new Shape(1, 30, 28), wide = new Shape(1, 28, 30);
        assertEquals("layer 'conv4x29p0' (1st in \"conv4x29p0\"): a 29x29 kernel does not fit its input of 1x30x28",
                assertThrows(IllegalArgumentException.class, () -> Architecture.build(tall, "conv4x29p0", 10, 1)).getMessage());
        assertEquals("layer 'conv4x29p0' (1st in \"conv4x29p0\"): a 29x29 kernel does not fit its input of 1x28x30",
                assertThrows(IllegalArgumentException.class, () -> Architecture.build(wide, "conv4x29p0", 10, 1)).getMessage());
        assertEquals("layer 'pool29' (1st in \"pool29\"): a 29x29 window does not fit its input of 1x30x28",
                assertThrows(IllegalArgumentException.class, () -> Architecture.build(tall, "pool29", 10, 1)).getMessage());
        assertEquals("layer 'pool29' (1st in \"pool29\"): a 29x29 window does not fit its input of 1x28x30",
                assertThrows(IllegalArgumentException.class, () -> Architecture.build(wide, "pool29", 10, 1)).getMessage());
        assertEquals(new Shape(4, 1, 1), Architecture.build(Shape.image(28, 28), "conv4x28p0", 10, 1).layer(0).outputShape());
        assertEquals(new Shape(1, 1, 1), Architecture.build(Shape.image(28, 28), "pool28", 10, 1).layer(0).outputShape());
        // the largest values a token may ask for pass the number check, then meet the pooling budget
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Architecture.build(MNIST, "pool1048576", 10, 1))
                .getMessage().endsWith("window 1048576 is wider than " + MaxPool2D.MAX_WINDOW + ", the widest pooling window"));
    }

    @Test
    void ordinalsOfLaterTokens() {
        for (int t : new int[] {3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112}) {
            String spec = "dense2,".repeat(t - 1) + "bad";
            String message = assertThrows(IllegalArgumentException.class,
                    () -> Architecture.build(Shape.flat(2), spec, 2, 1)).getMessage();
            String ordinal = t % 100 >= 11 && t % 100 <= 13 ? "th"
                    : t % 10 == 1 ? "st" : t % 10 == 2 ? "nd" : t % 10 == 3 ? "rd" : "th";
            assertTrue(message.startsWith("layer 'bad' (" + t + ordinal + " in "), message);
        }
    }

    /** Networks no model file could hold are refused before a weight is allocated. */
    @Test
    void refusesMoreThanAHundredMillionParameters() {
        String limit = "the network would have more than 100000000 parameters, the most a model file holds";
        // 784 x 200,000 weights: one dense layer over the limit
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Architecture.build(MNIST, "dense200000", 10, 1))
                .getMessage().endsWith(limit));
        // a later token: 20,000 filters of 3x3 over 1,024 channels are 184 M parameters
        assertEquals("layer 'conv20000x3' (2nd in \"pool1,conv20000x3\"): " + limit, assertThrows(
                IllegalArgumentException.class, () -> Architecture.build(new Shape(1024, 4, 4), "pool1,conv20000x3", 10, 1))
                .getMessage());
        // within the limit layer by layer (2 M), the output layer crosses it: 1 M inputs x 100 classes
        assertEquals(limit, assertThrows(IllegalArgumentException.class,
                () -> Architecture.build(Shape.flat(1), "dense1000000", 100, 1)).getMessage());
        // the output of one convolution over 2^28 values per sample
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Architecture.build(new Shape(1, 4096, 4096),
                "conv17x3", 10, 1)).getMessage().endsWith("its output of 17x4096x4096 would have more than 268435456 "
                + "values per sample"));
    }

    @Test
    void refusesFewerThanTwoClasses() {
        assertEquals("a classifier needs at least 2 classes, got 1",
                assertThrows(IllegalArgumentException.class, () -> Architecture.build(MNIST, "dense8", 1, 1)).getMessage());
        assertEquals(2, Architecture.build(MNIST, "dense8", 2, 1).classes());
    }

    /** A flatten token flattens where it is written: a convolution after it takes a flat input. */
    @Test
    void aFlattenTokenFlattensWhereItStands() {
        Network net = Architecture.build(Shape.image(5, 5), "conv2x3,flatten,conv3x1", 2, 1);
        assertTrue(net.layer(1) instanceof Flatten, net.spec());
        assertEquals(Shape.flat(50), net.layer(2).inputShape());
    }
}
