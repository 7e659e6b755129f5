package dev.badnets.attack.defense;

import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.mnist.LabeledImages;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * {@link Strip} as a {@link ModelDefense}, for {@code BackdoorExperiment.withDefense}: the defender
 * sets STRIP's threshold with their own clean images and screens the inputs the model receives.
 *
 * <p>From {@code Setting.clean()} it draws at random {@code settings.overlays()} images to blend
 * with and, disjoint from them, {@code settings.calibration()} images to set the threshold on at
 * the false rejection rate {@code frr} (fewer of each, in the same proportion, when the clean set is
 * smaller). It then measures the false rejection rate on up to {@code settings.evaluation()} clean
 * test images and the detection rate on up to as many triggered ones ({@code Setting.triggered()}:
 * the images the backdoor is meant to move), each drawn at random.
 *
 * <p>STRIP repairs nothing: it rejects inputs at run time, so the model it hands back is the model
 * itself, with the same clean accuracy and attack success rate. Its effect is the detection rate:
 * the share of the attacker's triggered inputs that never reach the model.
 *
 * <p>Determinism: every draw comes from one {@link SplittableRandom} seeded with
 * {@code settings.seed()}, so the same settings and backend give the same figures bit for bit.
 */
public final class StripDefense implements ModelDefense {

    private final Strip.Settings settings;
    private final double frr;
    private final MatrixBackend backend;

    /**
     * @param settings blends per input, overlays, calibration images, the most test images of each
     *                 kind to measure on, and the seed
     * @param frr      the false rejection rate to set the threshold for, in (0, 1)
     * @param backend  runs the network's products
     */
    public StripDefense(Strip.Settings settings, double frr, MatrixBackend backend) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.backend = Objects.requireNonNull(backend, "backend");
        if (!(frr > 0 && frr < 1)) {
            throw new IllegalArgumentException("the false rejection rate must be in (0, 1), got " + frr);
        }
        this.frr = frr;
    }

    @Override
    public String name() {
        return "strip";
    }

    /** The STRIP evaluation with the figures of {@link Strip.Result}: threshold, both rates, the entropies. */
    public Strip.Result evaluate(Network model, Setting setting) {
        LabeledImages clean = setting.clean();
        if (clean.count() < 2) {
            throw new IllegalArgumentException("STRIP needs at least 2 clean images (overlays and calibration), got "
                    + clean.count());
        }
        if (setting.test().count() == 0 || setting.triggered().count() == 0) {
            throw new IllegalArgumentException("STRIP needs clean and triggered test images to measure on, got "
                    + setting.test().count() + " and " + setting.triggered().count());
        }
        model.checkInput(Shape.image(clean.rows(), clean.cols()));
        int wanted = settings.overlays() + settings.calibration();
        int overlays = wanted <= clean.count() ? settings.overlays()
                : (int) Math.max(1, Math.min((long) settings.overlays() * clean.count() / wanted, clean.count() - 1));
        int calibration = Math.min(settings.calibration(), clean.count() - overlays);
        int evaluation = Math.min(settings.evaluation(), setting.test().count());

        SplittableRandom random = new SplittableRandom(settings.seed());
        LabeledImages[] own = Strip.parts(clean, random, overlays, calibration);
        LabeledImages test = Strip.parts(setting.test(), random, evaluation)[0];
        LabeledImages triggered = Strip.parts(setting.triggered(), random,
                Math.min(settings.evaluation(), setting.triggered().count()))[0];
        Strip strip = new Strip(model, own[0], settings.perturbations(), backend);
        return strip.measure(own[1], test, triggered, frr,
                new Strip.Settings(settings.perturbations(), overlays, calibration, evaluation, settings.seed()), random);
    }

    /** {@link #evaluate}, reported as a defense whose model is {@code model} itself, unchanged. */
    @Override
    public Result defend(Network model, Setting setting) {
        Strip.Result r = evaluate(model, setting);
        return new Result(model, null, 0, Figures.detector(r.detectionRate(), r.falseRejectionRate(), r.threshold()));
    }
}
