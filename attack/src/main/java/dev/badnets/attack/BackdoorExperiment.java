package dev.badnets.attack;

import dev.badnets.attack.ExperimentListener.Phase;
import dev.badnets.attack.defense.Defense;
import dev.badnets.attack.defense.DetectionMetrics;
import dev.badnets.attack.defense.Detector;
import dev.badnets.attack.defense.ModelDefense;
import dev.badnets.core.Architecture;
import dev.badnets.core.ByteSamples;
import dev.badnets.core.EpochReport;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.core.Trainer;
import dev.badnets.core.TrainingConfig;
import dev.badnets.core.TrainingListener;
import dev.badnets.core.TrainingResult;
import dev.badnets.core.backend.Backends;
import dev.badnets.mnist.LabeledImages;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The BadNets experiment in one call: poison part of a training set, train a network on it,
 * measure clean accuracy and attack success rate on the test set and, if a detector is given,
 * play the defender (find and remove the poisoned images, retrain with the same seed, measure
 * again).
 *
 * <pre>{@code
 * ExperimentResult r = BackdoorExperiment.of(mnist.train(), mnist.test(), mnist.classes(),
 *                 PoisonPlan.ofCount(600), Triggers.defaultTrigger(),
 *                 NetworkFactory.architecture(Architecture.CNN), config)
 *         .withDefense(new Spectre())
 *         .run(ExperimentListener.NONE);
 * System.out.println(r.backdoor().attackSuccessRate());
 * }</pre>
 *
 * The same experiment gives the same figures on every run (only the timings differ): poisoning,
 * initial weights and shuffling are all seeded. The trained network's initial weights and batch order
 * come from {@code training.seed()}; a clean model the attack trains for itself gets a seed of its own
 * ({@link Attack.CleanModel#attackerSeed}), since an attacker does not know the victim's.
 *
 * @param train        the clean training set (not changed)
 * @param test         the clean test set (not changed)
 * @param classes      number of classes K
 * @param plan         which training images to poison and how to relabel them
 * @param attack       how the training set is poisoned and the test images attacked (a trigger given to
 *                     {@link #of(LabeledImages, LabeledImages, int, PoisonPlan, Trigger, NetworkFactory,
 *                     TrainingConfig) of} is a {@link BadNetsAttack}); an attack that needs a clean model
 *                     gets one of {@code network} trained with {@code training} on {@code train}
 * @param network      builds each network to train (the first, and the retrained one)
 * @param training     how to train, including the backend and threads, which measuring uses too
 * @param detector     the defense to run after training; null for none
 * @param expectedRate the share of the training set the detector is told to suspect; empty for the
 *                     share actually poisoned
 * @param modelDefense the defense of the trained model to run instead of a detector (it gets the clean
 *                     training set as the defender's own clean images); null for none
 */
public record BackdoorExperiment(LabeledImages train, LabeledImages test, int classes, PoisonPlan plan,
                                 Attack attack, NetworkFactory network, TrainingConfig training,
                                 Detector detector, OptionalDouble expectedRate, ModelDefense modelDefense) {

    /** Builds a fresh, untrained network for images of shape {@code input} and {@code classes} classes. */
    @FunctionalInterface
    public interface NetworkFactory {
        /**
         * A new network whose initial weights are drawn from {@code seed}; called once per training, so it
         * must not hand out the same one twice.
         */
        Network build(Shape input, int classes, long seed);

        /** Networks of {@link Architecture#build} with the hidden layers of {@code spec}. */
        static NetworkFactory architecture(String spec) {
            return (input, classes, seed) -> Architecture.build(input, spec, classes, seed);
        }
    }

    /** Rate the detector is told when nothing was poisoned (it needs some rate in (0, 0.5)). */
    private static final double RATE_WHEN_CLEAN = 0.01;
    /** The detectors refuse a rate of 0.5 or more. */
    private static final double MAX_RATE = 0.49;

    public BackdoorExperiment {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(attack, "attack");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(expectedRate, "expectedRate");
        if (detector != null && modelDefense != null) {
            throw new IllegalArgumentException("an experiment runs one defense: a detector or a model defense");
        }
    }

    /**
     * An experiment without a defense, poisoning with a fixed trigger: the {@code badnets} attack, or
     * {@code blended} for a {@link BlendTrigger}.
     */
    public static BackdoorExperiment of(LabeledImages train, LabeledImages test, int classes, PoisonPlan plan,
                                        Trigger trigger, NetworkFactory network, TrainingConfig training) {
        Attack attack = new BadNetsAttack(trigger instanceof BlendTrigger ? Attacks.BLENDED : Attacks.BADNETS,
                trigger);
        return of(train, test, classes, plan, attack, network, training);
    }

    /** An experiment without a defense, poisoning with {@code attack}. */
    public static BackdoorExperiment of(LabeledImages train, LabeledImages test, int classes, PoisonPlan plan,
                                        Attack attack, NetworkFactory network, TrainingConfig training) {
        return new BackdoorExperiment(train, test, classes, plan, attack, network, training, null,
                OptionalDouble.empty(), null);
    }

    /** This experiment with {@code detector} as the defense, told the share actually poisoned. */
    public BackdoorExperiment withDefense(Detector detector) {
        return new BackdoorExperiment(train, test, classes, plan, attack, network, training, detector,
                OptionalDouble.empty(), null);
    }

    /** This experiment with {@code detector} as the defense, told to suspect {@code expectedRate}, in (0, 0.5). */
    public BackdoorExperiment withDefense(Detector detector, double expectedRate) {
        return new BackdoorExperiment(train, test, classes, plan, attack, network, training, detector,
                OptionalDouble.of(expectedRate), null);
    }

    /**
     * This experiment with {@code defense} examining the trained model: it gets the clean training
     * set as the defender's own clean images, and the model it hands back is measured on the test set.
     */
    public BackdoorExperiment withDefense(ModelDefense defense) {
        return new BackdoorExperiment(train, test, classes, plan, attack, network, training, null,
                OptionalDouble.empty(), Objects.requireNonNull(defense, "defense"));
    }

    /**
     * Runs every phase in order and returns the figures.
     *
     * @param listener told of each phase, batch and epoch; may be null
     * @throws IllegalArgumentException if the plan cannot be met, the trigger does not fit the images,
     *                                  or the network does not fit them
     * @throws ArithmeticException      if training diverges (see {@link Trainer#train})
     */
    public ExperimentResult run(ExperimentListener listener) {
        ExperimentListener events = listener == null ? ExperimentListener.NONE : listener;
        long start = System.nanoTime();

        events.onPhase(Phase.POISONING);
        // The network first: a spec that does not fit the images is refused before any work.
        Network net = network.build(Shape.image(train.rows(), train.cols()), classes, training.seed());
        // The attacker's own clean models are trained quietly: the listener hears of the experiment's trainings.
        PoisonedSet poisoned = attack.poison(train, classes, plan, Attack.CleanModel.of(network, training));
        events.onPoisoned(poisoned, net);

        TrainingResult trained = train(Phase.TRAINING, net, poisoned.images(), events);
        events.onPhase(Phase.MEASURING);
        Trigger trigger = poisoned.trigger();
        BackdoorReport report = measure(net, trigger);

        DefenseOutcome defense = detector != null ? defend(poisoned, net, events)
                : modelDefense != null ? defendModel(net, trigger, events) : null;
        return new ExperimentResult(poisoned, net, trained, report, defense, (System.nanoTime() - start) / 1e9);
    }

    /** Detects with the backdoored network, removes what it flags, retrains from scratch and measures again. */
    private DefenseOutcome defend(PoisonedSet poisoned, Network backdoored, ExperimentListener events) {
        events.onPhase(Phase.DEFENDING);
        int trainCount = poisoned.images().count();
        // The detectors add the 1.5x removal margin of Tran et al. themselves.
        double rate = expectedRate.orElse(poisoned.poisonedCount() == 0 ? RATE_WHEN_CLEAN
                : Math.min(MAX_RATE, (double) poisoned.poisonedCount() / trainCount));
        Defense.Result found = Defense.run(backdoored, poisoned.images(), classes, detector, rate);
        DetectionMetrics metrics = DetectionMetrics.of(found.detection(), poisoned.indices());

        LabeledImages kept = found.filtered();
        Network fresh = network.build(Shape.image(kept.rows(), kept.cols()), classes, training.seed());
        TrainingResult retrained = train(Phase.RETRAINING, fresh, kept, events);
        events.onPhase(Phase.MEASURING);
        BackdoorReport after = measure(fresh, poisoned.trigger());
        return new DefenseOutcome(detector.name(), rate, found.detection(), metrics, kept.count(), fresh, retrained,
                after);
    }

    /** Runs the model defense on the backdoored network and measures the model it hands back. */
    private DefenseOutcome defendModel(Network backdoored, Trigger trigger, ExperimentListener events) {
        events.onPhase(Phase.DEFENDING);
        ModelDefense.Result r = modelDefense.defend(backdoored,
                new ModelDefense.Setting(train, test,
                        Poisoning.attacked(test, trigger, plan.mode(), plan.target(), classes), classes));
        events.onPhase(Phase.MEASURING);
        return new DefenseOutcome(modelDefense.name(), Double.NaN, null, null, r.trainedOn(), r.network(),
                r.training(), measure(r.network(), trigger), r.figures());
    }

    private TrainingResult train(Phase phase, Network net, LabeledImages images, ExperimentListener events) {
        events.onPhase(phase);
        ByteSamples samples = ImageSamples.of(images, classes);
        return Trainer.train(net, samples, training, new TrainingListener() {
            @Override
            public void onBatch(int epoch, int batch, int batchesPerEpoch, double loss, double runningAccuracy) {
                events.onBatch(phase, epoch, batch, batchesPerEpoch, loss, runningAccuracy);
            }

            @Override
            public void onEpoch(EpochReport report) {
                events.onEpoch(phase, report);
            }
        });
    }

    private BackdoorReport measure(Network net, Trigger trigger) {
        return BackdoorMetrics.measure(net, test, trigger, plan.mode(), plan.target(),
                Backends.create(training.backend(), training.threads()));
    }
}
