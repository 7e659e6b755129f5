package dev.badnets.attack.experiment;

import dev.badnets.attack.BackdoorExperiment.NetworkFactory;
import dev.badnets.attack.PoisonedSet;
import dev.badnets.attack.defense.Abl;
import dev.badnets.attack.defense.Defense;
import dev.badnets.attack.defense.Detector;
import dev.badnets.attack.defense.ModelDefense;
import dev.badnets.attack.ImageSamples;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.mnist.LabeledImages;
import java.util.Objects;

/**
 * A defense as one row of the matrix: given the backdoored model and what the experiment holds,
 * the model to measure afterwards. The three kinds of defense the project has fit through
 * {@link #of(ModelDefense)} (repairs, scans, run-time filters) and {@link #retraining(Detector, double)}
 * (training-set detectors, whose model is retrained without what they flag).
 */
public interface MatrixDefense {

    /** The defense's name, as {@code --defenses} spells it. */
    String name();

    /** The name and every setting that changes the outcome (not threads): stored rows are keyed by it. */
    default String describe() {
        return name();
    }

    /**
     * What a defense may use. A model defense gets {@code clean} as its own clean images and must not
     * look at {@code triggered} except to measure a run-time filter; a training-set detector gets the
     * poisoned training set.
     *
     * @param clean     the clean training set (the defender's own images are drawn from it)
     * @param poisoned  the poisoned training set the model was trained on
     * @param test      the clean test set
     * @param triggered the test images the backdoor is meant to move, with the trigger stamped
     * @param classes   number of classes
     * @param network   builds a fresh network (for a retraining defense)
     * @param training  how the model was trained (seed, threads and backend included)
     */
    record Context(LabeledImages clean, PoisonedSet poisoned, LabeledImages test, LabeledImages triggered,
                   int classes, NetworkFactory network, TrainingConfig training) {
    }

    /**
     * The outcome: the model to measure, and for a run-time filter the shares of triggered and of
     * clean inputs it rejects (0 for a defense that only changes the model).
     */
    record Defended(Network network, double rejectedTriggered, double rejectedClean) {
    }

    Defended defend(Network backdoored, Context context);

    /**
     * A defense of the trained model ({@link ModelDefense}): the model it hands back; for a run-time
     * filter (STRIP), also its detection and false rejection rates.
     */
    static MatrixDefense of(ModelDefense defense) {
        Objects.requireNonNull(defense, "defense");
        return new MatrixDefense() {
            @Override
            public String name() {
                return defense.name();
            }

            @Override
            public String describe() {
                return defense.describe();
            }

            @Override
            public Defended defend(Network backdoored, Context c) {
                ModelDefense.Result r = defense.defend(backdoored,
                        new ModelDefense.Setting(c.clean(), c.test(), c.triggered(), c.classes()));
                return new Defended(r.network(), r.figures().detectionRate().orElse(0),
                        r.figures().falseRejectionRate().orElse(0));
            }
        };
    }

    /**
     * Anti-backdoor learning ({@link Abl}): a defense of the training, so the backdoored model is not
     * used; a fresh network is trained on the poisoned training set with ABL's three phases.
     */
    static MatrixDefense antiBackdoorLearning(Abl.Settings settings) {
        Objects.requireNonNull(settings, "settings");
        return new MatrixDefense() {
            @Override
            public String name() {
                return "abl";
            }

            @Override
            public String describe() {
                return "abl gamma=" + settings.gamma() + " isolation=" + settings.isolation() + " unlearning_epochs="
                        + settings.unlearningEpochs() + " unlearning_rate=" + settings.unlearningRate();
            }

            @Override
            public Defended defend(Network backdoored, Context c) {
                LabeledImages poisoned = c.poisoned().images();
                Network fresh = c.network().build(Shape.image(poisoned.rows(), poisoned.cols()), c.classes(),
                        c.training().seed());
                return new Defended(Abl.train(fresh, poisoned, c.classes(), c.training(), settings).network(), 0, 0);
            }
        };
    }

    /**
     * A training-set detector: flag {@code 1.5 x expectedRate} of the poisoned training set with the
     * backdoored model's representations, drop them, train a fresh network on the rest (same seed).
     */
    static MatrixDefense retraining(Detector detector, double expectedRate) {
        Objects.requireNonNull(detector, "detector");
        return new MatrixDefense() {
            @Override
            public String name() {
                return detector.name();
            }

            @Override
            public String describe() {
                return detector.name() + " expected_rate=" + expectedRate + " retrained";
            }

            @Override
            public Defended defend(Network backdoored, Context c) {
                LabeledImages kept = Defense.run(backdoored, c.poisoned().images(), c.classes(), detector, expectedRate)
                        .filtered();
                Network fresh = c.network().build(Shape.image(kept.rows(), kept.cols()), c.classes(), c.training().seed());
                Trainer.train(fresh, ImageSamples.of(kept, c.classes()), c.training(), null);
                return new Defended(fresh, 0, 0);
            }
        };
    }
}
