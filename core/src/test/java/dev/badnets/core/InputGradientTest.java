package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import java.util.Random;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link InputGradient} beyond its gradient checks (in {@code GradientCheckTest} and
 * {@code ConvGradientCheckTest}): the same answer for any thread count, no allocation once warm,
 * and its refusals.
 */
class InputGradientTest {

    private static FMatrixRMaj inputs(int n, int width, long seed) {
        Random random = new Random(seed);
        FMatrixRMaj x = new FMatrixRMaj(n, width);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = random.nextFloat();
        }
        return x;
    }

    @Test
    void theSameGradientOnOneThreadAndOnTwo() {
        Network net = Architecture.build(Shape.image(12, 12), "conv4x3,pool2,dense16", 10, 3);
        FMatrixRMaj x = inputs(9, 144, 1);
        int[] labels = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        FMatrixRMaj one = new FMatrixRMaj(9, 144), two = new FMatrixRMaj(9, 144);
        double lossOne = net.inputGradient(16, Backends.create("auto", 1)).lossAndGradient(x, labels, one);
        double lossTwo = net.inputGradient(16, Backends.create("auto", 2)).lossAndGradient(x, labels, two);
        assertEquals(lossOne, lossTwo);
        assertArrayEquals(one.data, two.data);
    }

    /**
     * The input gradient skips the weight gradients (the weights are held fixed) and is the dX of a
     * full training backward pass, bit for bit; that pass's weight gradients are still written.
     */
    @Test
    void skippingTheWeightGradientsLeavesTheInputGradientAsTheFullPassHasIt() {
        Network net = Architecture.build(Shape.image(12, 12), "conv4x3,pool2,conv6x3,dense16", 10, 5);
        FMatrixRMaj x = inputs(7, 144, 2);
        int[] labels = {0, 1, 2, 3, 4, 5, 6};
        MatrixBackend backend = Backends.create("auto", 1);
        FMatrixRMaj skipped = new FMatrixRMaj(7, 144);
        net.inputGradient(8, backend).lossAndGradient(x, labels, skipped);

        BatchBuffers full = new BatchBuffers(net, backend, 8, true, true);
        full.rows(7);
        System.arraycopy(x.data, 0, full.x.data, 0, x.data.length);
        FMatrixRMaj out = net.forward(full);
        net.loss().lossAndGradient(out, labels, full.last().outputGradient());
        net.backward(full);
        assertArrayEquals(java.util.Arrays.copyOf(full.dX.data, 7 * 144), skipped.data);
        FMatrixRMaj dW = full.work[0].gradients().get(0);
        assertTrue(dW.numRows > 0 && java.util.stream.IntStream.range(0, dW.data.length).anyMatch(i -> dW.data[i] != 0f),
                "the full pass writes the first convolution's weight gradient");
    }

    /** The caller's own objective: handed the cross-entropy's own output gradient, the same dL/dx bit for bit. */
    @Test
    void aCallerSuppliedOutputGradientGivesTheSameInputGradientAsTheLoss() {
        Network net = Architecture.build(Shape.image(12, 12), "conv4x3,pool2,dense16", 10, 3);
        FMatrixRMaj x = inputs(5, 144, 4);
        int[] labels = {3, 1, 4, 1, 5};
        FMatrixRMaj viaLoss = new FMatrixRMaj(5, 144), viaCaller = new FMatrixRMaj(5, 144);
        MatrixBackend backend = Backends.create("auto", 1);
        InputGradient gradient = net.inputGradient(8, backend);
        gradient.lossAndGradient(x, labels, viaLoss);
        gradient.gradient(x, (a, dA) -> Loss.SOFTMAX_CROSS_ENTROPY.lossAndGradient(a, labels, dA), viaCaller);
        assertArrayEquals(viaLoss.data, viaCaller.data);
        // and a different objective gives a different gradient: -a_0 for every row
        FMatrixRMaj other = new FMatrixRMaj(5, 144);
        gradient.gradient(x, (a, dA) -> {
            for (int i = 0; i < a.numRows; i++) {
                dA.data[i * a.numCols] = -1f;
            }
        }, other);
        assertTrue(!java.util.Arrays.equals(other.data, viaLoss.data), "a different objective, a different gradient");
    }

    @Tag(Allocations.TAG)
    @Test
    void aWarmCallAllocatesNothing() {
        Network net = Architecture.build(Shape.image(12, 12), "conv4x3,pool2,dense16", 10, 3);
        MatrixBackend backend = Backends.create("auto", 1);
        InputGradient gradient = net.inputGradient(8, backend);
        FMatrixRMaj x = inputs(8, 144, 2);
        FMatrixRMaj dX = new FMatrixRMaj(8, 144);
        int[] labels = new int[8];
        double[] sink = new double[1];
        Runnable calls = () -> {
            for (int i = 0; i < 20; i++) {
                sink[0] += gradient.lossAndGradient(x, labels, dX);
            }
        };
        // a while, not a number of calls: until the Vector API kernels are compiled they allocate
        long warm = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warm) {
            calls.run();
        }
        Allocations.Measured measured = Allocations.measure(100, calls, Thread.currentThread());
        assertTrue(measured.clean(), measured.describe("at least 100, for at least 20 s, of 20 calls"));
    }

    @Test
    void refusesShapesThatDoNotMatch() {
        Network net = Network.mlp(6, new int[] {4}, 3, 1);
        InputGradient gradient = net.inputGradient(2, Backends.create("ejml", 1));
        int[] labels = {0, 1, 2};
        var tooMany = assertThrows(IllegalArgumentException.class,
                () -> gradient.lossAndGradient(new FMatrixRMaj(3, 6), labels, new FMatrixRMaj(3, 6)));
        assertTrue(tooMany.getMessage().contains("1 to 2 rows of 6 inputs"), tooMany.getMessage());
        var wrongDx = assertThrows(IllegalArgumentException.class,
                () -> gradient.lossAndGradient(new FMatrixRMaj(2, 6), labels, new FMatrixRMaj(2, 5)));
        assertTrue(wrongDx.getMessage().contains("dX must be 2 x 6"), wrongDx.getMessage());
        var label = assertThrows(IllegalArgumentException.class,
                () -> gradient.lossAndGradient(new FMatrixRMaj(1, 6), new int[] {3}, new FMatrixRMaj(1, 6)));
        assertTrue(label.getMessage().contains("label 3 of row 0"), label.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.inputGradient(0, Backends.create("ejml", 1)));
    }
}
