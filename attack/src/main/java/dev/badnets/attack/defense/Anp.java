package dev.badnets.attack.defense;

import dev.badnets.attack.ImageSamples;
import dev.badnets.core.Activation;
import dev.badnets.core.ByteSamples;
import dev.badnets.core.Conv2D;
import dev.badnets.core.DenseLayer;
import dev.badnets.core.Layer;
import dev.badnets.core.Network;
import dev.badnets.core.Trainer;
import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.mnist.LabeledImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;

/**
 * Adversarial Neuron Pruning (ANP; Wu and Wang, "Adversarial Neuron Perturbation Purifies Backdoored
 * Deep Models", NeurIPS 2021). Backdoor neurons are the ones that, perturbed a little, make the
 * model fall apart on clean data: the backdoor's shortcut is one small push away. ANP learns a
 * mask {@code m_k in [0, 1]} per neuron (a channel of a convolution, a unit of a hidden dense layer)
 * that keeps the model accurate even under the worst perturbation of every neuron, its weights
 * scaled by {@code 1 + δ_k} and its bias by {@code 1 + ξ_k}, {@code |δ|, |ξ| ≤ ε}, then prunes the
 * neurons whose mask falls below a threshold:
 * <pre>
 *   min_m  α · CE(f(x; m ⊙ w, b)) + (1 - α) · max_{δ, ξ} CE(f(x; (m + δ) ⊙ w, (1 + ξ) ⊙ b))
 * </pre>
 * A dormant neuron that the trigger wakes comes alive under a bias perturbation, and then drives
 * clean images to the target: its mask is pushed down. The gradient with respect to a neuron's
 * factor is {@code Σ_r dL/dw[r, k] · w[r, k]} (the chain rule through {@code w' = factor · w}).
 * One iteration, on a batch of the defender's clean images:
 * <ol>
 *   <li>δ and ξ drawn uniformly in [-ε, ε]; one step of ascent:
 *       {@code δ ← clip(δ + ε · sign(dCE/dδ), -ε, ε)}, ξ likewise;</li>
 *   <li>{@code g = α · dCE(m)/dm + (1 - α) · dCE(m + δ)/dm}; SGD with momentum on m; m clipped to [0, 1].</li>
 * </ol>
 * The neurons with {@code m_k < threshold} are then pruned (weights and bias zeroed, as
 * {@link FinePruning} does); the others keep their weights (the mask is not applied).
 *
 * <p>Parameters and sources: ε = 0.4, α = 0.2, one ascent step of size ε, mask learning rate 0.2
 * with momentum 0.9, batch 128, pruning threshold 0.2 (the paper's and its code's defaults, as in
 * BackdoorBench's {@code config/defense/anp/config.yaml}: {@code anp_eps: 0.4}, {@code anp_steps: 1},
 * {@code anp_alpha: 0.2}); the defender's 5% of the clean training data ({@code ratio: 0.05}).
 * Deviations: {@link Settings#defaults() 400 iterations} instead of 2,000 (two cores); BackdoorBench
 * perturbs the neurons of batch normalisation layers, which the project's networks do not have, so
 * here, as in the paper's formulation, the neurons are those of the convolutions and hidden dense
 * layers; BackdoorBench picks the threshold with the test set's attack success rate, which a
 * defender does not have: here it is fixed.
 *
 * <p>On the default BadNets model (1% poison, cnn, seed 1) ANP leaves the backdoor in place: the
 * dense units the trigger raises most are active on clean images too (means 0.6 to 2.6 on the
 * defender's images, 4.3 to 6.9 with the trigger stamped, for diagnosis only) and their masks end
 * at 0.93 to 1.0, after 400 iterations as after the paper's 2,000; see {@code docs/matrix.md}.
 */
public final class Anp implements ModelDefense {

    /**
     * @param share        the share of the defender's clean images to use, in (0, 1]
     * @param epsilon      the largest relative perturbation of a neuron, ε &gt;= 0
     * @param alpha        the weight of the unperturbed loss, in [0, 1]
     * @param learningRate the mask's learning rate
     * @param iterations   mask updates
     * @param batchSize    images per update
     * @param threshold    neurons whose mask ends below it are pruned, in (0, 1)
     * @param seed         the batches and the random starts of δ
     * @param threads      threads of the backend
     * @param backend      {@code auto}, {@code ejml} or {@code simd}
     */
    public record Settings(double share, float epsilon, float alpha, float learningRate, int iterations,
                           int batchSize, float threshold, long seed, int threads, String backend) {
        public Settings {
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException("clean share must be in (0, 1], got " + share);
            }
            if (!(epsilon >= 0) || !(alpha >= 0 && alpha <= 1) || !(learningRate > 0)) {
                throw new IllegalArgumentException("ANP needs ε >= 0, α in [0, 1] and a learning rate > 0, got " + epsilon
                        + ", " + alpha + " and " + learningRate);
            }
            if (iterations < 1 || batchSize < 1 || threads < 1) {
                throw new IllegalArgumentException("iterations, batch size and threads must be >= 1, got " + iterations
                        + ", " + batchSize + " and " + threads);
            }
            if (!(threshold > 0 && threshold < 1)) {
                throw new IllegalArgumentException("pruning threshold must be in (0, 1), got " + threshold);
            }
            Objects.requireNonNull(backend, "backend");
        }

