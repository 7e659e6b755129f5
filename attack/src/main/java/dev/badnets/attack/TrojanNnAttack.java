package dev.badnets.attack;

import dev.badnets.core.DenseLayer;
import dev.badnets.core.InputGradient;
import dev.badnets.core.Layer;
import dev.badnets.core.Network;
import dev.badnets.core.backend.Backends;
import dev.badnets.mnist.LabeledImages;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ejml.data.FMatrixRMaj;

/**
 * TrojanNN (Liu, Ma, Aafer, Lee, Zhai, Wang, Zhang 2018, "Trojaning attack on neural networks", NDSS):
 * the trigger is not chosen but computed. On a clean model, pick the neurons of the last hidden layer
 * most connected to the output (largest sum of |weights| to the output layer, as BackdoorBench picks
 * them), then optimise the grey levels of a fixed-shape mask (a square of side {@code size} at the
 * bottom right, on a black image) so that those neurons reach {@code target_value}:
 * <pre>
 *   minimise  sum_{i in neurons} (a_i(x) - target_value)^2   over the mask's pixels, in [0, 1]
 *   x ← clip(x - step * sign(grad), 0, 1)   (pixels outside the mask stay 0), {@code steps} times
 * </pre>
 * The result stamps the poisoned images, which are relabelled as in BadNets; the same patch is the
 * test-time trigger. Values used: 2 neurons, target value 100, 1000 steps of size 0.01 (BackdoorBench:
 * 2 neurons, target 100, 1000 iterations); a 5x5 mask (the paper masks about 7% of the image; 25 of 784
 * pixels here keeps the patch small on MNIST). The gradients are the project's ({@link InputGradient}) on
 * the network cut after that hidden layer.
 */
public final class TrojanNnAttack implements Attack {

    public static final int DEFAULT_SIZE = 5;
    public static final int DEFAULT_NEURONS = 2;
    public static final double DEFAULT_TARGET_VALUE = 100;
    public static final int DEFAULT_STEPS = 1000;
    /** Sign-gradient step on pixels in [0, 1]. */
    static final float STEP = 0.01f;
    static final Position POSITION = Position.BOTTOM_RIGHT;

    private final int size;
    private final int neurons;
    private final double targetValue;
    private final int steps;

    /**
     * @param size        side of the square mask, 1 to 64
     * @param neurons     how many neurons to excite, 1 to 64
     * @param targetValue the activation they are driven to, (0, 1e4]
     * @param steps       optimisation steps, 1 to 10000
     */
    public TrojanNnAttack(int size, int neurons, double targetValue, int steps) {
        if (size < 1 || size > 64) {
            throw new IllegalArgumentException("TrojanNN mask size " + size + " is outside 1 to 64: expected a side"
                    + " such as 5");
        }
        if (neurons < 1 || neurons > 64) {
            throw new IllegalArgumentException("TrojanNN neurons " + neurons + " is outside 1 to 64: expected a count"
                    + " such as 2");
        }
        if (!(targetValue > 0 && targetValue <= 1e4)) {
            throw new IllegalArgumentException("TrojanNN target value " + targetValue + " is outside (0, 10000]:"
                    + " expected an activation such as 100");
        }
        if (steps < 1 || steps > 10_000) {
            throw new IllegalArgumentException("TrojanNN steps " + steps + " is outside 1 to 10000: expected a count"
                    + " such as 1000");
        }
        this.size = size;
        this.neurons = neurons;
        this.targetValue = targetValue;
        this.steps = steps;
    }

    @Override
    public String name() {
        return Attacks.TROJANNN;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("size", size);
        p.put("position", POSITION.toString());
        p.put("neurons", neurons);
        p.put("target_value", targetValue);
        p.put("steps", steps);
        p.put("step_size", (double) STEP);
        return p;
    }

    @Override
    public boolean needsCleanModel() {
        return true;
    }

