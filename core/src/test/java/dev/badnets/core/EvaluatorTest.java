package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.badnets.core.backend.EjmlBackend;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    // 2500 samples: batches of 1000, 1000 and a partial 500
    private final Samples data = TrainerTest.randomSamples(2500, 6, 3, 2);
    private final Network net = Network.mlp(6, new int[] {5}, 3, 4);

    /** The network's output for one sample, computed alone (a batch of one row). */
    private float[] forwardOne(int index) {
        BatchBuffers buf = new BatchBuffers(net, new EjmlBackend(), 1, false);
        buf.gather(data, null, index, 1);
        return net.forward(buf).data.clone();
    }

    @Test
    void evaluationCountsPredictionsAgainstLabels() {
        Trainer.train(net, data, TrainingConfig.defaults().withEpochs(3).withLearningRate(0.01f), null);

        Evaluation evaluation = Evaluator.evaluate(net, data);

        int correct = 0;
        int total = 0;
        for (int t = 0; t < 3; t++) {
            for (int p = 0; p < 3; p++) {
                total += evaluation.confusion()[t][p];
                correct += t == p ? evaluation.confusion()[t][p] : 0;
            }
        }
        assertEquals(2500, total);
        assertEquals(correct / 2500.0, evaluation.accuracy());
        for (int i = 0; i < data.size(); i += 97) {
            float[] out = forwardOne(i);
            assertEquals(Evaluator.argmax(out, 0, 3), evaluation.predictions()[i]);
        }
        assertArrayEquals(evaluation.predictions(), Evaluator.predict(net, data));
        assertEquals(0.9, evaluation.accuracy(), 0.1); // learnable: argmax of three inputs
    }

    @Test
    void probabilitiesAreTheSoftmaxOfEachSamplesLogits() {
        float[] p = Evaluator.probabilities(net, data);
        assertEquals(2500 * 3, p.length);
        for (int i = 0; i < data.size(); i += 101) {
            float[] logits = forwardOne(i);
            double sum = Math.exp(logits[0]) + Math.exp(logits[1]) + Math.exp(logits[2]);
            for (int j = 0; j < 3; j++) {
                assertEquals(Math.exp(logits[j]) / sum, p[3 * i + j], 1e-6);
            }
        }
    }

    @Test
    void representationsAreTheHiddenActivationsOfEverySample() {
        FMatrixRMaj hidden = Evaluator.representations(net, data, 0);
        assertEquals(2500, hidden.numRows);
        assertEquals(5, hidden.numCols);
        for (int i = 0; i < data.size(); i += 89) {
            BatchBuffers buf = new BatchBuffers(net, new EjmlBackend(), 1, false);
            buf.gather(data, null, i, 1);
            net.forward(buf);
            for (int j = 0; j < 5; j++) {
                assertEquals(buf.work[0].output().data[j], hidden.get(i, j), 1e-6f);
            }
        }
        FMatrixRMaj logits = Evaluator.representations(net, data, 1);
        assertArrayEquals(forwardOne(2499), new float[] {logits.get(2499, 0), logits.get(2499, 1), logits.get(2499, 2)},
                1e-6f);
        assertEquals("layer must be in [0, 1], got 2",
                assertThrows(IllegalArgumentException.class, () -> Evaluator.representations(net, data, 2)).getMessage());
    }

    @Test
    void refusesDataOfTheWrongWidth() {
        Samples narrow = TrainerTest.randomSamples(10, 4, 3, 2);
        assertEquals("input shape mismatch: the network takes samples of 6 values, the data has 4 values",
                assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(net, narrow)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Evaluator.predict(net, narrow));
    }
}
