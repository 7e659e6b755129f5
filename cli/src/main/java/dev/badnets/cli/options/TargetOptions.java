package dev.badnets.cli.options;

import dev.badnets.cli.Check;

import dev.badnets.attack.PoisonPlan;
import picocli.CommandLine.Option;

/** {@code --target} and {@code --mode}: where the backdoor sends triggered images. */
public final class TargetOptions {

    @Option(names = "--target", paramLabel = "T", defaultValue = "" + PoisonPlan.DEFAULT_TARGET,
            description = "Class the backdoor sends triggered images to (default: ${DEFAULT-VALUE}).")
    public int target;

    @Option(names = "--mode", paramLabel = "all-to-one|all-to-all", defaultValue = "all-to-one",
            description = "all-to-one: relabel to --target; all-to-all: class c becomes c+1 mod K "
                    + "(default: ${DEFAULT-VALUE}).")
    public String mode;

    public PoisonPlan.Mode mode() {
        return PoisonPlan.Mode.parse(mode);
    }

    /** Checks the target against the number of classes of the data or model. */
    public void validate(int classes) {
        mode();
        Check.inRange("--target", target, 0, classes - 1);
    }

    /** A copy aiming at another class (for sweep's {@code --targets}). */
    public TargetOptions with(int otherTarget) {
        TargetOptions copy = new TargetOptions();
        copy.target = otherTarget;
        copy.mode = mode;
        return copy;
    }
}
