package dev.badnets.core;

import dev.badnets.core.backend.EjmlBackend;
import dev.badnets.core.backend.MatrixBackend;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.FMatrixRMaj;

/**
 * Updates parameters in place from their gradients, one {@link #step()} per mini-batch. With L2
 * weight decay λ the gradient of a weight becomes {@code g + λ w} (biases are not decayed). The
 * optimiser state (velocities, moments) is allocated once, at construction.
 *
 * <pre>
 *   SGD        w -= lr g
 *   momentum   v = μ v + g;  w -= lr v                            (μ = 0.9, v starts at 0)
 *   Adam       m = β1 m + (1-β1) g;  v = β2 v + (1-β2) g²;  t += 1
 *              w -= lr m̂ / (√v̂ + ε),  m̂ = m / (1-β1^t),  v̂ = v / (1-β2^t)
 *                                                              (β1 0.9, β2 0.999, ε 1e-8)
 * </pre>
 *
 * <p>lr is the configured rate for {@link #step()}, or the rate a {@link LearningRateSchedule}
 * picked for this step, given to {@link #step(float)}. Adam's t counts steps whatever the rate.
 */
public abstract class Optimizer {

    /** Momentum coefficient μ. */
    public static final float MOMENTUM = 0.9f;
    public static final float BETA1 = 0.9f;
    public static final float BETA2 = 0.999f;
    public static final float EPSILON = 1e-8f;

    private final float learningRate;
    /** The learning rate of the step in progress. */
    float rate;
    private final float weightDecay;
    private final FMatrixRMaj[] values;
    private final FMatrixRMaj[] grads;
    private final boolean[] decays;
    /** One update task per parameter, made once so that a step allocates nothing. */
    private final MatrixBackend.RangeTask[] updates;
    /** Runs the updates: on the caller (EJML's way), or split across a SIMD backend's threads. */
    private MatrixBackend runner = new EjmlBackend();

    private Optimizer(float learningRate, float weightDecay, FMatrixRMaj[] values, FMatrixRMaj[] grads,
                      boolean[] decays) {
        if (values.length != grads.length || values.length != decays.length) {
            throw new IllegalArgumentException("expected as many gradients and decay flags as parameters ("
                    + values.length + "), got " + grads.length + " and " + decays.length);
        }
        for (int p = 0; p < values.length; p++) {
            if (values[p].getNumElements() != grads[p].getNumElements()) {
                throw new IllegalArgumentException("gradient " + p + " has " + grads[p].getNumElements()
                        + " elements, its parameter " + values[p].getNumElements());
            }
        }
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        this.values = values.clone();
        this.grads = grads.clone();
        this.decays = decays.clone();
        updates = new MatrixBackend.RangeTask[values.length];
        for (int p = 0; p < values.length; p++) {
            int param = p;
            float decay = decays[p] ? weightDecay : 0f;
            updates[p] = (from, to) -> update(param, this.values[param].data, this.grads[param].data, from, to, decay);
        }
    }

    /**
     * An optimiser of {@code kind} over parameters {@code values[p]} with gradients {@code grads[p]};
     * {@code decays[p]} says whether weight decay applies to parameter p.
     */
    public static Optimizer create(OptimizerKind kind, float learningRate, float weightDecay,
                                   FMatrixRMaj[] values, FMatrixRMaj[] grads, boolean[] decays) {
        switch (kind) {
            case SGD:
                return new Sgd(learningRate, weightDecay, values, grads, decays);
            case MOMENTUM:
                return new Momentum(learningRate, weightDecay, values, grads, decays);
            case ADAM:
                return new Adam(learningRate, weightDecay, values, grads, decays, BETA1, BETA2);
            default:
                throw new IllegalArgumentException("unknown optimizer " + kind);
        }
    }

