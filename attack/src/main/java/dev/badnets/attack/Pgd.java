package dev.badnets.attack;

import dev.badnets.core.InputGradient;
import dev.badnets.core.Network;
import dev.badnets.core.backend.MatrixBackend;
import java.util.Arrays;
import java.util.List;
import org.ejml.data.FMatrixRMaj;

/**
 * Projected gradient ascent (PGD, Madry, Makelov, Schmidt, Tsipras, Vladu 2018) in an L-infinity ball,
 * on the mean loss of one or more networks:
 * <pre>
 *   L(x, y) = (1/M) sum_m loss_m(x, y)
 *   x_0 = x,   x_{t+1} = clip_{[x - eps, x + eps] and [0, 1]}( x_t + alpha * sign(dL/dx(x_t, y)) ),   t < steps
 * </pre>
 * Inputs are pixels scaled to [0, 1], one image per row. The networks are read live: PGD against a
 * network being trained sees its current weights. Allocates its buffers once; not thread-safe.
 */
final class Pgd {

    private final List<InputGradient> gradients;
    private final float epsilon;
    private final float alpha;
    private final int steps;
    private final FMatrixRMaj dX;
    private final FMatrixRMaj dXOne;

    /**
     * @param nets     the M networks whose mean loss is raised
     * @param capacity the most rows a call passes
     * @param epsilon  radius of the ball, in [0, 1] units
     * @param alpha    step size, in [0, 1] units
     */
    Pgd(List<Network> nets, int capacity, MatrixBackend backend, float epsilon, float alpha, int steps) {
        this.gradients = nets.stream().map(n -> n.inputGradient(capacity, backend)).toList();
        this.epsilon = epsilon;
        this.alpha = alpha;
        this.steps = steps;
        int width = nets.get(0).inputWidth();
        this.dX = new FMatrixRMaj(capacity, width);
        this.dXOne = new FMatrixRMaj(capacity, width);
    }

    /**
     * Writes into {@code x} the PGD perturbation of {@code x0} against the labels {@code y}.
     *
     * @param x0 n x width clean inputs (read)
     * @param y  the label of each row (its first n entries)
     * @param x  n x width output
     */
    void perturb(FMatrixRMaj x0, int[] y, FMatrixRMaj x) {
        int n = x0.numRows;
        int size = n * x0.numCols;
        dX.reshape(n, x0.numCols);
        dXOne.reshape(n, x0.numCols);
        System.arraycopy(x0.data, 0, x.data, 0, size);
        for (int t = 0; t < steps; t++) {
            // The sign of the mean loss's gradient is the sign of the sum of the networks' gradients.
            Arrays.fill(dX.data, 0, size, 0f);
            for (InputGradient gradient : gradients) {
                gradient.lossAndGradient(x, y, dXOne);
                for (int i = 0; i < size; i++) {
                    dX.data[i] += dXOne.data[i];
                }
            }
            for (int i = 0; i < size; i++) {
                float step = x.data[i] + alpha * Math.signum(dX.data[i]);
                float low = Math.max(0f, x0.data[i] - epsilon);
                float high = Math.min(1f, x0.data[i] + epsilon);
                x.data[i] = Math.max(low, Math.min(high, step));
            }
        }
    }
}