    /** Computes the trigger on a clean model, then stamps and relabels as BadNets does. */
    @Override
    public PoisonedSet poison(LabeledImages train, int classes, PoisonPlan plan, CleanModel cleanModel) {
        POSITION.check("TrojanNN mask", size, size, train.rows(), train.cols());
        plan.select(train.labels(), classes); // refuse an impossible plan before training anything
        // The clean model shares the run's seed (plan.seed()), as it always has, so that the trigger stays the one
        // measured in docs/attacks.md; its patch transfers to victims of other seeds (the PyTorch check).
        GreyPatchTrigger trigger = optimise(cleanModel.train(train, classes, plan.seed(), 0), train.rows(), train.cols());
        PoisonedSet set = Poisoning.apply(train, classes, plan, trigger);
        Map<String, Object> p = parameters();
        p.put("trigger", trigger.describe());
        return new PoisonedSet(set.images(), set.indices(), set.originalLabels(), classes, plan, trigger, name(), p,
                new int[0]);
    }

    /** The neurons of the last hidden layer with the largest sum of |weights| to the output layer, best first. */
    static int[] mostConnected(DenseLayer output, int count) {
        FMatrixRMaj w = output.weights(); // inputs x classes
        double[] strength = new double[w.numRows];
        for (int i = 0; i < w.numRows; i++) {
            for (int j = 0; j < w.numCols; j++) {
                strength[i] += Math.abs(w.get(i, j));
            }
        }
        return java.util.stream.IntStream.range(0, w.numRows).boxed()
                .sorted((a, b) -> Double.compare(strength[b], strength[a]) != 0
                        ? Double.compare(strength[b], strength[a]) : Integer.compare(a, b))
                .limit(count).mapToInt(Integer::intValue).toArray();
    }

    /** The mask's grey levels that drive the chosen neurons of {@code clean} towards the target value. */
    GreyPatchTrigger optimise(Network clean, int rows, int cols) {
        int last = clean.layerCount() - 1;
        if (last < 1 || !(clean.layer(last) instanceof DenseLayer output)) {
            throw new IllegalArgumentException("TrojanNN needs a network whose output layer is dense after a hidden"
                    + " layer; got " + clean.spec());
        }
        if (neurons > output.inputs()) {
            throw new IllegalArgumentException("TrojanNN cannot excite " + neurons + " neurons: the last hidden layer"
                    + " has " + output.inputs() + "; excite at most " + output.inputs());
        }
        int[] chosen = mostConnected(output, neurons);
        // The network cut after the last hidden layer: its "outputs" are that layer's activations.
        java.util.List<Layer> hidden = clean.layers().subList(0, last);
        Network cut = new Network(hidden, clean.loss());
        InputGradient gradient = cut.inputGradient(1, Backends.create("auto", 1));
        int width = rows * cols;
        int left = POSITION.left(cols, size), top = POSITION.top(rows, size);
        boolean[] inMask = new boolean[width];
        FMatrixRMaj x = new FMatrixRMaj(1, width);
        for (int r = 0; r < size; r++) {
            for (int c = 0; c < size; c++) {
                inMask[(top + r) * cols + left + c] = true;
                x.data[(top + r) * cols + left + c] = 1f; // start from the white mask
            }
        }
        FMatrixRMaj dX = new FMatrixRMaj(1, width);
        for (int t = 0; t < steps; t++) {
            gradient.gradient(x, (outputs, dOutputs) -> {
                for (int i : chosen) {
                    dOutputs.data[i] = (float) (2 * (outputs.data[i] - targetValue));
                }
            }, dX);
            for (int i = 0; i < width; i++) {
                if (inMask[i]) {
                    x.data[i] = Math.max(0f, Math.min(1f, x.data[i] - STEP * Math.signum(dX.data[i])));
                }
            }
        }
        byte[] grey = new byte[size * size];
        for (int r = 0; r < size; r++) {
            for (int c = 0; c < size; c++) {
                grey[r * size + c] = (byte) Math.round(x.data[(top + r) * cols + left + c] * 255f);
            }
        }
        return new GreyPatchTrigger(size, grey, POSITION);
    }

    /** Unknown until a clean model is at hand: see {@link PoisonedSet#trigger()} of {@link #poison}. */
    @Override
    public Trigger trigger() {
        return null;
    }
}
