package dev.badnets.attack.defense;

import dev.badnets.core.InputGradient;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import java.util.Objects;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;

/**
 * MM-BD (Wang, Xiang, Miller and Kesidis, "MM-BD: Post-Training Detection of Backdoor Attacks with
 * Arbitrary Backdoor Pattern Types Using a Maximum Margin Statistic", IEEE S&amp;P 2024): a second
 * opinion on whether a model is backdoored that assumes nothing about the trigger's shape (Neural
 * Cleanse assumes a small patch) and needs no clean images. A backdoor teaches the network one
 * feature that overrides everything else and drives its target's logit far above the others; no
 * natural class has such a feature. So for every class t it searches an input, anywhere in the
 * pixel box, that maximises t's margin:
 * <pre>
 *   margin_t(x) = a_t(x) - max_{j ≠ t} a_j(x)          (a: the logits; x in [0, 1] per pixel)
 *   r_t = max over S random starts of margin_t(x*),     x* from gradient ascent on the margin
 * </pre>
 * and flags the class with the largest statistic when it is implausibly large next to the others:
 * a Gamma distribution fitted to the K-1 other statistics gives the p-value of the largest of K,
 * {@code p = 1 - F(r_max)^K}, flagged when p &lt; {@link Settings#pValue} (the paper's 0.05).
 *
 * <p>Parameters, the paper's released code's unless said: S = 30 starts drawn uniformly in
 * [0, 1]; at most 300 steps of gradient ascent with learning rate 0.01 on the batch's summed
 * margin, the network seeing {@code clamp(x, 0, 1)} (no gradient flows where x is outside); the
 * search of a class stops early when the summed margin changed by less than 1e-5 of itself. (The
 * released code makes a new SGD with momentum 0.2 at every step, which resets the momentum, so
 * the steps are plain gradient steps; so are these.) Deviation: the Gamma's location is fixed at
 * 0 (shape and scale by maximum likelihood, {@link Stats#gammaFit}); with nine null values a free
 * location made the fit unstable, and the statistics are positive.
 *
 * <p>Deterministic for a given seed and thread count (the backends split a batch by images).
 */
public final class MaxMargin {

    /**
     * How the margins are searched and judged.
     *
     * @param starts       random starting inputs per class (S)
     * @param maxSteps     the most gradient steps per class
     * @param learningRate step size on the pixels (in [0, 1] units) per unit of margin gradient
     * @param tolerance    stop once the summed margin changes by less than this share of itself
     * @param pValue       flag the largest statistic when its p-value is below this
     * @param seed         the random starts
     * @param threads      threads of the backend
     * @param backend      {@code auto}, {@code ejml} or {@code simd}
     */
    public record Settings(int starts, int maxSteps, float learningRate, double tolerance, double pValue, long seed,
                           int threads, String backend) {

        public Settings {
            if (starts < 1 || maxSteps < 1 || threads < 1) {
                throw new IllegalArgumentException("starts, steps and threads must be >= 1, got " + starts + ", "
                        + maxSteps + " and " + threads);
            }
            if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
                throw new IllegalArgumentException("learning rate must be a finite number > 0, got " + learningRate);
            }
            if (!(tolerance >= 0) || !(pValue > 0 && pValue < 1)) {
                throw new IllegalArgumentException("tolerance must be >= 0 and the p-value in (0, 1), got "
                        + tolerance + " and " + pValue);
            }
            if (backend == null || !Backends.NAMES.contains(backend)) {
                throw new IllegalArgumentException("backend must be one of " + String.join(", ", Backends.NAMES)
                        + ", got " + backend);
            }
        }

        /** The paper's: 30 starts, 300 steps, learning rate 0.01, tolerance 1e-5, p-value 0.05; seed 1, every core. */
        public static Settings defaults() {
            return new Settings(30, 300, 0.01f, 1e-5, 0.05, 1L, Runtime.getRuntime().availableProcessors(), "auto");
        }

        public Settings withSeed(long value) {
            return new Settings(starts, maxSteps, learningRate, tolerance, pValue, value, threads, backend);
        }

