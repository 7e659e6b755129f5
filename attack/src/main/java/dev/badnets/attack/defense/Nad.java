package dev.badnets.attack.defense;

import dev.badnets.attack.ImageSamples;
import dev.badnets.core.ByteSamples;
import dev.badnets.core.Conv2D;
import dev.badnets.core.Network;
import dev.badnets.core.Optimizer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingResult;
import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.mnist.LabeledImages;
import java.util.Objects;
import org.ejml.data.FMatrixRMaj;

/**
 * Neural Attention Distillation (NAD; Li, Lyu, Koren, Lyu, Li and Ma, "Neural Attention Distillation:
 * Erasing Backdoor Triggers from Deep Neural Networks", ICLR 2021). Fine-tune a copy of the suspect
 * model on the defender's clean images: the <em>teacher</em>, partly cleansed. Then train the
 * suspect model itself, the <em>student</em>, on the same images with the cross-entropy plus a loss
 * pulling its attention maps towards the teacher's at every convolution:
 * <pre>
 *   A(a)[p]  = (1/C) Σ_c a[p, c]^2                 (attention of a layer output a: positions x C channels)
 *   Q(a)     = A(a) / ||A(a)||_2
 *   L        = CE(student(x), y) + Σ_l β_l · mean_{i,p} (Q(a_l^student)[p] - Q(a_l^teacher)[p])^2
 * </pre>
 * The gradient of the attention term with respect to the student's layer output, for one image
 * with {@code g_p = 2 β (Q_p - T_p) / (n P)} (n images, P positions) and {@code r = ||A||_2}:
 * <pre>
 *   dL/dA_p    = (g_p - Q_p Σ_k Q_k g_k) / r        (the derivative of a normalisation)
 *   dL/da[p,c] = dL/dA_p · 2 a[p,c] / C
 * </pre>
 *
 * <p>Parameters and sources: the attention power p = 2 and β = 500 for earlier layers, 1000 for the
 * last ones (NAD's code and BackdoorBench's {@code config/defense/nad/config.yaml}: {@code p: 2.0},
 * {@code beta1: 500}, {@code beta2: 1000}, {@code beta3: 1000}); here every convolution is one
 * attention layer: β = 1000 for the last, 500 for those before it. The defender's 5% of the clean
 * training data ({@code ratio: 0.05}). The teacher and the student train as {@link FineTuning}'s
 * defaults (10 epochs of Adam at 0.003, cosine, weight decay 5e-4, batch 64; BackdoorBench: 10 teacher
 * epochs and 100 student epochs of SGD at 0.01, too long for two cores; SGD left this project's
 * backdoor in place, see {@link FineTuning}).
 */
public final class Nad implements ModelDefense {

    /** β of the last convolution's attention loss. */
    public static final float BETA_LAST = 1000f;
    /** β of every earlier convolution's attention loss. */
    public static final float BETA_EARLIER = 500f;

    private final FineTuning.Settings settings;

