package dev.badnets.attack;

import dev.badnets.mnist.LabeledImages;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Adaptive patch, "Adap-Patch" (Qi, Xie, Li, Wang, Mittal 2023, "Revisiting the assumption of
 * latent separability for backdoor defenses", ICLR): built to defeat the defenses that separate poisoned
 * from clean samples in the latent space (activation clustering, spectral signatures, SPECTRE). Three
 * choices do it, each taken from the authors' code (backdoor-toolbox):
 * <ul>
 *   <li>a low poison rate (paper: 0.003 of the training set, 150 CIFAR-10 images);</li>
 *   <li>"cover" samples: as many again ({@code cover_rate}, paper 0.003) carry a trigger but keep their
 *       true labels, so the trigger alone is not a feature of the target class;</li>
 *   <li>k = 4 different patch triggers, each on a quarter of the poisoned and of the cover samples,
 *       blended with weights 0.5, 0.2, 0.5, 0.3 (the authors' CIFAR-10 values); at test time two of them
 *       (here the first and third) are stamped at full weight.</li>
 * </ul>
 * The four patches here are 3x3 MNIST-sized marks of 255: a checkerboard (top left), a square (top
 * right), a cross (bottom left) and an L (bottom right).
 */
public final class AdaptivePatchAttack implements Attack {

    /** The paper's cover rate. */
    public static final double DEFAULT_COVER_RATE = 0.003;
    /** The training weights of the four patches (backdoor-toolbox's CIFAR-10 values). */
    static final double[] TRAIN_ALPHAS = {0.5, 0.2, 0.5, 0.3};
    /** The patches stamped at test time, at full weight. */
    static final int[] TEST_PATCHES = {0, 2};

    private static final boolean[][] SQUARE = {{true, true, true}, {true, true, true}, {true, true, true}};
    private static final boolean[][] CROSS = {{true, false, true}, {false, true, false}, {true, false, true}};
    private static final boolean[][][] MASKS = {PatternTrigger.CHECKERBOARD, SQUARE, CROSS, PatternTrigger.L_SHAPE};
    private static final Position[] PLACES = {Position.TOP_LEFT, Position.TOP_RIGHT, Position.BOTTOM_LEFT,
        Position.BOTTOM_RIGHT};

    private final double coverRate;
    private final List<Trigger> trainPatches;
    private final CompositeTrigger testTrigger;

    /** @param coverRate share of the training set stamped with a patch and kept with its label, [0, 0.5] */
    public AdaptivePatchAttack(double coverRate) {
        if (!(coverRate >= 0 && coverRate <= 0.5)) {
            throw new IllegalArgumentException("adaptive-patch cover rate " + coverRate + " is outside [0, 0.5]:"
                    + " expected a share of the training set such as 0.003");
        }
        this.coverRate = coverRate;
        List<Trigger> train = new ArrayList<>();
        for (int j = 0; j < MASKS.length; j++) {
            train.add(new BlendedPatchTrigger(MASKS[j], 255, TRAIN_ALPHAS[j], PLACES[j]));
        }
        this.trainPatches = List.copyOf(train);
        List<Trigger> test = new ArrayList<>();
        for (int j : TEST_PATCHES) {
            test.add(new BlendedPatchTrigger(MASKS[j], 255, 1, PLACES[j]));
        }
        this.testTrigger = new CompositeTrigger(test);
    }

    @Override
    public String name() {
        return Attacks.ADAPTIVE_PATCH;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("cover_rate", coverRate);
        p.put("train_patches", trainPatches.stream().map(Trigger::describe).toList());
        p.put("test_trigger", testTrigger.describe());
        return p;
    }

    /** The patch the {@code rank}-th of {@code count} samples gets: the samples split into k equal runs. */
    static int patchOf(int rank, int count, int k) {
        return Math.min(k - 1, (int) ((long) rank * k / count));
    }

    /**
     * Stamps patch j on the j-th quarter of the plan's samples (relabelled) and of
     * {@code round(cover_rate x N)} other samples (labels kept).
     */
    @Override
    public PoisonedSet poison(LabeledImages train, int classes, PoisonPlan plan, CleanModel cleanModel) {
        testTrigger.validate(train.rows(), train.cols());
        trainPatches.forEach(t -> t.validate(train.rows(), train.cols()));
        int[] chosen = plan.select(train.labels(), classes);
        int[] covers = CleanLabel.others(train.count(), chosen, (int) Math.round(coverRate * train.count()),
                new Random(plan.seed() ^ 0x4164_6170L), "adaptive-patch cover samples");
        LabeledImages poisoned = train.copy();
        int size = train.pixelsPerImage();
        int k = trainPatches.size();
        int[] original = new int[chosen.length];
        for (int r = 0; r < chosen.length; r++) {
            int i = chosen[r];
            original[r] = train.label(i);
            trainPatches.get(patchOf(r, chosen.length, k)).apply(poisoned.pixels(), i * size, train.rows(),
                    train.cols());
            poisoned.labels()[i] = (byte) plan.poisonedLabel(original[r], classes);
        }
        for (int r = 0; r < covers.length; r++) {
            trainPatches.get(patchOf(r, covers.length, k)).apply(poisoned.pixels(), covers[r] * size, train.rows(),
                    train.cols());
        }
        return new PoisonedSet(poisoned, chosen, original, classes, plan, testTrigger, name(), parameters(), covers);
    }

    /** The test-time trigger: the first and third patches at full weight. */
    @Override
    public CompositeTrigger trigger() {
        return testTrigger;
    }

    /** The four training patches, in order (their weights are {@link #TRAIN_ALPHAS}). */
    public List<Trigger> trainPatches() {
        return trainPatches;
    }
}
