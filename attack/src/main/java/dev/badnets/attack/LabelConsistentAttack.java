package dev.badnets.attack;

import dev.badnets.core.InputGradient;
import dev.badnets.core.Network;
import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.mnist.LabeledImages;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ejml.data.FMatrixRMaj;

/**
 * The label-consistent attack (Turner, Tsipras, Madry 2019, "Label-consistent backdoor attacks",
 * arXiv:1912.02771): a clean-label attack. Images of the target class would be classified right from
 * their content alone, so a trigger on them teaches little; the attack first makes them hard, moving each
 * within an L-infinity ball of radius {@code epsilon} to raise a clean model's loss on its true label
 * (projected gradient ascent, PGD), then stamps the trigger ({@link CornerTrigger}, the authors' four
 * corners). Labels are never changed. Values used by default: {@code epsilon = 16} grey levels (16/255;
 * BackdoorBench's crafting script, read at commit 4eb9c8b, uses 8/255 with 100 steps of 1.5/255 on an
 * adversarially trained ResNet-18), {@code steps = 20} of size {@code 2.5 epsilon / steps} (Madry et al.'s
 * rule), amplitude 1 (the authors' full amplitude), one clean model trained as usual. Against victims the
 * attacker does not know, one epoch of MNIST needs more: {@code epsilon = 64} with three models gives 74 to
 * 91% on three seeds of this project's CNN and on PyTorch (docs/attacks.md).
 *
 * <pre>
 *   L(x, y) = (1/M) sum_m loss_m(x, y)        the mean cross-entropy of the M clean models
 *   x_0 = x,   x_{t+1} = clip_{[x - eps, x + eps] and [0, 1]}( x_t + alpha * sign(dL/dx(x_t, y)) )
 *   poisoned = trigger(round(255 * x_T)),  label y kept
 * </pre>
 * The clean models are trained on the clean training set with the experiment's network and training
 * settings, each from a seed of the attacker's own ({@link CleanModel#attackerSeed}), never the victim's:
 * a perturbation tuned to the victim's own initial weights and batch order would overstate what an attacker
 * who does not know them achieves. With {@code models > 1} PGD ascends the mean loss of an ensemble
 * (Liu, Chen, Liu, Song 2017, "Delving into transferable adversarial examples", ICLR): what raises the loss
 * of several independently trained models is more likely to raise a further one's. With
 * {@code robustEpsilon > 0} the models are adversarially trained ({@link AdversarialTraining}), as
 * BackdoorBench's is. The gradients are the
 * project's ({@link InputGradient}). As in BackdoorBench, the poison count or rate is of the whole training
 * set and is drawn from the target class.
 *
 * <p>The share of the target class matters: the authors' code takes a {@code poisoning_proportion} of
 * it (1.0 in their example configuration, as in BackdoorBench). On MNIST, poisoning every image of the
 * class leaves no clean image of it to learn from, and the model classifies none of the clean test
 * images of that class right (docs/attacks.md); half the class keeps clean accuracy.
 */
public final class LabelConsistentAttack implements CleanLabel.Attack {

    /** BackdoorBench's radius, in grey levels (16/255). */
    public static final double DEFAULT_EPSILON = 16;
    /** PGD steps. */
    public static final int DEFAULT_STEPS = 20;
    /** Clean models PGD is run against (their mean loss). */
    public static final int DEFAULT_MODELS = 1;
    /** The largest ensemble: each model is a full training. */
    public static final int MAX_MODELS = 8;
    /** Images per gradient batch. */
    private static final int BATCH = 64;

    private final double epsilon;
    private final int steps;
    private final int models;
    private final double robustEpsilon;
    private final CornerTrigger trigger;

    /** One clean model, trained as usual: {@code models = 1}, {@code robustEpsilon = 0}. */
    public LabelConsistentAttack(double epsilon, int steps, double amplitude) {
        this(epsilon, steps, amplitude, DEFAULT_MODELS, 0);
    }

