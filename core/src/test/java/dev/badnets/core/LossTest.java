package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

class LossTest {

    @Test
    void softmaxCrossEntropyIsStableForHugeLogits() {
        FMatrixRMaj logits = new FMatrixRMaj(new float[][] {{1e4f, 0f, -1e4f}, {1e4f, 0f, -1e4f}});
        FMatrixRMaj dA = new FMatrixRMaj(2, 3);

        double loss = Loss.SOFTMAX_CROSS_ENTROPY.lossAndGradient(logits, new int[] {0, 1}, dA);

        // sample 0 is certain and right (loss 0); sample 1 is certain and wrong by 1e4 - 0
        assertEquals(1e4 / 2, loss, 1e-6);
        assertArrayEquals(new float[] {0f, 0f, 0f, 0.5f, -0.5f, 0f}, dA.data, 1e-7f);
    }

    @Test
    void softmaxCrossEntropyOfUniformLogitsIsLogK() {
        FMatrixRMaj logits = new FMatrixRMaj(1, 4);
        FMatrixRMaj dA = new FMatrixRMaj(1, 4);

        double loss = Loss.SOFTMAX_CROSS_ENTROPY.lossAndGradient(logits, new int[] {2}, dA);

        assertEquals(Math.log(4), loss, 1e-6);
        // (softmax - onehot) / n with softmax = 1/4 everywhere
        assertArrayEquals(new float[] {0.25f, 0.25f, -0.75f, 0.25f}, dA.data, 1e-7f);
    }

    @Test
    void meanSquaredErrorAveragesOverAllOutputs() {
        FMatrixRMaj a = new FMatrixRMaj(new float[][] {{0.5f, 0.5f}, {1f, 0f}});
        FMatrixRMaj dA = new FMatrixRMaj(2, 2);

        double loss = Loss.MEAN_SQUARED_ERROR.lossAndGradient(a, new int[] {0, 0}, dA);

        // errors (-0.5, 0.5) and (0, 0): (0.25 + 0.25) / 4 outputs; gradient 2 (a - t) / 4
        assertEquals(0.125, loss, 1e-9);
        assertArrayEquals(new float[] {-0.25f, 0.25f, 0f, 0f}, dA.data, 1e-7f);
    }

    @Test
    void onlyTheRowsOfTheBatchAreRead() {
        // a last partial batch has fewer rows than the labels buffer
        FMatrixRMaj logits = new FMatrixRMaj(new float[][] {{2f, 0f}});
        FMatrixRMaj dA = new FMatrixRMaj(1, 2);
        double loss = Loss.SOFTMAX_CROSS_ENTROPY.lossAndGradient(logits, new int[] {0, 99, 99}, dA);
        assertEquals(Math.log(1 + Math.exp(-2)), loss, 1e-6);
    }
}
