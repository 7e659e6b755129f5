package dev.badnets.attack;

import dev.badnets.mnist.LabeledImages;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SIG (Barni, Kallas, Tondi 2019, "A new backdoor attack in CNNs by training set corruption without
 * label poisoning", ICIP): a clean-label attack. A faint signal ({@link SigTrigger}) is added to images of
 * the target class only, whose labels stay true; the network learns the signal as a feature of the target
 * class, and at test time the signal added to any image moves it there.
 *
 * <p>The paper lets the signal be stronger at test time than in training ({@code Delta_test >
 * Delta_train}): the training signal must stay invisible, the test one need not. Here {@code delta} is
 * the training amplitude and {@code testDelta} the test-time one (the test-time trigger,
 * {@link #trigger()}); the signal is the paper's MNIST ramp for {@code frequency = 0}, else the sinusoid
 * of {@code frequency} periods. Values used by default: the sinusoid with {@code delta = 20},
 * {@code f = 6} at training and test time (BackdoorBench: 40 and 6); the MNIST measurements in
 * {@code docs/attacks.md} use the ramp with a stronger test signal.
 *
 * <p>The poison count or rate is of the whole training set (BackdoorBench's convention) and is drawn
 * from the target class, so it can be at most that class's size; BackdoorBench's setting on CIFAR-10
 * (rate 0.1) poisons every image of the target class, the paper a share of it.
 */
public final class SigAttack implements CleanLabel.Attack {

    private final SigTrigger training;
    private final SigTrigger test;

    /** The same signal at training and test time: {@code SigAttack(delta, delta, frequency)}. */
    public SigAttack(double delta, double frequency) {
        this(delta, delta, frequency);
    }

    /**
     * @param delta     training amplitude in grey levels, in (0, 255]
     * @param testDelta test-time amplitude in grey levels, in (0, 255]
     * @param frequency periods of the sinusoid across the image, in (0, 1000]; 0 for the ramp
     */
    public SigAttack(double delta, double testDelta, double frequency) {
        this.training = signal(delta, frequency);
        this.test = signal(testDelta, frequency);
    }

    private static SigTrigger signal(double delta, double frequency) {
        return frequency == 0 ? SigTrigger.ramp(delta) : new SigTrigger(delta, frequency);
    }

    @Override
    public String name() {
        return Attacks.SIG;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("signal", training.isRamp() ? "ramp" : "sinusoid");
        p.put("delta", training.delta());
        p.put("test_delta", test.delta());
        p.put("frequency", training.frequency());
        return p;
    }

    /** The signal added to the chosen training images (amplitude {@code delta}). */
    public SigTrigger trainingTrigger() {
        return training;
    }

    /** Adds the training signal to the chosen target-class images; every label stays as it was. */
    @Override
    public PoisonedSet poison(LabeledImages train, int classes, PoisonPlan plan, CleanModel cleanModel) {
        int[] chosen = CleanLabel.select(name(), train.labels(), classes, plan);
        LabeledImages poisoned = train.copy();
        int size = train.pixelsPerImage();
        for (int i : chosen) {
            training.apply(poisoned.pixels(), i * size, train.rows(), train.cols());
        }
        return new PoisonedSet(poisoned, chosen, CleanLabel.labelsOf(train, chosen), classes, plan, test, name(),
                parameters(), new int[0]);
    }

    /** The test-time signal (amplitude {@code testDelta}). */
    @Override
    public SigTrigger trigger() {
        return test;
    }
}
