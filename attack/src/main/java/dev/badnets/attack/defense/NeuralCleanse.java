package dev.badnets.attack.defense;

import dev.badnets.core.ByteSamples;
import dev.badnets.core.Evaluator;
import dev.badnets.core.InputGradient;
import dev.badnets.core.Network;
import dev.badnets.core.Optimizer;
import dev.badnets.core.Samples;
import dev.badnets.core.Shape;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingResult;
import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.mnist.LabeledImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;

/**
 * Neural Cleanse (Wang et al., IEEE S&amp;P 2019): is a model backdoored, and towards which class?
 * Needs the model and some clean images, not the training set. For every class t it searches the
 * smallest trigger that sends clean images to t: a mask {@code m} and a pattern {@code p}, one value
 * per pixel, stamped as
 * <pre>
 *   x' = (1 - m) ⊙ x + m ⊙ p                     (pixels in [0, 1], as the network reads them)
 *   minimise  CE(f(x'), t) + λ Σ_j m_j           (mean cross-entropy over a batch, plus λ |m|_1)
 * </pre>
 * A backdoor is a shortcut to its target: a few pixels suffice there, where every other class needs
 * a digit-sized change. So a class whose mask L1 norm is abnormally small is flagged
 * ({@link #anomalyIndices}: the paper's median-absolute-deviation test, taken on log mask sizes and
 * one-sided, which the scan benchmark {@code bench/scan-grid.py} showed to matter on MNIST).
 *
 * <p>m and p stay in [0, 1] through {@code m = (1 + tanh μ) / 2}, {@code p = (1 + tanh π) / 2};
 * core's Adam ({@link Optimizer#adam}, the paper's learning rate 0.1, betas 0.5 and 0.9, a fresh
 * one per class) optimises μ and π. With the network's
 * input gradient {@code g = dCE/dx'} ({@link InputGradient}) the chain rule gives
 * <pre>
 *   dL/dm_j = Σ_i g_ij (p_j - x_ij) + λ        dL/dμ_j = dL/dm_j · 2 m_j (1 - m_j)
 *   dL/dp_j = Σ_i g_ij m_j                     dL/dπ_j = dL/dp_j · 2 p_j (1 - p_j)
 * </pre>
 *
 * <p>The cost λ follows the paper's schedule, counted in rounds of {@link Settings#roundSteps} steps
 * instead of passes over the data (the simplification: a pass over 10,000 images is 313 steps, and
 * the schedule needs many rounds): λ starts at {@link Settings#initialCost}; after
 * {@link Settings#patience} rounds in a row with attack success at or above
 * {@link Settings#successThreshold} it is multiplied by 1.5, after as many below it divided by
 * 1.5^1.5. The trigger kept is the smallest-mask one seen at the end of a round with success at or
 * above the threshold (else the last). The search stops after {@link Settings#maxSteps} steps, or
 * earlier once λ has gone both up and down and the best mask has not shrunk by 1% for
 * 2 × patience rounds.
 *
 * <p>Images have one channel (grey); mask and pattern have one value per pixel. The same seed,
 * images and thread count give the same triggers, bit for bit; so does any thread count, since the
 * backends split a batch by images.
 */
public final class NeuralCleanse implements ModelDefense {

    /** The paper's threshold, 2: a class whose (one-sided, log-scale) anomaly index exceeds it is flagged. */
    public static final double ANOMALY_THRESHOLD = 2.0;
    /** Makes the median absolute deviation estimate the standard deviation of normal data. */
    static final double MAD_TO_SIGMA = 1.4826;

    private static final double COST_UP = 1.5;
    private static final double COST_DOWN = Math.pow(1.5, 1.5);
    private static final float BETA1 = 0.5f;
    private static final float BETA2 = 0.9f;
    /** The starting mask and pattern, drawn uniformly, are kept this far from 0 and 1, where tanh is flat. */
    private static final double START_MARGIN = 0.01;

