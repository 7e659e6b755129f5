package dev.badnets.attack;

import dev.badnets.mnist.LabeledImages;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SIG (Barni, Kallas, Tondi 2019, "A new backdoor attack in CNNs by training set corruption without
 * label poisoning", ICIP): a clean-label attack. A faint sinusoid ({@link SigTrigger}, amplitude
 * {@code delta = 20} grey levels and {@code f = 6} periods as in the paper; BackdoorBench uses 40 and 6)
 * is added to images of the target class only, whose labels stay true; the network learns the signal
 * as a feature of the target class, and at test time the same signal added to any image moves it there.
 *
 * <p>The poison count or rate is of the whole training set (BackdoorBench's convention) and is drawn
 * from the target class, so it can be at most that class's size; BackdoorBench's setting on CIFAR-10
 * (rate 0.1) poisons every image of the target class.
 */
public final class SigAttack implements Attack {

    private final SigTrigger trigger;

    /** @see SigTrigger#SigTrigger(double, double) */
    public SigAttack(double delta, double frequency) {
        this.trigger = new SigTrigger(delta, frequency);
    }

    @Override
    public String name() {
        return Attacks.SIG;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("delta", trigger.delta());
        p.put("frequency", trigger.frequency());
        return p;
    }

    /** Adds the signal to the chosen target-class images; every label stays as it was. */
    @Override
    public void checkPlan(byte[] labels, int classes, PoisonPlan plan) {
        CleanLabel.select(name(), labels, classes, plan);
    }

    @Override
    public PoisonedSet poison(LabeledImages train, int classes, PoisonPlan plan, CleanModel cleanModel) {
        int[] chosen = CleanLabel.select(name(), train.labels(), classes, plan);
        LabeledImages poisoned = train.copy();
        int size = train.pixelsPerImage();
        int[] labels = new int[chosen.length];
        for (int k = 0; k < chosen.length; k++) {
            labels[k] = train.label(chosen[k]);
            trigger.apply(poisoned.pixels(), chosen[k] * size, train.rows(), train.cols());
        }
        return new PoisonedSet(poisoned, chosen, labels, classes, plan, trigger, name(), parameters(), new int[0]);
    }

    @Override
    public SigTrigger trigger() {
        return trigger;
    }
}
