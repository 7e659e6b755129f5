package dev.badnets.cli.options;

import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Trigger;
import dev.badnets.mnist.MnistLayout;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The backdoor a saved model is measured against, for {@code evaluate}, {@code scan} and {@code strip}:
 * the trigger flags, the attack flags, and {@code --target}/{@code --mode}.
 */
public final class BackdoorOptions {

    /** The flags that ask {@code evaluate} and {@code scan} to measure a trigger as well. */
    private static final List<String> FLAGS = List.of("--attack", "--trigger", "--trigger-size",
            "--trigger-value", "--position", "--alpha", "--target", "--mode");

    @Mixin
    public TriggerOptions trigger;

    @Mixin
    public AttackOptions attack;

    @Mixin
    public TargetOptions target;

    /** Whether the command line {@code spec} parsed gave any of these flags. */
    public boolean given(CommandSpec spec) {
        return FLAGS.stream().anyMatch(flag -> spec.commandLine().getParseResult().hasMatchedOption(flag));
    }

    /** The picture file of {@code --trigger png:FILE}, an input of the command; else null. */
    public Path pictureFile() {
        return trigger.pictureFile();
    }

    /**
     * The attack's test-time trigger for the images {@code layout} describes ({@link AttackOptions#testTrigger});
     * {@code folder} is the data folder, whose manifest holds a trigger computed while poisoning.
     */
    public Trigger testTrigger(MnistLayout layout, Path folder) {
        return attack.testTrigger(trigger, layout.rows(), layout.cols(), folder);
    }

    /** Checks {@code --mode} and {@code --target} against the model's number of classes. */
    public void validate(int classes) {
        target.validate(classes);
    }

    public PoisonPlan.Mode mode() {
        return target.mode();
    }

    /** The class {@code --target} names. */
    public int targetClass() {
        return target.target;
    }
}