        public Settings withThreads(int value, String backendName) {
            return new Settings(starts, maxSteps, learningRate, tolerance, pValue, seed, value, backendName);
        }
    }

    /**
     * What MM-BD found.
     *
     * @param margins  r_t per class: the largest margin any start reached
     * @param steps    gradient steps taken per class
     * @param suspect  the class with the largest margin
     * @param pValue   {@code 1 - F(r_suspect)^K} under the Gamma fitted to the other classes' margins
     * @param shape    the fitted Gamma's shape
     * @param scale    the fitted Gamma's scale
     * @param flagged  whether {@code pValue} is below the threshold
     * @param threshold the p-value threshold used
     * @param seconds  wall-clock seconds of the search
     */
    public record Result(double[] margins, int[] steps, int suspect, double pValue, double shape, double scale,
                         boolean flagged, double threshold, double seconds) {
    }

    private MaxMargin() {}

    /**
     * Searches every class's largest margin and judges the largest.
     *
     * @param net   a classifier of images of {@code shape}; its outputs are read as logits
     * @param shape the input images' shape
     * @throws IllegalArgumentException if the shape does not fit or the network has under 3 classes
     * @throws ArithmeticException if a statistic is not a finite positive number, so no p-value can be computed
     */
    public static Result scan(Network net, Shape shape, Settings settings) {
        Objects.requireNonNull(settings, "settings");
        net.checkInput(shape);
        int classes = net.classes();
        if (classes < 3) {
            throw new IllegalArgumentException("MM-BD needs at least 3 classes (a null of 2 or more), got " + classes);
        }
        long start = System.nanoTime();
        MatrixBackend backend = Backends.create(settings.backend(), settings.threads());
        int pixels = net.inputWidth(), n = settings.starts();
        InputGradient gradient = net.inputGradient(n, backend);
        FMatrixRMaj x = new FMatrixRMaj(n, pixels), seen = new FMatrixRMaj(n, pixels), dX = new FMatrixRMaj(n, pixels);
        double[] margins = new double[classes];
        int[] steps = new int[classes];
        double[] batchMargins = new double[n];
        for (int t = 0; t < classes; t++) {
            SplittableRandom random = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + t);
            for (int k = 0; k < x.data.length; k++) {
                x.data[k] = (float) random.nextDouble();
            }
            int target = t;
            double last = Double.NaN;
            int step = 0;
            while (step < settings.maxSteps()) {
                clamp(x.data, seen.data);
                // ascend the summed margin: descend L = -Σ_i margin_i, dL/da_it = -1, dL/da_ij* = +1
                gradient.gradient(seen, (a, dA) -> margins(a, target, batchMargins, dA), dX);
                step++;
                double total = 0;
                for (double m : batchMargins) {
                    total += m;
                }
                float lr = settings.learningRate();
                for (int k = 0; k < x.data.length; k++) {
                    float v = x.data[k];
                    if (v >= 0f && v <= 1f) { // clamp's gradient is 1 inside the box, 0 outside
                        x.data[k] = v - lr * dX.data[k];
                    }
                }
                if (!Double.isNaN(last) && Math.abs(total - last) < settings.tolerance() * Math.abs(last)) {
                    break;
                }
                last = total;
            }
            double best = Double.NEGATIVE_INFINITY;
            for (double m : batchMargins) {
                best = Math.max(best, m);
            }
            margins[t] = best;
            steps[t] = step;
        }
        int suspect = 0;
        for (int t = 1; t < classes; t++) {
            if (margins[t] > margins[suspect]) {
                suspect = t;
            }
        }
        double[] rest = new double[classes - 1];
        for (int t = 0, k = 0; t < classes; t++) {
            if (t != suspect) {
                rest[k++] = margins[t];
            }
        }
        for (double m : margins) {
            if (!(m > 0) || !Double.isFinite(m)) {
                throw new ArithmeticException("MM-BD: a class's largest margin is " + m
                        + ", not a positive number, so the Gamma null cannot be fitted");
            }
        }
        double[] gamma = Stats.gammaFit(rest);
        // 1 - (1 - Q)^K, computed from the tail Q so that small p-values keep their digits
        double tail = Stats.gammaUpperTail(margins[suspect], gamma[0], gamma[1]);
        double p = -Math.expm1(classes * Math.log1p(-tail));
        return new Result(margins, steps, suspect, p, gamma[0], gamma[1], p < settings.pValue(), settings.pValue(),
                (System.nanoTime() - start) / 1e9);
    }

    /** {@code dst = clamp(src, 0, 1)}, element by element. */
    private static void clamp(float[] src, float[] dst) {
        for (int k = 0; k < src.length; k++) {
            dst[k] = Math.min(1f, Math.max(0f, src[k]));
        }
    }

    /**
     * Each row's margin {@code a_t - max_{j≠t} a_j} into {@code out}, and the gradient of
     * {@code -Σ margin} into {@code dA} (zero on entry): -1 at t, +1 at the runner-up.
     */
    static void margins(FMatrixRMaj a, int t, double[] out, FMatrixRMaj dA) {
        int k = a.numCols;
        for (int i = 0; i < a.numRows; i++) {
            int base = i * k, other = t == 0 ? 1 : 0;
            for (int j = 0; j < k; j++) {
                if (j != t && a.data[base + j] > a.data[base + other]) {
                    other = j;
                }
            }
            out[i] = (double) a.data[base + t] - a.data[base + other];
            dA.data[base + t] = -1f;
            dA.data[base + other] = 1f;
        }
    }
}
