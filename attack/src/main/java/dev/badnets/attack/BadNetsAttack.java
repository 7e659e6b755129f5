package dev.badnets.attack;

import dev.badnets.mnist.LabeledImages;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The dirty-label attacks of a fixed trigger: stamp the trigger on the chosen training images and
 * relabel them ({@link Poisoning#apply}). Two names:
 * <ul>
 *   <li>{@code badnets} (Gu, Dolan-Gavitt, Garg 2017, "BadNets: Identifying vulnerabilities in the
 *       machine learning model supply chain"): a patch, pattern, pixel or picture
 *       ({@code --trigger square|pattern|pixel|png:FILE}); the project's default, 2x2 of 255 at the top
 *       left, 1% of the training set;</li>
 *   <li>{@code blended} (Chen, Liu, Li, Lu, Song 2017, "Targeted backdoor attacks on deep learning
 *       systems using data poisoning"): seeded noise blended over the whole image with weight
 *       {@code alpha} ({@link BlendTrigger}, default 0.2 as in BackdoorBench).</li>
 * </ul>
 * The same trigger stamps the test images. This is exactly the poisoning of the project before attacks
 * had names, so its models and outputs are unchanged.
 */
public final class BadNetsAttack implements Attack {

    private final String name;
    private final Trigger trigger;

    /**
     * @param name    {@code badnets} or {@code blended}
     * @param trigger the trigger to stamp; for {@code blended} a {@link BlendTrigger}
     */
    public BadNetsAttack(String name, Trigger trigger) {
        this.name = Objects.requireNonNull(name, "name");
        this.trigger = Objects.requireNonNull(trigger, "trigger");
        if (name.equals(Attacks.BLENDED) != (trigger instanceof BlendTrigger)) {
            throw new IllegalArgumentException(name.equals(Attacks.BLENDED)
                    ? "the blended attack blends noise over the image, not a " + trigger.describe().split(" ")[0]
                    + " trigger; use the badnets attack for it"
                    : "attack " + name + " stamps a patch, not a blend; use the blended attack for a blend");
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("trigger", trigger.describe());
        return p;
    }

    @Override
    public PoisonedSet poison(LabeledImages train, int classes, PoisonPlan plan, CleanModel cleanModel) {
        return Poisoning.apply(train, classes, plan, trigger);
    }

    @Override
    public Trigger trigger() {
        return trigger;
    }
}