    /**
     * How the triggers are searched.
     *
     * @param batchSize        clean images per step
     * @param maxSteps         the most optimisation steps per class
     * @param roundSteps       steps per round of the cost schedule
     * @param learningRate     Adam's learning rate, in the tanh space of mask and pattern
     * @param initialCost      λ at the start
     * @param patience         rounds in a row above (or below) the success threshold before λ changes
     * @param successThreshold the attack success a trigger must reach to count
     * @param seed             the starting mask and pattern, and the order of the images
     * @param threads          threads of the backend
     * @param backend          {@code auto}, {@code ejml} or {@code simd}
     */
    public record Settings(int batchSize, int maxSteps, int roundSteps, float learningRate, double initialCost,
                           int patience, double successThreshold, long seed, int threads, String backend) {

        public Settings {
            positive("batch size", batchSize);
            positive("max steps", maxSteps);
            positive("round steps", roundSteps);
            positive("patience", patience);
            positive("threads", threads);
            if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
                throw new IllegalArgumentException("learning rate must be a finite number > 0, got " + learningRate);
            }
            if (!(initialCost > 0) || !Double.isFinite(initialCost)) {
                throw new IllegalArgumentException("initial cost must be a finite number > 0, got " + initialCost);
            }
            if (!(successThreshold > 0 && successThreshold <= 1)) {
                throw new IllegalArgumentException("success threshold must be in (0, 1], got " + successThreshold);
            }
            if (backend == null || !Backends.NAMES.contains(backend)) {
                throw new IllegalArgumentException("backend must be one of " + String.join(", ", Backends.NAMES)
                        + ", got " + backend);
            }
        }

        /**
         * Batch 32, learning rate 0.1, initial cost 0.001, success threshold 0.99 (the paper's), at
         * most 600 steps per class in rounds of 10 with patience 5, seed 1, every core, backend auto.
         */
        public static Settings defaults() {
            return new Settings(32, 600, 10, 0.1f, 1e-3, 5, 0.99, 1L, Runtime.getRuntime().availableProcessors(),
                    "auto");
        }

        public Settings withMaxSteps(int value) {
            return new Settings(batchSize, value, roundSteps, learningRate, initialCost, patience, successThreshold,
                    seed, threads, backend);
        }

        public Settings withSeed(long value) {
            return new Settings(batchSize, maxSteps, roundSteps, learningRate, initialCost, patience,
                    successThreshold, value, threads, backend);
        }

        public Settings withThreads(int value, String backendName) {
            return new Settings(batchSize, maxSteps, roundSteps, learningRate, initialCost, patience,
                    successThreshold, seed, value, backendName);
        }