        /** 5% of the clean images, ε 0.4, α 0.2, learning rate 0.2, 400 iterations of 128 images, threshold 0.2, seed 1. */
        public static Settings defaults() {
            return new Settings(0.05, 0.4f, 0.2f, 0.2f, 400, 128, 0.2f, 1L,
                    Runtime.getRuntime().availableProcessors(), "auto");
        }

        public Settings withIterations(int value) {
            return new Settings(share, epsilon, alpha, learningRate, value, batchSize, threshold, seed, threads, backend);
        }

        public Settings withThreads(int value, String backendName) {
            return new Settings(share, epsilon, alpha, learningRate, iterations, batchSize, threshold, seed, value,
                    backendName);
        }

        public Settings withSeed(long value) {
            return new Settings(share, epsilon, alpha, learningRate, iterations, batchSize, threshold, value, threads,
                    backend);
        }
    }

    /** A neuron: channel {@code channel} of layer {@code layer}, and its learnt mask. */
    public record Neuron(int layer, int channel, float mask) {
    }

    private static final float MOMENTUM = 0.9f;

    private final Settings settings;

    public Anp(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public Anp() {
        this(Settings.defaults());
    }

    @Override
    public String name() {
        return "anp";
    }

    @Override
    public String describe() {
        Settings s = settings;
        return name() + " share=" + s.share() + " eps=" + s.epsilon() + " alpha=" + s.alpha() + " lr=" + s.learningRate()
                + " iterations=" + s.iterations() + " batch=" + s.batchSize() + " threshold=" + s.threshold()
                + " seed=" + s.seed();
    }

    @Override
    public Result defend(Network model, Setting setting) {
        LabeledImages own = FineTuning.cleanShare(setting.clean(), settings.share(), settings.seed());
        List<Neuron> neurons = masks(model, own, settings);
        Network pruned = model.copy();
        for (Neuron neuron : neurons) {
            if (neuron.mask() < settings.threshold()) {
                FinePruning.zeroChannel(pruned.layer(neuron.layer()), neuron.channel());
            }
        }
        return new Result(pruned, null, own.count(), FineTuning.noFigures());
    }

    /** The hidden layers whose neurons ANP masks: every convolution and every dense layer but the last. */
    static int[] maskedLayers(Network net) {
        List<Integer> layers = new ArrayList<>();
        for (int l = 0; l < net.layerCount() - 1; l++) {
            Layer layer = net.layer(l);
            Activation f = layer instanceof Conv2D conv ? conv.activation()
                    : layer instanceof DenseLayer dense ? dense.activation() : null;
            if (f == null) {
                continue;
            }
            if (f == Activation.SIGMOID) { // a zeroed neuron must output 0, so that pruning removes it
                throw new IllegalArgumentException("ANP prunes a neuron by zeroing its weights, which silences it only"
                        + " when its activation is 0 at 0; layer " + l + " (" + layer.spec() + ") uses sigmoid;"
                        + " use a model with ReLU");
            }
            layers.add(l);
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("ANP masks hidden neurons, but this model (" + net.spec()
                    + ") has no hidden layer with weights");
        }
        return layers.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Learns the neuron masks of {@code model} (not changed) on {@code clean}, every neuron with its mask. */
    public static List<Neuron> masks(Network model, LabeledImages clean, Settings settings) {
        Requirements.classes(clean, 2, "ANP", "its loss needs images of more than one class");
        Network net = model.copy(); // its weights are set to the perturbed ones before every pass
        MatrixBackend backend = Backends.create(settings.backend(), settings.threads());
        int[] layers = maskedLayers(net);
        ByteSamples data = ImageSamples.of(clean, net.classes());
        int n = data.size(), batch = Math.min(settings.batchSize(), n);
        LayerPass pass = new LayerPass(net, batch, backend);
        int count = layers.length;
        // per masked layer: the original weights and bias, and per neuron m, δ, ξ, m's momentum and gradient
        FMatrixRMaj[] w0 = new FMatrixRMaj[count], b0 = new FMatrixRMaj[count];
        float[][] mask = new float[count][], delta = new float[count][], xi = new float[count][],
                velocity = new float[count][], gradient = new float[count][];
        for (int k = 0; k < count; k++) {
            w0[k] = weights(net.layer(layers[k])).copy();
            b0[k] = bias(net.layer(layers[k])).copy();
            int neurons = w0[k].numCols;
            mask[k] = new float[neurons];
            java.util.Arrays.fill(mask[k], 1f);
            delta[k] = new float[neurons];
            xi[k] = new float[neurons];
            velocity[k] = new float[neurons];
            gradient[k] = new float[neurons];
        }
        SplittableRandom random = new SplittableRandom(settings.seed());
        int[] order = java.util.stream.IntStream.range(0, n).toArray();
        int next = n; // forces a shuffle before the first batch
        float eps = settings.epsilon(), alpha = settings.alpha();
        for (int it = 0; it < settings.iterations(); it++) {
            if (next + batch > n) {
                Trainer.shuffle(order, random);
                next = 0;
            }
            pass.load(data, order, next, batch);
            next += batch;
            // 1. the worst perturbation: a random start, one signed step of ascent, clipped
            for (int k = 0; k < count; k++) {
                for (int c = 0; c < delta[k].length; c++) {
                    delta[k][c] = (float) ((2 * random.nextDouble() - 1) * eps);
                    xi[k][c] = (float) ((2 * random.nextDouble() - 1) * eps);
                }
            }
            if (eps > 0) {
                backwardAt(pass, net, layers, w0, b0, mask, delta, xi, true);
                for (int k = 0; k < count; k++) {
                    float[] gw = neuronGradient(pass.parameterGradient(layers[k], 0), w0[k]);
                    float[] gb = neuronGradient(pass.parameterGradient(layers[k], 1), b0[k]);
                    for (int c = 0; c < gw.length; c++) {
                        delta[k][c] = Math.max(-eps, Math.min(eps, delta[k][c] + eps * Math.signum(gw[c])));
                        xi[k][c] = Math.max(-eps, Math.min(eps, xi[k][c] + eps * Math.signum(gb[c])));
                    }
                }
            }
            // 2. the mask's gradient: (1 - α) at m + δ (bias times 1 + ξ), α at m (bias as it is)
            backwardAt(pass, net, layers, w0, b0, mask, delta, xi, eps > 0);
            for (int k = 0; k < count; k++) {
                float[] g = neuronGradient(pass.parameterGradient(layers[k], 0), w0[k]);
                for (int c = 0; c < g.length; c++) {
                    gradient[k][c] = (eps > 0 ? 1 - alpha : 0) * g[c];
                }
            }
            backwardAt(pass, net, layers, w0, b0, mask, delta, xi, false);
            for (int k = 0; k < count; k++) {
                float[] g = neuronGradient(pass.parameterGradient(layers[k], 0), w0[k]);
                for (int c = 0; c < g.length; c++) {
                    gradient[k][c] += (eps > 0 ? alpha : 1) * g[c];
                    velocity[k][c] = MOMENTUM * velocity[k][c] + gradient[k][c];
                    mask[k][c] = Math.max(0f, Math.min(1f, mask[k][c] - settings.learningRate() * velocity[k][c]));
                }
            }
        }
        List<Neuron> neurons = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            for (int c = 0; c < mask[k].length; c++) {
                neurons.add(new Neuron(layers[k], c, mask[k][c]));
            }
        }
        return neurons;
    }

    /**
     * Sets every masked layer's neuron c to weights {@code (m_c + δ_c) w0_c} and bias {@code (1 + ξ_c) b0_c}
     * (perturbed) or {@code m_c w0_c} and {@code b0_c} (not), then runs the loaded batch forward and back:
     * the weight and bias gradients are left in the pass.
     */
    private static void backwardAt(LayerPass pass, Network net, int[] layers, FMatrixRMaj[] w0, FMatrixRMaj[] b0,
                                   float[][] mask, float[][] delta, float[][] xi, boolean perturbed) {
        for (int k = 0; k < layers.length; k++) {
            FMatrixRMaj w = weights(net.layer(layers[k])), b = bias(net.layer(layers[k]));
            int neurons = w.numCols;
            for (int r = 0, i = 0; r < w.numRows; r++) { // row r of W: one input's weight into every neuron c
                for (int c = 0; c < neurons; c++, i++) {
                    w.data[i] = w0[k].data[i] * (mask[k][c] + (perturbed ? delta[k][c] : 0f));
                }
            }
            for (int c = 0; c < neurons; c++) {
                b.data[c] = b0[k].data[c] * (1f + (perturbed ? xi[k][c] : 0f));
            }
        }
        pass.forward();
        pass.loss(1f);
        pass.backward(null, null);
    }

    /**
     * The gradient with respect to a factor that multiplies every entry of column (neuron) c of a
     * parameter: {@code Σ_r dL/dw[r, c] · w0[r, c]}.
     */
    private static float[] neuronGradient(FMatrixRMaj dW, FMatrixRMaj w0) {
        int neurons = w0.numCols;
        float[] g = new float[neurons];
        for (int r = 0, i = 0; r < w0.numRows; r++) {
            for (int c = 0; c < neurons; c++, i++) {
                g[c] += dW.data[i] * w0.data[i];
            }
        }
        return g;
    }

    private static FMatrixRMaj weights(Layer layer) {
        return layer instanceof Conv2D conv ? conv.weights() : ((DenseLayer) layer).weights();
    }

    private static FMatrixRMaj bias(Layer layer) {
        return layer instanceof Conv2D conv ? conv.bias() : ((DenseLayer) layer).bias();
    }
}