    /** @param settings the clean share, and how teacher and student train */
    public Nad(FineTuning.Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public Nad() {
        this(FineTuning.Settings.defaults());
    }

    @Override
    public String name() {
        return "nad";
    }

    @Override
    public String describe() {
        return name() + " beta=" + BETA_EARLIER + "/" + BETA_LAST + " " + FineTuning.describe(settings);
    }

    @Override
    public Result defend(Network model, Setting setting) {
        LabeledImages own = FineTuning.cleanShare(setting.clean(), settings.share(), settings.training().seed());
        Requirements.classes(own, model.classes(), "NAD",
                "a class missing from the clean images is a class fine-tuning teaches the model to forget");
        int[] attention = convolutions(model);
        Network teacher = model.copy();
        FineTuning.fineTune(teacher, own, settings.training());
        Network student = model.copy();
        TrainingResult training = distil(student, teacher, attention, own, settings.training());
        return new Result(student, training, own.count(), FineTuning.noFigures());
    }

    /** The indices of the convolutions, whose outputs carry the attention maps; refused when there is none. */
    static int[] convolutions(Network net) {
        int[] layers = java.util.stream.IntStream.range(0, net.layerCount())
                .filter(l -> net.layer(l) instanceof Conv2D).toArray();
        if (layers.length == 0) {
            throw new IllegalArgumentException("NAD distils the attention maps of convolutions, but this model ("
                    + net.spec() + ") has none; use a model with convolutions");
        }
        return layers;
    }

    /**
     * Trains {@code student} in place on {@code images} with the cross-entropy plus the attention
     * loss against {@code teacher} (not changed) at {@code layers}.
     */
    static TrainingResult distil(Network student, Network teacher, int[] layers, LabeledImages images,
                                 TrainingConfig config) {
        MatrixBackend backend = Backends.create(config.backend(), config.threads());
        ByteSamples data = ImageSamples.of(images, student.classes());
        int n = data.size(), batch = Math.min(config.batchSize(), n);
        LayerPass s = new LayerPass(student, batch, backend);
        LayerPass t = new LayerPass(teacher, batch, backend);
        Optimizer optimizer = s.optimizer(config.optimizer(), config.learningRate(), config.weightDecay());
        float[] beta = new float[student.layerCount()];
        for (int k = 0; k < layers.length; k++) {
            beta[layers[k]] = k == layers.length - 1 ? BETA_LAST : BETA_EARLIER;
        }
        LayerPass.Hook hook = (l, a, dA) -> {
            if (beta[l] != 0) {
                attentionGradient(a, t.output(l), student.layer(l).outputShape().channels(), beta[l], dA);
            }
        };
        return Epochs.run(n, config, backend, (order, from, count, rate) -> {
            t.load(data, order, from, count);
            t.forward();
            s.load(data, order, from, count);
            s.forward();
            double loss = s.loss(1f);
            s.backward(hook, null);
            optimizer.step(rate);
            return loss;
        });
    }

    /**
     * Adds to {@code dA} the gradient of {@code β · mean_{i,p} (Q(a_i)[p] - Q(t_i)[p])^2} with respect to
     * the student's output {@code a}.
     *
     * @param a        the student's layer output, n x (positions · channels), channels-last
     * @param t        the teacher's output of the same layer for the same images, shaped as {@code a}
     * @param channels channels per position
     * @param dA       dL/da, shaped as {@code a}; added to
     */
    static void attentionGradient(FMatrixRMaj a, FMatrixRMaj t, int channels, float beta, FMatrixRMaj dA) {
        int n = a.numRows, width = a.numCols, positions = width / channels;
        double[] q = new double[positions], target = new double[positions], g = new double[positions];
        for (int i = 0; i < n; i++) {
            int base = i * width;
            double r = attention(a.data, base, channels, positions, q);
            attention(t.data, base, channels, positions, target);
            double qg = 0;
            for (int p = 0; p < positions; p++) {
                g[p] = 2.0 * beta * (q[p] - target[p]) / ((double) n * positions);
                qg += q[p] * g[p];
            }
            for (int p = 0; p < positions; p++) {
                double dAttention = (g[p] - q[p] * qg) / r;
                for (int c = 0, o = base + p * channels; c < channels; c++, o++) {
                    dA.data[o] += (float) (dAttention * 2.0 * a.data[o] / channels);
                }
            }
        }
    }

    /**
     * Writes Q = A / ||A||_2 of one image's output into {@code q} and returns ||A||_2 (at least 1e-12, as
     * NAD's normalisation does, so a silent layer gives Q = 0 rather than a division by zero).
     */
    static double attention(float[] a, int base, int channels, int positions, double[] q) {
        double norm = 0;
        for (int p = 0; p < positions; p++) {
            double sum = 0;
            for (int c = 0, o = base + p * channels; c < channels; c++, o++) {
                sum += (double) a[o] * a[o];
            }
            q[p] = sum / channels;
            norm += q[p] * q[p];
        }
        double r = Math.max(Math.sqrt(norm), 1e-12);
        for (int p = 0; p < positions; p++) {
            q[p] /= r;
        }
        return r;
    }
}