    /**
     * Adam with moment decay rates of the caller's choice, no weight decay: for optimising
     * something other than a network's weights (Neural Cleanse's trigger uses β1 0.5, β2 0.9).
     * With the defaults {@link #BETA1} and {@link #BETA2} it is the Adam of {@link #create}.
     *
     * @param beta1 decay of the first moment, in [0, 1)
     * @param beta2 decay of the second moment, in [0, 1)
     */
    public static Optimizer adam(float learningRate, float beta1, float beta2, FMatrixRMaj[] values,
                                 FMatrixRMaj[] grads) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam's betas must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        return new Adam(learningRate, 0f, values, grads, new boolean[values.length], beta1, beta2);
    }

    /**
     * The optimiser of every parameter of {@code net}, reading each one's gradient from the layer's
     * training workspace in {@code buf}.
     */
    static Optimizer forNetwork(OptimizerKind kind, float learningRate, float weightDecay, Network net,
                                BatchBuffers buf) {
        List<FMatrixRMaj> values = new ArrayList<>();
        List<FMatrixRMaj> gradients = new ArrayList<>();
        List<Boolean> decays = new ArrayList<>();
        for (int l = 0; l < net.layerCount(); l++) {
            List<Layer.Parameter> parameters = net.layer(l).parameters();
            for (int p = 0; p < parameters.size(); p++) {
                values.add(parameters.get(p).value());
                gradients.add(buf.work[l].gradient(p));
                decays.add(parameters.get(p).decays());
            }
        }
        boolean[] decayFlags = new boolean[decays.size()];
        for (int p = 0; p < decayFlags.length; p++) {
            decayFlags[p] = decays.get(p);
        }
        return create(kind, learningRate, weightDecay, values.toArray(new FMatrixRMaj[0]),
                gradients.toArray(new FMatrixRMaj[0]), decayFlags);
    }

    /**
     * Splits each parameter's update across the threads of {@code backend} (every entry is
     * updated independently of the others, so the result does not change).
     */
    Optimizer splitAcross(MatrixBackend backend) {
        this.runner = backend;
        return this;
    }

    /** Applies one update to every parameter from its current gradient, at the configured learning rate. */
    public void step() {
        step(learningRate);
    }

    /** Applies one update to every parameter from its current gradient, at learning rate {@code rate}. */
    public void step(float rate) {
        this.rate = rate;
        beginStep();
        for (int p = 0; p < values.length; p++) {
            runner.forRanges(values[p].getNumElements(), SPLIT_GRAIN, updates[p]);
        }
    }

    /** Called once per step before the updates (Adam counts its steps here). */
    void beginStep() {
    }

    /** The state arrays (velocities, moments), for tests. */
    float[][][] state() {
        return new float[0][][];
    }

    /** Updates entries {@code [from, to)} of parameter p, {@code w}, from its gradient {@code g}. */
    abstract void update(int p, float[] w, float[] g, int from, int to, float decay);

    /** Fewest entries worth handing to another thread (a few microseconds of updates). */
    private static final int SPLIT_GRAIN = 8192;

    /**
     * Sets entries below {@link #TINY} in magnitude to zero. Optimiser state whose gradient stays 0
     * (the weights of a pixel that is always blank) decays geometrically into subnormal floats,
     * which x86 processes up to 100 times slower; flushing every {@link #FLUSH_EVERY} steps keeps
     * the state normal (1e-30 · 0.9^64 ≈ 1e-33 > 1.2e-38) at a cost far below one update, and
     * changes an update by less than lr · 1e-30.
     */
    static void flushTiny(float[] state, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Math.abs(state[i]) < TINY) {
                state[i] = 0f;
            }
        }
    }

    static final float TINY = 1e-30f;
    static final int FLUSH_EVERY = 64;

    private static float[][] zerosLike(FMatrixRMaj[] values) {
        float[][] state = new float[values.length][];
        for (int p = 0; p < values.length; p++) {
            state[p] = new float[values[p].getNumElements()];
        }
        return state;
    }

    private static final class Sgd extends Optimizer {
        Sgd(float lr, float decay, FMatrixRMaj[] values, FMatrixRMaj[] grads, boolean[] decays) {
            super(lr, decay, values, grads, decays);
        }

        @Override
        void update(int p, float[] w, float[] g, int from, int to, float decay) {
            float lr = rate;
            for (int i = from; i < to; i++) {
                w[i] -= lr * (g[i] + decay * w[i]);
            }
        }
    }

    private static final class Momentum extends Optimizer {
        private final float[][] velocity;
        private int t;

        Momentum(float lr, float decay, FMatrixRMaj[] values, FMatrixRMaj[] grads, boolean[] decays) {
            super(lr, decay, values, grads, decays);
            velocity = zerosLike(values);
        }

        @Override
        void update(int p, float[] w, float[] g, int from, int to, float decay) {
            float lr = rate;
            float[] v = velocity[p];
            for (int i = from; i < to; i++) {
                v[i] = MOMENTUM * v[i] + (g[i] + decay * w[i]);
                w[i] -= lr * v[i];
            }
            if (t % FLUSH_EVERY == 0) {
                flushTiny(v, from, to);
            }
        }

        @Override
        void beginStep() {
            t++;
        }

        @Override
        float[][][] state() {
            return new float[][][] {velocity};
        }
    }

    private static final class Adam extends Optimizer {
        private final float[][] m;
        private final float[][] v;
        private final float beta1;
        private final float beta2;
        private int t;
        private float mCorrection; // 1 / (1 - β1^t)
        private float vCorrection; // 1 / (1 - β2^t)

        Adam(float lr, float decay, FMatrixRMaj[] values, FMatrixRMaj[] grads, boolean[] decays, float beta1,
             float beta2) {
            super(lr, decay, values, grads, decays);
            this.beta1 = beta1;
            this.beta2 = beta2;
            m = zerosLike(values);
            v = zerosLike(values);
        }

        @Override
        float[][][] state() {
            return new float[][][] {m, v};
        }

        @Override
        void beginStep() {
            t++;
            mCorrection = (float) (1.0 / (1.0 - Math.pow(beta1, t)));
            vCorrection = (float) (1.0 / (1.0 - Math.pow(beta2, t)));
        }

        @Override
        void update(int p, float[] w, float[] g, int from, int to, float decay) {
            float lr = rate, mc = mCorrection, vc = vCorrection, b1 = beta1, b2 = beta2;
            float[] mp = m[p], vp = v[p];
            for (int i = from; i < to; i++) {
                float gi = g[i] + decay * w[i];
                mp[i] = b1 * mp[i] + (1f - b1) * gi;
                vp[i] = b2 * vp[i] + (1f - b2) * gi * gi;
                float mHat = mp[i] * mc;
                float vHat = vp[i] * vc;
                w[i] -= lr * mHat / ((float) Math.sqrt(vHat) + EPSILON);
            }
            if (t % FLUSH_EVERY == 0) {
                flushTiny(mp, from, to);
                flushTiny(vp, from, to);
            }
        }
    }
}