        private static void positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, got " + value);
            }
        }
    }

    /**
     * The paper's mitigation: fine-tune on clean images of which a share carries a recovered
     * trigger, every image keeping its true label, so the model unlearns the shortcut.
     *
     * @param share    the share of the images that get a flagged class's recovered trigger, in (0, 1)
     * @param training how to fine-tune (epochs, batch, learning rate, optimiser, seed, threads)
     */
    public record Unlearning(double share, TrainingConfig training) {

        public Unlearning {
            if (!(share > 0 && share < 1)) {
                throw new IllegalArgumentException("unlearning share must be in (0, 1), got " + share);
            }
            Objects.requireNonNull(training, "training");
        }

        /**
         * 20% of the images stamped (the paper's share); three epochs of Adam at 0.001, batch 64,
         * seed 1, every core. (On MNIST, one epoch over 10,000 images left a third of the default
         * backdoor's attack success; three epochs over 20,000 bring it, and that of a 3x3 trigger,
         * under 5%.)
         */
        public static Unlearning defaults() {
            return new Unlearning(0.2, TrainingConfig.defaults().withEpochs(3));
        }

        public Unlearning withTraining(TrainingConfig value) {
            return new Unlearning(share, value);
        }
    }

    /** Told of the scan's progress; every method runs on the scanning thread and does nothing by default. */
    public interface Listener {
        /** A no-op listener. */
        Listener NONE = new Listener() { };

        /** After each optimisation step of class {@code label}; steps count from 1 up to at most {@code maxSteps}. */
        default void onStep(int label, int step, int maxSteps) {
        }

        /** A class is done. */
        default void onClass(RecoveredTrigger trigger) {
        }
    }

    private final Settings settings;
    private final int scanImages;
    private final int repairImages;
    private final Unlearning unlearning;

    /**
     * A Neural Cleanse defense for {@code BackdoorExperiment}: scans with the first
     * {@code scanImages} of the defender's clean images and, when a class is flagged, unlearns on
     * the next {@code repairImages}.
     */
    public NeuralCleanse(Settings settings, int scanImages, int repairImages, Unlearning unlearning) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.unlearning = Objects.requireNonNull(unlearning, "unlearning");
        if (scanImages < 1 || repairImages < 1) {
            throw new IllegalArgumentException("scan and repair need at least 1 image each, got " + scanImages
                    + " and " + repairImages);
        }
        this.scanImages = scanImages;
        this.repairImages = repairImages;
    }

    /** The defaults: 2,000 images to scan, 20,000 to repair on. */
    public NeuralCleanse() {
        this(Settings.defaults(), 2_000, 20_000, Unlearning.defaults());
    }

    @Override
    public String name() {
        return "neural-cleanse";
    }

    /**
     * Scans with the first images of {@code setting.clean()} and, if a class is flagged,
     * unlearns on the images after them; the test set is not looked at.
     */
    @Override
    public Result defend(Network model, Setting setting) {
        LabeledImages clean = setting.clean();
        if (clean.count() < 2) {
            throw new IllegalArgumentException("Neural Cleanse needs at least 2 clean images, got " + clean.count());
        }
        int scanned = Math.min(scanImages, clean.count() / 2);
        ScanResult scan = scan(model, clean.slice(0, scanned), settings, Listener.NONE);
        int best = scan.mostAnomalous();
        Figures figures = Figures.scan(scan.isFlagged(best) ? OptionalInt.of(best) : OptionalInt.empty(),
                best < 0 ? OptionalDouble.empty() : OptionalDouble.of(scan.anomalyIndices()[best]));
        if (scan.flagged().length == 0) {
            return new Result(model, null, 0, figures);
        }
        LabeledImages repairSet = clean.slice(scanned, Math.min(clean.count(), scanned + repairImages));
        Repair repair = unlearn(model, scan, repairSet, unlearning);
        return new Result(repair.network(), repair.training(), repairSet.count(), figures);
    }

    /**
     * Recovers a trigger for every class of {@code net} from {@code clean} and flags the anomalous ones.
     *
     * @param clean    clean images of the network's input size (their labels are not used to search,
     *                 only to leave a class's own images out of its attack success)
     * @param listener told of every step; may be null
     * @throws IllegalArgumentException if the images do not fit the network, hold fewer than 2 classes
     *                                  ({@link Requirements#classes}), or the model's outputs on them
     *                                  are not finite ({@link Requirements#finiteOutputs})
     */
    public static ScanResult scan(Network net, LabeledImages clean, Settings settings, Listener listener) {
        Listener events = listener == null ? Listener.NONE : listener;
        Shape shape = Shape.image(clean.rows(), clean.cols());
        net.checkInput(shape);
        if (clean.count() < 1) {
            throw new IllegalArgumentException("Neural Cleanse needs at least 1 clean image, got none");
        }
        for (int i = 0; i < clean.count(); i++) {
            if (clean.label(i) >= net.classes()) {
                throw new IllegalArgumentException("label " + clean.label(i) + " of image " + i
                        + " is not one of the model's " + net.classes() + " classes");
            }
        }
        Requirements.classes(clean, 2, "Neural Cleanse's scan",
                "each class's trigger is searched for on the images of the other classes");
        long start = System.nanoTime();
        ByteSamples samples = new ByteSamples(clean.pixels(), clean.labels(), shape, net.classes());
        MatrixBackend backend = Backends.create(settings.backend(), settings.threads());
        Requirements.finiteOutputs(net, clean, backend);
        Search search = new Search(net, samples, settings, backend);
        List<RecoveredTrigger> triggers = new ArrayList<>();
        for (int label = 0; label < net.classes(); label++) {
            RecoveredTrigger trigger = search.run(label, events);
            triggers.add(trigger);
            events.onClass(trigger);
        }
        double[] l1 = triggers.stream().mapToDouble(RecoveredTrigger::maskL1).toArray();
        double[] index = anomalyIndices(l1);
        return new ScanResult(List.copyOf(triggers), index, flagged(index), clean.count(),
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * The anomaly index of each class from the mask L1 norms, one-sided and on a log scale:
     * <pre>
     *   u_c = log L1_c,   M = median_k u_k,   MAD = median_k |u_k - M|
     *   index_c = (M - u_c) / (1.4826 · MAD)      (positive below the median, negative above)
     * </pre>
     * The paper's index is {@code |L1_c - median| / (1.4826 · MAD)} on the norms themselves; on
     * MNIST the clean classes' norms spread multiplicatively (21 to 65 pixels in one model) and one
     * or two large ones inflated the MAD until a 3x3 backdoor's 8-pixel mask scored 1.72. On the log
     * scale a mask twice the median moves the spread as much as one half the median, and only a
     * mask smaller than the median can be flagged. (The constant 1.4826 makes the MAD estimate σ
     * for normal data.) Should half the values or more equal the median (MAD 0), the mean absolute
     * deviation times 1.2533 (its own constant) stands in; when all are equal, every index is 0.
     *
     * @param l1 each class's mask L1 norm, all > 0
     */
    public static double[] anomalyIndices(double[] l1) {
        if (l1.length == 0) {
            return new double[0];
        }
        double[] u = new double[l1.length];
        for (int c = 0; c < l1.length; c++) {
            if (!(l1[c] > 0)) {
                throw new IllegalArgumentException("mask L1 norms must be > 0, got " + l1[c] + " for class " + c);
            }
            u[c] = Math.log(l1[c]);
        }
        double median = Stats.median(u);
        double[] deviations = new double[u.length];
        for (int c = 0; c < u.length; c++) {
            deviations[c] = Math.abs(u[c] - median);
        }
        double sigma = MAD_TO_SIGMA * Stats.median(deviations);
        if (sigma == 0) {
            sigma = 1.2533 * java.util.Arrays.stream(deviations).average().orElse(0);
        }
        double[] index = new double[u.length];
        for (int c = 0; c < u.length; c++) {
            index[c] = sigma == 0 ? 0 : (median - u[c]) / sigma;
        }
        return index;
    }

    /**
     * A repaired copy of a model and how its fine-tuning went.
     *
     * @param network  the fine-tuned copy
     * @param training the fine-tuning's epochs, seconds, backend and threads
     * @param stamped  how many of the images carried a recovered trigger
     */
    public record Repair(Network network, TrainingResult training, int stamped) {
    }

    /**
     * Unlearning: fine-tunes a copy of {@code net} on {@code clean}, a share of whose images (chosen
     * with the training seed) carry the recovered trigger of a flagged class (taking turns when
     * several are flagged), every image keeping its true label. {@code net} is not changed.
     *
     * @param clean clean images, disjoint from the ones the repair is measured on
     * @throws IllegalArgumentException if no class is flagged, the images do not fit the network, or
     *                                  they lack a class the model knows ({@link Requirements#classes})
     */
    public static Repair unlearn(Network net, ScanResult scan, LabeledImages clean, Unlearning unlearning) {
        return unlearn(net, scan, scan.flagged(), clean, unlearning);
    }

    /**
     * {@link #unlearn(Network, ScanResult, LabeledImages, Unlearning)} with the recovered triggers of
     * {@code flagged}, the classes a verdict other than Neural Cleanse's own named (a
     * {@link BackdoorScan}'s).
     *
     * @param flagged classes whose recovered triggers are stamped, taking turns; at least one
     */
    public static Repair unlearn(Network net, ScanResult scan, int[] flagged, LabeledImages clean,
                                 Unlearning unlearning) {
        if (flagged.length == 0) {
            throw new IllegalArgumentException("no class is flagged: there is no recovered trigger to unlearn");
        }
        net.checkInput(Shape.image(clean.rows(), clean.cols()));
        Requirements.classes(clean, net.classes(), "Neural Cleanse's unlearning",
                "it fine-tunes on them, and a class missing from them is a class the model forgets");
        LabeledImages stamped = clean.copy();
        int size = stamped.pixelsPerImage();
        int[] order = new int[stamped.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Trainer.shuffle(order, new SplittableRandom(unlearning.training().seed()));
        int count = (int) Math.round(unlearning.share() * stamped.count());
        for (int k = 0; k < count; k++) {
            RecoveredTrigger trigger = scan.triggers().get(flagged[k % flagged.length]);
            trigger.stamp(stamped.pixels(), order[k] * size);
        }
        Network repaired = net.copy();
        TrainingResult training = Trainer.train(repaired, new ByteSamples(stamped.pixels(), stamped.labels(),
                Shape.image(stamped.rows(), stamped.cols()), net.classes()), unlearning.training(), null);
        return new Repair(repaired, training, count);
    }

    /** The optimisation of one class's trigger; its buffers serve every class in turn. */
    private static final class Search {
        private final Network net;
        private final ByteSamples samples;
        private final Settings settings;
        private final MatrixBackend backend;
        private final InputGradient gradient;
        private final int pixels;
        private final int batch;
        // μ and π (tanh space), m and p, and the gradients of μ and π
        private final float[] mu, pi, mask, pattern, dMu, dPi;
        private final float[] bestMask, bestPattern;
        private final FMatrixRMaj clean, stamped, dX;
        private final int[] targets;
        private final int[] order;

        Search(Network net, ByteSamples samples, Settings settings, MatrixBackend backend) {
            this.net = net;
            this.samples = samples;
            this.settings = settings;
            this.backend = backend;
            this.pixels = net.inputWidth();
            this.batch = Math.min(settings.batchSize(), samples.size());
            this.gradient = net.inputGradient(batch, backend);
            mu = new float[pixels];
            pi = new float[pixels];
            mask = new float[pixels];
            pattern = new float[pixels];
            dMu = new float[pixels];
            dPi = new float[pixels];
            bestMask = new float[pixels];
            bestPattern = new float[pixels];
            clean = new FMatrixRMaj(batch, pixels);
            stamped = new FMatrixRMaj(batch, pixels);
            dX = new FMatrixRMaj(batch, pixels);
            targets = new int[batch];
            order = new int[samples.size()];
        }

        RecoveredTrigger run(int label, Listener events) {
            SplittableRandom random = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + label);
            for (int j = 0; j < pixels; j++) {
                mu[j] = start(random);
                pi[j] = start(random);
            }
            java.util.Arrays.fill(targets, label);
            // a fresh Adam (moments at zero) for every class
            Optimizer adam = Optimizer.adam(settings.learningRate(), BETA1, BETA2,
                    new FMatrixRMaj[] {FMatrixRMaj.wrap(1, pixels, mu), FMatrixRMaj.wrap(1, pixels, pi)},
                    new FMatrixRMaj[] {FMatrixRMaj.wrap(1, pixels, dMu), FMatrixRMaj.wrap(1, pixels, dPi)});
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            int next = order.length; // forces a shuffle before the first batch

            double cost = settings.initialCost();
            int above = 0, below = 0, stale = 0;
            boolean raised = false, lowered = false;
            double bestL1 = Double.POSITIVE_INFINITY, staleReference = Double.POSITIVE_INFINITY;
            long roundHits = 0, roundImages = 0;
            int step = 0;
            while (step < settings.maxSteps()) {
                if (next + batch > order.length) {
                    Trainer.shuffle(order, random);
                    next = 0;
                }
                roundHits += step(label, next, cost, adam);
                roundImages += batch;
                next += batch;
                step++;
                events.onStep(label, step, settings.maxSteps());
                if (step % settings.roundSteps() != 0) {
                    continue;
                }
                double success = (double) roundHits / roundImages;
                roundHits = 0;
                roundImages = 0;
                squash();
                double l1 = l1(mask);
                if (success >= settings.successThreshold() && l1 < bestL1) {
                    bestL1 = l1;
                    System.arraycopy(mask, 0, bestMask, 0, pixels);
                    System.arraycopy(pattern, 0, bestPattern, 0, pixels);
                }
                // the paper's cost schedule
                if (success >= settings.successThreshold()) {
                    above++;
                    below = 0;
                } else {
                    below++;
                    above = 0;
                }
                if (above >= settings.patience()) {
                    above = 0;
                    cost *= COST_UP;
                    raised = true;
                } else if (below >= settings.patience()) {
                    below = 0;
                    cost /= COST_DOWN;
                    lowered = true;
                }
                // early stop: the schedule has moved both ways and the best mask no longer shrinks
                if (bestL1 < Double.POSITIVE_INFINITY) {
                    stale = bestL1 >= 0.99 * staleReference ? stale + 1 : 0;
                    staleReference = Math.min(staleReference, bestL1);
                    if (raised && lowered && stale >= 2 * settings.patience()) {
                        break;
                    }
                }
            }
            if (bestL1 == Double.POSITIVE_INFINITY) { // never reached the threshold: keep the last
                squash();
                System.arraycopy(mask, 0, bestMask, 0, pixels);
                System.arraycopy(pattern, 0, bestPattern, 0, pixels);
            }
            float[] m = bestMask.clone(), p = bestPattern.clone();
            return new RecoveredTrigger(label, m, p, l1(m), attackSuccess(label, m, p), step);
        }

        /** One Adam step on μ and π for the batch {@code order[from .. from+batch)}; returns how many went to {@code label}. */
        private int step(int label, int from, double cost, Optimizer adam) {
            squash();
            float[] x = clean.data, s = stamped.data;
            for (int i = 0; i < batch; i++) {
                samples.copyInput(order[from + i], x, i * pixels);
            }
            for (int i = 0, o = 0; i < batch; i++) {
                for (int j = 0; j < pixels; j++, o++) {
                    s[o] = x[o] + mask[j] * (pattern[j] - x[o]); // (1 - m) x + m p
                }
            }
            gradient.lossAndGradient(stamped, targets, dX);
            FMatrixRMaj out = gradient.outputs();
            int hits = 0;
            for (int i = 0; i < batch; i++) {
                hits += Evaluator.argmax(out.data, i * out.numCols, out.numCols) == label ? 1 : 0;
            }
            triggerGradients(dX.data, x, batch, mask, pattern, (float) cost, dMu, dPi);
            adam.step();
            return hits;
        }

        /** m = (1 + tanh μ) / 2 and p = (1 + tanh π) / 2. */
        private void squash() {
            for (int j = 0; j < pixels; j++) {
                mask[j] = (float) (0.5 * (1 + Math.tanh(mu[j])));
                pattern[j] = (float) (0.5 * (1 + Math.tanh(pi[j])));
            }
        }

        /** The share of the images not of class {@code label} that the trigger sends to it. */
        private double attackSuccess(int label, float[] m, float[] p) {
            int[] others = java.util.stream.IntStream.range(0, samples.size())
                    .filter(i -> samples.label(i) != label).toArray();
            if (others.length == 0) {
                return 0;
            }
            int[] predicted = Evaluator.predict(net, new Stamped(samples, others, m, p), backend);
            int hits = 0;
            for (int c : predicted) {
                hits += c == label ? 1 : 0;
            }
            return (double) hits / others.length;
        }

        private static float start(SplittableRandom random) {
            double u = START_MARGIN + (1 - 2 * START_MARGIN) * random.nextDouble();
            return (float) (0.5 * Math.log(u / (1 - u))); // atanh(2u - 1)
        }

    }

    /**
     * The gradients of {@code L = CE + λ Σ_j m_j} with respect to the tanh-space mask and pattern,
     * from {@code g = dCE/dx'} for a batch stamped as {@code x' = x + m (p - x)}:
     * <pre>
     *   dL/dμ_j = (Σ_i g_ij (p_j - x_ij) + λ) · 2 m_j (1 - m_j)     (dm/dμ = (1 - tanh² μ) / 2 = 2 m (1 - m))
     *   dL/dπ_j = (Σ_i g_ij) m_j · 2 p_j (1 - p_j)
     * </pre>
     *
     * @param g       dCE/dx', batch x pixels, row-major
     * @param x       the clean batch, batch x pixels
     * @param mask    m, one per pixel; {@code pattern} p likewise
     * @param dMu     output, one per pixel; {@code dPi} likewise
     */
    static void triggerGradients(float[] g, float[] x, int batch, float[] mask, float[] pattern, float lambda,
                                 float[] dMu, float[] dPi) {
        int pixels = mask.length;
        for (int j = 0; j < pixels; j++) {
            float dm = lambda, dp = 0f;
            for (int i = 0, o = j; i < batch; i++, o += pixels) {
                dm += g[o] * (pattern[j] - x[o]);
                dp += g[o];
            }
            dMu[j] = dm * 2f * mask[j] * (1f - mask[j]);
            dPi[j] = dp * mask[j] * 2f * pattern[j] * (1f - pattern[j]);
        }
    }

    /** Classes whose (one-sided) anomaly index is above {@link #ANOMALY_THRESHOLD}, ascending. */
    static int[] flagged(double[] index) {
        return java.util.stream.IntStream.range(0, index.length).filter(c -> index[c] > ANOMALY_THRESHOLD).toArray();
    }

    private static double l1(float[] mask) {
        double sum = 0;
        for (float v : mask) {
            sum += v;
        }
        return sum;
    }

    /** Some of the clean samples with a trigger stamped as they are read: {@code (1 - m) x + m p}. */
    private record Stamped(ByteSamples clean, int[] indices, float[] mask, float[] pattern) implements Samples {
        @Override
        public int size() {
            return indices.length;
        }

        @Override
        public int inputWidth() {
            return clean.inputWidth();
        }

        @Override
        public Shape inputShape() {
            return clean.inputShape();
        }

        @Override
        public int classes() {
            return clean.classes();
        }

        @Override
        public int label(int index) {
            return clean.label(indices[index]);
        }

        @Override
        public void copyInput(int index, float[] dst, int offset) {
            clean.copyInput(indices[index], dst, offset);
            for (int j = 0; j < mask.length; j++) {
                dst[offset + j] += mask[j] * (pattern[j] - dst[offset + j]);
            }
        }
    }
}
