package dev.badnets.cli.options;

import dev.badnets.attack.Attack;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.mnist.MnistLayout;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;

/**
 * What {@code poison} and {@code demo} do to the training set: the poisoning flags (how many images,
 * which classes), {@code --target}/{@code --mode}, the trigger flags and the attack flags.
 */
public final class PoisoningOptions {

    @Mixin
    public PoisonOptions poison;

    @Mixin
    public TargetOptions target;

    @Mixin
    public TriggerOptions trigger;

    @Mixin
    public AttackOptions attack;

    /**
     * The poisoning plan, seeded with {@code seed}, after checking the attack's name and parameter
     * values: every flag is checked before any work (exit 2 naming the flag).
     */
    public PoisonPlan plan(long seed) {
        PoisonPlan plan = poison.plan(target, seed);
        attack.check(trigger);
        return plan;
    }

    /** The picture file of {@code --trigger png:FILE}, an input of the command; else null. */
    public Path pictureFile() {
        return trigger.pictureFile();
    }

    /** The attack the flags describe, for the images {@code layout} describes (exit 2 when it does not fit). */
    public Attack attackFor(MnistLayout layout) {
        return attack.attack(trigger, layout.rows(), layout.cols());
    }

    /** Checks {@code --mode} and {@code --target} against the data's number of classes. */
    public void validate(int classes) {
        target.validate(classes);
    }
}
