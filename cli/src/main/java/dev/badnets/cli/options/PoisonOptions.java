package dev.badnets.cli.options;

import dev.badnets.cli.Check;
import dev.badnets.cli.UserException;

import dev.badnets.attack.PoisonPlan;
import picocli.CommandLine.Option;

/** The poisoning flags, spelled once for {@code poison}, {@code demo} and {@code sweep}. */
public final class PoisonOptions {

    /** The demo's 1% of MNIST's 60,000 training images. */
    public static final int DEFAULT_COUNT = 600;

    @Option(names = "--poison-rate", paramLabel = "R",
            description = "Share of the training set to poison, in [0, 1] (instead of --poison-count).")
    Double rate;

    @Option(names = "--poison-count", paramLabel = "N",
            description = "Number of training images to poison (default: " + DEFAULT_COUNT + ", 1%% of MNIST).")
    Integer count;

    @Option(names = "--source-classes", split = ",", paramLabel = "C",
            description = "Poison only images of these classes (default: every class).")
    public int[] sourceClasses;

    /** The plan these flags describe, seeded with {@code seed}. */
    public PoisonPlan plan(TargetOptions to, long seed) {
        if (rate != null && count != null) {
            throw new UserException("--poison-rate and --poison-count both given", "pass only one of them");
        }
        return plan(to, seed, rate == null ? (Integer) (count != null ? count : DEFAULT_COUNT) : null, rate,
                "--poison-count", "--poison-rate");
    }

    /**
     * The same flags with another amount of poison (for sweep): {@code poisonCount} images, or when
     * it is null the share {@code poisonRate}; {@code countFlag} and {@code rateFlag} name them in messages.
     */
    public PoisonPlan plan(TargetOptions to, long seed, Integer poisonCount, Double poisonRate, String countFlag,
                    String rateFlag) {
        // checked here as well as in PoisonPlan, so that the message names the flag
        if (poisonCount == null && !(poisonRate >= 0 && poisonRate <= 1)) {
            throw new UserException(rateFlag + " must be in [0, 1], got " + poisonRate, "pass a share such as 0.01");
        }
        if (poisonCount != null) {
            Check.atLeast(countFlag, poisonCount, 0);
        }
        Check.atLeast("--target", to.target, 0);
        PoisonPlan plan = poisonCount != null ? PoisonPlan.ofCount(poisonCount) : PoisonPlan.ofRate(poisonRate);
        return plan.withMode(to.mode())
                .withTarget(to.target)
                .withSourceClasses(sourceClasses == null ? new int[0] : sourceClasses)
                .withSeed(seed);
    }
}