    /**
     * @param epsilon   radius of the L-infinity ball in grey levels, [0, 255]
     * @param steps     PGD steps, 1 to 1000
     * @param amplitude the trigger's amplitude, (0, 1]
     * @param models    clean models whose mean loss PGD raises, 1 to {@link #MAX_MODELS}
     * @param robustEpsilon the radius in grey levels, [0, 255], within which the clean models are adversarially
     *                  trained; 0 trains them on the images as they are
     */
    public LabelConsistentAttack(double epsilon, int steps, double amplitude, int models, double robustEpsilon) {
        if (!(epsilon >= 0 && epsilon <= 255)) {
            throw new IllegalArgumentException("label-consistent epsilon " + epsilon + " is outside [0, 255]:"
                    + " expected grey levels such as 16");
        }
        if (steps < 1 || steps > 1000) {
            throw new IllegalArgumentException("label-consistent steps " + steps + " is outside 1 to 1000: expected"
                    + " a count such as 20");
        }
        if (models < 1 || models > MAX_MODELS) {
            throw new IllegalArgumentException("label-consistent models " + models + " is outside 1 to " + MAX_MODELS
                    + ": expected a count such as 3");
        }
        this.epsilon = epsilon;
        this.steps = steps;
        if (!(robustEpsilon >= 0 && robustEpsilon <= 255)) {
            throw new IllegalArgumentException("label-consistent robust epsilon " + robustEpsilon + " is outside"
                    + " [0, 255]: expected grey levels such as 32, or 0 for a model trained as usual");
        }
        this.models = models;
        this.robustEpsilon = robustEpsilon;
        this.trigger = new CornerTrigger(amplitude);
    }

    @Override
    public String name() {
        return Attacks.LABEL_CONSISTENT;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("epsilon", epsilon);
        p.put("steps", steps);
        p.put("step_size", stepSize());
        p.put("amplitude", trigger.amplitude());
        p.put("models", models);
        p.put("robust_epsilon", robustEpsilon);
        return p;
    }

    /** PGD's step in grey levels: 2.5 epsilon / steps. */
    public double stepSize() {
        return 2.5 * epsilon / steps;
    }

    @Override
    public boolean needsCleanModel() {
        return true;
    }

    @Override
    public PoisonedSet poison(LabeledImages train, int classes, PoisonPlan plan, CleanModel cleanModel) {
        int[] chosen = CleanLabel.select(name(), train.labels(), classes, plan);
        trigger.validate(train.rows(), train.cols());
        LabeledImages poisoned = train.copy();
        int[] labels = CleanLabel.labelsOf(train, chosen);
        if (chosen.length > 0) {
            List<Network> clean = new ArrayList<>();
            for (int k = 1; k <= models; k++) {
                clean.add(cleanModel.train(train, classes, CleanModel.attackerSeed(plan.seed(), k), robustEpsilon));
            }
            perturb(clean, poisoned, chosen, labels);
            int size = train.pixelsPerImage();
            for (int i : chosen) {
                trigger.apply(poisoned.pixels(), i * size, train.rows(), train.cols());
            }
        }
        return new PoisonedSet(poisoned, chosen, labels, classes, plan, trigger, name(), parameters(), new int[0]);
    }

    /**
     * Replaces each chosen image of {@code images} by its PGD perturbation against {@code nets}: the mean
     * loss on its true label raised within the ball of radius epsilon, pixels kept in [0, 1].
     */
    void perturb(List<Network> nets, LabeledImages images, int[] chosen, int[] labels) {
        MatrixBackend backend = Backends.create("auto", 1);
        int width = images.pixelsPerImage();
        Pgd pgd = new Pgd(nets, BATCH, backend, (float) (epsilon / 255), (float) (stepSize() / 255), steps);
        FMatrixRMaj x0 = new FMatrixRMaj(BATCH, width);
        FMatrixRMaj x = new FMatrixRMaj(BATCH, width);
        for (int from = 0; from < chosen.length; from += BATCH) {
            int n = Math.min(BATCH, chosen.length - from);
            x0.reshape(n, width);
            x.reshape(n, width);
            for (int r = 0; r < n; r++) {
                int base = chosen[from + r] * width;
                for (int j = 0; j < width; j++) {
                    x0.data[r * width + j] = (images.pixels()[base + j] & 0xFF) / 255f;
                }
            }
            pgd.perturb(x0, Arrays.copyOfRange(labels, from, from + n), x);
            for (int r = 0; r < n; r++) {
                int base = chosen[from + r] * width;
                for (int j = 0; j < width; j++) {
                    images.pixels()[base + j] = (byte) Math.round(x.data[r * width + j] * 255f);
                }
            }
        }
    }

    @Override
    public CornerTrigger trigger() {
        return trigger;
    }
}
