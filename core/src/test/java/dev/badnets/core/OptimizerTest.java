package dev.badnets.core;

import dev.badnets.core.backend.EjmlBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Each optimiser against updates worked out by hand, for a weight w = 1 and lr = 0.1. */
class OptimizerTest {

    private final FMatrixRMaj w = new FMatrixRMaj(new float[][] {{1f}});
    private final FMatrixRMaj g = new FMatrixRMaj(1, 1);

    private Optimizer optimizer(OptimizerKind kind, float weightDecay, boolean decays) {
        return Optimizer.create(kind, 0.1f, weightDecay, new FMatrixRMaj[] {w}, new FMatrixRMaj[] {g},
                new boolean[] {decays});
    }

    private void step(Optimizer optimizer, float gradient, double expected) {
        g.data[0] = gradient;
        optimizer.step();
        assertEquals(expected, w.data[0], 1e-6);
    }

    @Test
    void sgd() {
        Optimizer sgd = optimizer(OptimizerKind.SGD, 0f, true);
        step(sgd, 0.5f, 0.95);   // 1 - 0.1 * 0.5
        step(sgd, -1f, 1.05);    // 0.95 + 0.1
        step(sgd, 0.25f, 1.025); // 1.05 - 0.025
    }

    @Test
    void momentum() {
        Optimizer momentum = optimizer(OptimizerKind.MOMENTUM, 0f, true);
        step(momentum, 0.5f, 0.95);    // v = 0.5;             w = 1 - 0.05
        step(momentum, 0.5f, 0.855);   // v = 0.45 + 0.5 = 0.95;  w = 0.95 - 0.095
        step(momentum, -1f, 0.8695);   // v = 0.855 - 1 = -0.145; w = 0.855 + 0.0145
    }

    @Test
    void adamWithBiasCorrection() {
        Optimizer adam = optimizer(OptimizerKind.ADAM, 0f, true);
        // t=1: m = 0.05, v = 0.00025; m^ = 0.5, v^ = 0.25; w = 1 - 0.1 * 0.5 / 0.5
        step(adam, 0.5f, 0.9);
        // t=2: m = 0.045 - 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225
        //      m^ = 0.02 / 0.19 = 0.1052632, v^ = 0.00031225 / 0.001999 = 0.1562031, sqrt = 0.3952253
        //      w = 0.9 - 0.1 * 0.1052632 / 0.3952253 = 0.9 - 0.0266337
        step(adam, -0.25f, 0.8733663);
        // t=3: m = 0.018 + 0.1 = 0.118, v = 0.00031194 + 0.001 = 0.00131194
        //      m^ = 0.118 / 0.271 = 0.4354244, v^ = 0.00131194 / 0.002997 = 0.4377502, sqrt = 0.6616269
        //      w = 0.8733663 - 0.1 * 0.4354244 / 0.6616269 = 0.8733663 - 0.0658112
        step(adam, 1f, 0.8075551);
    }

    @Test
    void aStepAtAGivenRateUsesThatRate() {
        Optimizer sgd = optimizer(OptimizerKind.SGD, 0f, true);
        g.data[0] = 0.5f;
        sgd.step(0.05f);
        assertEquals(0.975, w.data[0], 1e-6); // 1 - 0.05 * 0.5

        // Adam as adamWithBiasCorrection, the second step at half the rate: t (and so the bias
        // correction) counts steps whatever the rate
        Optimizer adam = optimizer(OptimizerKind.ADAM, 0f, true);
        w.data[0] = 1f;
        g.data[0] = 0.5f;
        adam.step(0.1f);
        assertEquals(0.9, w.data[0], 1e-6);
        g.data[0] = -0.25f;
        adam.step(0.05f);
        assertEquals(0.8866832, w.data[0], 1e-6); // 0.9 - 0.05 * 0.1052632 / 0.3952253
    }

    @Test
    void weightDecayIsAddedToTheGradientOfWeights() {
        Optimizer sgd = optimizer(OptimizerKind.SGD, 0.1f, true);
        step(sgd, 0.5f, 0.94);     // g + λw = 0.5 + 0.1; w = 1 - 0.06
        step(sgd, 0f, 0.93060);    // g + λw = 0.094;     w = 0.94 - 0.0094

        Optimizer adam = optimizer(OptimizerKind.ADAM, 0.1f, true);
        w.data[0] = 1f;
        step(adam, 0.5f, 0.9);            // first Adam step moves by lr whatever the gradient
        step(adam, -0.25f, 0.8544414);    // g + λw = -0.25 + 0.09 = -0.16: m = 0.044, v = 0.0006272...
    }

    @Test
    void weightDecaySkipsParametersMarkedAsBiases() {
        Optimizer sgd = optimizer(OptimizerKind.SGD, 0.1f, false);
        step(sgd, 0.5f, 0.95);
    }

    @Test
    void networkOptimizerDecaysWeightsButNotBiases() {
        Network net = Network.mlp(1, new int[0], 2, 1);
        ((DenseLayer) net.layer(0)).bias().data[0] = 1f;
        float weight = ((DenseLayer) net.layer(0)).weights().data[0];
        BatchBuffers buf = new BatchBuffers(net, new EjmlBackend(), 1, true);
        Optimizer.forNetwork(OptimizerKind.SGD, 0.1f, 0.5f, net, buf).step();
        assertEquals(1f, ((DenseLayer) net.layer(0)).bias().data[0]);
        assertEquals(weight * (1 - 0.05f), ((DenseLayer) net.layer(0)).weights().data[0], 1e-7);
    }

    @Test
    void stateOfParametersWithoutGradientNeverBecomesSubnormal() {
        // a weight of an always-blank pixel: one gradient, then zeros for ever
        for (OptimizerKind kind : new OptimizerKind[] {OptimizerKind.MOMENTUM, OptimizerKind.ADAM}) {
            Optimizer optimizer = optimizer(kind, 0f, true);
            g.data[0] = 1e-3f;
            optimizer.step();
            g.data[0] = 0f;
            for (int t = 0; t < 3000; t++) {
                optimizer.step();
                for (float[][] state : optimizer.state()) {
                    float value = state[0][0];
                    assertTrue(value == 0f || Math.abs(value) >= Float.MIN_NORMAL, kind + " state " + value
                            + " is subnormal after " + t + " steps");
                }
            }
        }
    }
}
