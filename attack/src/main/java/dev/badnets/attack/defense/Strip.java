package dev.badnets.attack.defense;

import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Poisoning;
import dev.badnets.attack.Trigger;
import dev.badnets.core.ByteSamples;
import dev.badnets.core.Evaluator;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.mnist.LabeledImages;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * STRIP (Gao et al., "STRIP: A Defence Against Trojan Attacks on Deep Neural Networks", ACSAC
 * 2019): catches triggered inputs at run time, from the model alone.
 *
 * <p>The idea: superimpose an input {@code x} with {@code N} clean images drawn at random and
 * classify the {@code N} blends. A clean digit blended with another digit becomes ambiguous, so the
 * predictions spread over several classes; a triggered input keeps its trigger in every blend, and
 * the backdoor keeps sending every blend to the target class. The test statistic is the mean
 * Shannon entropy of the blends' predictions, in bits:
 *
 * <pre>
 *   H(x) = (1/N) sum_{n=1..N} H_n,   H_n = - sum_{c=1..K} p_c(x_n) log2 p_c(x_n),
 *   x_n  = min(255, x + o_n)   pixel by pixel, o_n a clean image drawn with replacement
 * </pre>
 *
 * <p>The superimposition is the paper's: its code blends with OpenCV's
 * {@code addWeighted(background, 1, overlay, 1, 0)}, which adds the two images' grey levels and
 * saturates at 255 (IBM ART's {@code STRIPMixin} averages the two instead; adding keeps a 255-valued
 * trigger at full strength, which is what the paper measured). An input is flagged as triggered when
 * {@code H(x)} falls <em>below</em> a threshold chosen on clean held-out images so that a requested
 * share of them, the false rejection rate (FRR), would be flagged ({@link #threshold}). The paper
 * and ART fit a normal distribution to the clean entropies and take its FRR-quantile; here an
 * empirical quantile is used, which assumes nothing about the distribution's shape.
 *
 * <p>Evaluation ({@link #run}): a held-out clean set (MNIST's test set) is split at random into
 * three disjoint parts, the overlays the blends draw from, the calibration images the threshold is
 * set on, and the evaluation images. The false rejection rate is measured on the evaluation images
 * as they are; the detection rate on the evaluation images whose class the backdoor changes (not the
 * all-to-one target), stamped with the trigger.
 *
 * <p>Cost: one forward pass per blend, {@code N} per input, in batches through {@link Evaluator}.
 * Determinism: the split and every overlay drawn come from one {@link SplittableRandom} seeded with
 * {@link Settings#seed()}, so the same seed and backend give the same figures bit for bit.
 */
public final class Strip {

    /** Most blend pixels built at once (8 MB), and so the most the blends of one input may take. */
    static final int CHUNK_BYTES = 8 << 20;

    private final Network net;
    private final LabeledImages overlays;
    private final int perturbations;
    private final MatrixBackend backend;

    /**
     * A STRIP test of {@code net}: blends each input with {@code perturbations} images drawn from
     * {@code overlays}.
     *
     * @param net           a classifier with softmax outputs (trained with softmax cross-entropy, as every
     *                      network of this project is), whose input is one image of {@code overlays}' size
     * @param overlays      clean images (at least one), the size of the inputs to test
     * @param perturbations blends per input, {@code N >= 1} (the paper uses 100)
     * @param backend       runs the network's products
     * @throws IllegalArgumentException if the images do not fit the network, a count is out of range, or
     *                                  the network was not trained with softmax cross-entropy
     *                                  ({@link Requirements#softmaxOutputs}); the entropies are computed
     *                                  through {@link Evaluator}, which refuses non-finite outputs
     */
    public Strip(Network net, LabeledImages overlays, int perturbations, MatrixBackend backend) {
        this.net = Objects.requireNonNull(net, "net");
        this.overlays = Objects.requireNonNull(overlays, "overlays");
        this.backend = Objects.requireNonNull(backend, "backend");
        if (perturbations < 1) {
            throw new IllegalArgumentException("perturbations must be at least 1, got " + perturbations);
        }
        if (overlays.count() < 1) {
            throw new IllegalArgumentException("STRIP needs at least one clean image to blend with, got none");
        }
        net.checkInput(Shape.image(overlays.rows(), overlays.cols()));
        Requirements.softmaxOutputs(net, "STRIP");
        if ((long) perturbations * overlays.pixelsPerImage() > CHUNK_BYTES) {
            throw new IllegalArgumentException(perturbations + " blends of " + overlays.pixelsPerImage()
                    + " pixels pass the " + (CHUNK_BYTES >> 20) + " MB the blends of one input may take; "
                    + "ask for fewer perturbations");
        }
        this.perturbations = perturbations;
    }

    /**
     * The STRIP entropy {@code H(x)} of every image of {@code inputs}, in bits: the mean over
     * {@code N} blends of the Shannon entropy of the network's predictions (see the class comment).
     * Low entropy means the blends stay confidently in one class, the mark of a trigger.
     *
     * @param inputs images of the overlays' size (their labels are not read)
     * @param random draws the overlays, {@code N} per input, input after input
     * @return one entropy per input, in {@code [0, log2 K]}
     */
    public double[] entropies(LabeledImages inputs, SplittableRandom random) {
        if (inputs.rows() != overlays.rows() || inputs.cols() != overlays.cols()) {
            throw new IllegalArgumentException("the inputs are " + inputs.rows() + "x" + inputs.cols()
                    + " images but the overlays " + overlays.rows() + "x" + overlays.cols());
        }
        int n = inputs.count();
        int size = inputs.pixelsPerImage();
        int classes = net.classes();
        // The blends of several inputs go through the network together; the constructor made sure one fits.
        int perChunk = (int) Math.max(1, Math.min(n, CHUNK_BYTES / ((long) perturbations * size)));
        byte[] blends = new byte[perChunk * perturbations * size];
        byte[] labels = new byte[perChunk * perturbations]; // never read: classifying is all this pass does
        double[] entropies = new double[n];
        for (int from = 0; from < n; from += perChunk) {
            int count = Math.min(perChunk, n - from);
            if (count < perChunk) { // the last, shorter chunk: ByteSamples takes arrays of its exact size
                blends = new byte[count * perturbations * size];
                labels = new byte[count * perturbations];
            }
            for (int i = 0; i < count; i++) {
                for (int k = 0; k < perturbations; k++) {
                    int o = random.nextInt(overlays.count());
                    superimpose(inputs.pixels(), (from + i) * size, overlays.pixels(), o * size,
                            blends, (i * perturbations + k) * size, size);
                }
            }
            ByteSamples samples = new ByteSamples(blends, labels, Shape.image(inputs.rows(), inputs.cols()), classes);
            float[] p = Evaluator.probabilities(net, samples, backend);
            for (int i = 0; i < count; i++) {
                double sum = 0;
                for (int k = 0; k < perturbations; k++) {
                    sum += entropy(p, (i * perturbations + k) * classes, classes);
                }
                entropies[from + i] = sum / perturbations;
            }
        }
        return entropies;
    }

    /**
     * The paper's superimposition of two images of unsigned grey levels: {@code out = min(255, a + b)},
     * pixel by pixel, for {@code n} pixels.
     */
    static void superimpose(byte[] a, int aFrom, byte[] b, int bFrom, byte[] out, int outFrom, int n) {
        for (int j = 0; j < n; j++) {
            out[outFrom + j] = (byte) Math.min(255, (a[aFrom + j] & 0xFF) + (b[bFrom + j] & 0xFF));
        }
    }

    /**
     * Shannon entropy in bits of the distribution {@code p[offset .. offset + k)}:
     * {@code -sum p_c log2 p_c}, with {@code 0 log 0 = 0}. 0 for a one-hot distribution, {@code log2 k}
     * for the uniform one.
     */
    public static double entropy(float[] p, int offset, int k) {
        double h = 0;
        for (int c = 0; c < k; c++) {
            double pc = p[offset + c];
            if (pc > 0) {
                h -= pc * Math.log(pc);
            }
        }
        return h / Math.log(2);
    }

    /**
     * The entropy threshold for a false rejection rate {@code frr}: with the {@code m} clean
     * calibration entropies sorted ascending, {@code e(0) <= ... <= e(m-1)}, the threshold is
     * {@code e(k)} with {@code k = floor(frr * (m + 1)) - 1}, and an input is flagged when its
     * entropy is strictly below it.
     *
     * <p>Why {@code m + 1}: a fresh clean input is, to the network, one more draw from the same
     * distribution as the calibration images, so its entropy is equally likely to fall in any of the
     * {@code m + 1} gaps around them, and it falls below {@code e(k)} with probability at most
     * {@code (k + 1) / (m + 1) <= frr} (the split-conformal argument). The plain quantile
     * {@code e(floor(frr * m))} would reject slightly more than {@code frr} of fresh inputs on average.
     * On the calibration images themselves at most {@code k} are flagged. When {@code m} is too small
     * to promise {@code frr} ({@code (m + 1) * frr < 1}) the threshold is 0, and nothing is flagged.
     *
     * @param calibration entropies of clean images (not changed)
     * @param frr         the share of clean inputs one accepts to reject, in (0, 1)
     */
    public static double threshold(double[] calibration, double frr) {
        if (!(frr > 0 && frr < 1)) {
            throw new IllegalArgumentException("the false rejection rate must be in (0, 1), got " + frr);
        }
        double[] sorted = calibration.clone();
        Arrays.sort(sorted);
        int k = orderStatistic(sorted.length, frr);
        return k < 0 ? 0 : sorted[k];
    }

    /**
     * The index {@code k = floor(frr * (m + 1)) - 1} of the calibration entropy that {@link #threshold}
     * takes among {@code m}; negative when {@code m} is too small to promise {@code frr}.
     */
    public static int orderStatistic(int m, double frr) {
        // The 1e-9 absorbs rounding: 0.29 * 100 is 28.999999999999996 in doubles and must count as 29.
        int k = (int) Math.floor(frr * (m + 1) + 1e-9) - 1;
        return Math.min(k, m - 1);
    }

    /**
     * How many images each part of the held-out set gets, and how many blends each input.
     *
     * @param perturbations blends per input ({@code N})
     * @param overlays      clean images the blends draw from
     * @param calibration   clean images the threshold is set on
     * @param evaluation    clean images the rates are measured on (their non-target ones also triggered)
     * @param seed          seeds the split and the draws of overlays
     */
    public record Settings(int perturbations, int overlays, int calibration, int evaluation, long seed) {

        /** Blends per input by default (the paper uses 100; on MNIST 32 already separates the two, see the README). */
        public static final int DEFAULT_PERTURBATIONS = 32;
        public static final int DEFAULT_OVERLAYS = 2000;
        public static final int DEFAULT_CALIBRATION = 4000;
        public static final int DEFAULT_EVALUATION = 4000;

        public Settings {
            if (perturbations < 1 || overlays < 1 || calibration < 1 || evaluation < 1) {
                throw new IllegalArgumentException("perturbations, overlays, calibration and evaluation must each "
                        + "be at least 1, got " + perturbations + ", " + overlays + ", " + calibration + ", "
                        + evaluation);
            }
        }

        /** The defaults: 32 blends per input; 2,000 overlays, 4,000 calibration and 4,000 evaluation images. */
        public static Settings defaults(long seed) {
            return new Settings(DEFAULT_PERTURBATIONS, DEFAULT_OVERLAYS, DEFAULT_CALIBRATION, DEFAULT_EVALUATION,
                    seed);
        }

        /** These settings with {@code n} blends per input. */
        public Settings withPerturbations(int n) {
            return new Settings(n, overlays, calibration, evaluation, seed);
        }

        /** The images the three parts take together. */
        public int heldOut() {
            return overlays + calibration + evaluation;
        }

        /**
         * These settings for a held-out set of {@code count} images: unchanged when it is large enough,
         * else the three parts shrunk in the same proportions (each at least one image).
         *
         * @throws IllegalArgumentException for fewer than 3 images
         */
        public Settings fitting(int count) {
            if (count < 3) {
                throw new IllegalArgumentException("STRIP needs at least 3 held-out clean images (overlays, "
                        + "calibration, evaluation), got " + count);
            }
            if (count >= heldOut()) {
                return this;
            }
            int o = clamp((long) overlays * count / heldOut(), count - 2);
            int c = clamp((long) calibration * count / heldOut(), count - 1 - o);
            return new Settings(perturbations, o, c, count - o - c, seed);
        }

        /** {@code share} kept within {@code [1, max]}. */
        private static int clamp(long share, int max) {
            return (int) Math.max(1, Math.min(share, max));
        }
    }

    /**
     * A set of STRIP entropies, one per image, with the statistics the reports print.
     *
     * @param values the entropies in bits, in the images' order (not copied)
     */
    public record Entropies(double[] values) {

        public int count() {
            return values.length;
        }

        /** The share of entropies strictly below {@code threshold}: the share STRIP flags; 0 for none. */
        public double shareBelow(double threshold) {
            return values.length == 0 ? 0 : (double) countBelow(threshold) / values.length;
        }

        /** How many entropies are strictly below {@code threshold}. */
        public int countBelow(double threshold) {
            int below = 0;
            for (double v : values) {
                below += v < threshold ? 1 : 0;
            }
            return below;
        }

        public double mean() {
            return Arrays.stream(values).average().orElse(Double.NaN);
        }

        public double min() {
            return Arrays.stream(values).min().orElse(Double.NaN);
        }

        public double max() {
            return Arrays.stream(values).max().orElse(Double.NaN);
        }

        /** The middle value (the mean of the two middle ones for an even count); NaN for none. */
        public double median() {
            if (values.length == 0) {
                return Double.NaN;
            }
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            int m = sorted.length / 2;
            return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
        }
    }

    /**
     * What a STRIP evaluation found.
     *
     * @param frrRequested  the false rejection rate the threshold was set for
     * @param threshold     the entropy below which an input is flagged, in bits
     * @param settings      the settings used (after {@link Settings#fitting})
     * @param calibration   entropies of the clean calibration images
     * @param clean         entropies of the clean evaluation images
     * @param triggered     entropies of the triggered evaluation images (those the backdoor relabels)
     */
    public record Result(double frrRequested, double threshold, Settings settings, Entropies calibration,
                         Entropies clean, Entropies triggered) {

        /** The share of clean evaluation images flagged (wrongly). */
        public double falseRejectionRate() {
            return clean.shareBelow(threshold);
        }

        /** The share of triggered evaluation images flagged; 1 minus the paper's false acceptance rate. */
        public double detectionRate() {
            return triggered.shareBelow(threshold);
        }

        public int cleanCount() {
            return clean.count();
        }

        public int triggeredCount() {
            return triggered.count();
        }
    }

    /**
     * The held-out set split at random into disjoint parts.
     *
     * @param overlays    the images blends draw from
     * @param calibration the images the threshold is set on
     * @param evaluation  the images the rates are measured on
     */
    public record Split(LabeledImages overlays, LabeledImages calibration, LabeledImages evaluation) {}

    /**
     * Splits {@code heldOut} at random into {@code settings.overlays()}, {@code calibration()} and
     * {@code evaluation()} images (each part in the original order); {@code random} shuffles.
     *
     * @throws IllegalArgumentException if the parts take more images than {@code heldOut} holds
     */
    public static Split split(LabeledImages heldOut, Settings settings, SplittableRandom random) {
        int n = heldOut.count();
        if (settings.heldOut() > n) {
            throw new IllegalArgumentException("STRIP's " + settings.overlays() + " overlays, " + settings.calibration()
                    + " calibration and " + settings.evaluation() + " evaluation images need " + settings.heldOut()
                    + " held-out images, got " + n);
        }
        LabeledImages[] parts = parts(heldOut, random, settings.overlays(), settings.calibration(),
                settings.evaluation());
        return new Split(parts[0], parts[1], parts[2]);
    }

    /**
     * Disjoint parts of {@code images} drawn at random, of the given {@code sizes} (together at most
     * {@code images.count()}), each in the original order; {@code random} shuffles all the images once.
     */
    static LabeledImages[] parts(LabeledImages images, SplittableRandom random, int... sizes) {
        int n = images.count();
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        LabeledImages[] parts = new LabeledImages[sizes.length];
        int from = 0;
        for (int p = 0; p < sizes.length; p++) {
            int[] indices = Arrays.copyOfRange(order, from, from + sizes[p]);
            Arrays.sort(indices);
            parts[p] = Defense.keep(images, indices);
            from += sizes[p];
        }
        return parts;
    }

    /** {@link #run(Network, LabeledImages, Trigger, PoisonPlan.Mode, int, double, Settings, MatrixBackend)} on the auto backend, one thread. */
    public static Result run(Network net, LabeledImages heldOut, Trigger trigger, PoisonPlan.Mode mode, int target,
                             double frr, Settings settings) {
        return run(net, heldOut, trigger, mode, target, frr, settings, Backends.create("auto", 1));
    }

    /**
     * The whole STRIP evaluation: splits {@code heldOut} ({@link #split}, after
     * {@link Settings#fitting}), sets the threshold on the calibration images at {@code frr}, and
     * measures the share of clean and of triggered evaluation images flagged.
     *
     * @param heldOut clean labelled images the model was not trained on (MNIST's test set)
     * @param trigger the backdoor's trigger, stamped on the evaluation images the backdoor relabels
     * @param mode    all-to-one (images of class {@code target} are left out of the triggered set, as
     *                the attack success rate leaves them out) or all-to-all (none left out)
     * @param target  the all-to-one target class; ignored in all-to-all mode
     * @param frr     the false rejection rate to set the threshold for, in (0, 1)
     * @throws IllegalArgumentException if the images do not fit the network or the trigger, the target
     *         is not a class of the network, {@code frr} is out of range, or {@code heldOut} holds
     *         fewer than 3 images
     */
    public static Result run(Network net, LabeledImages heldOut, Trigger trigger, PoisonPlan.Mode mode, int target,
                             double frr, Settings settings, MatrixBackend backend) {
        if (!(frr > 0 && frr < 1)) {
            throw new IllegalArgumentException("the false rejection rate must be in (0, 1), got " + frr);
        }
        int classes = net.classes();
        if (mode == PoisonPlan.Mode.ALL_TO_ONE && (target < 0 || target >= classes)) {
            throw new IllegalArgumentException("target class " + target + " is not one of the model's "
                    + classes + " classes: expected 0 to " + (classes - 1));
        }
        net.checkInput(Shape.image(heldOut.rows(), heldOut.cols()));
        trigger.validate(heldOut.rows(), heldOut.cols());
        Settings fitted = settings.fitting(heldOut.count());
        SplittableRandom random = new SplittableRandom(fitted.seed());
        Split split = split(heldOut, fitted, random);
        Strip strip = new Strip(net, split.overlays(), fitted.perturbations(), backend);
        LabeledImages triggered = Poisoning.attacked(split.evaluation(), trigger, mode, target, classes);
        if (triggered.count() == 0) {
            throw new IllegalArgumentException("all " + split.evaluation().count() + " evaluation images are of the "
                    + "target class " + target + ", so none can show the trigger at work; give more held-out images");
        }
        return strip.measure(split.calibration(), split.evaluation(), triggered, frr, fitted, random);
    }

    /**
     * Sets the threshold at {@code frr} on the entropies of {@code calibration}, then takes the
     * entropies of {@code clean} and of {@code triggered}, in that order, with overlays drawn by {@code random}.
     *
     * @param settings the settings to report (the counts actually used)
     */
    Result measure(LabeledImages calibration, LabeledImages clean, LabeledImages triggered, double frr,
                   Settings settings, SplittableRandom random) {
        double[] calibrated = entropies(calibration, random);
        double threshold = threshold(calibrated, frr);
        double[] cleanEntropies = entropies(clean, random);
        double[] triggeredEntropies = entropies(triggered, random);
        return new Result(frr, threshold, settings, new Entropies(calibrated), new Entropies(cleanEntropies),
                new Entropies(triggeredEntropies));
    }
}
