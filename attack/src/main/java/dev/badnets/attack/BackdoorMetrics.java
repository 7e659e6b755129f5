package dev.badnets.attack;

import dev.badnets.core.Evaluator;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import dev.badnets.mnist.LabeledImages;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** Clean accuracy and attack success rate of a trained model (BackdoorBench's definitions). */
public final class BackdoorMetrics {

    private BackdoorMetrics() {
    }

    /** {@link #measure(Network, LabeledImages, Trigger, PoisonPlan.Mode, int, MatrixBackend)} on the auto backend, one thread. */
    public static BackdoorReport measure(Network net, LabeledImages test, Trigger trigger, PoisonPlan.Mode mode,
                                         int target) {
        return measure(net, test, trigger, mode, target, Backends.create("auto", 1));
    }

    /**
     * Runs {@code net} on the clean test set and on a triggered copy of it ({@code test} is not changed).
     *
     * @param target the all-to-one target class; ignored in all-to-all mode
     * @throws IllegalArgumentException if the trigger does not fit, the images do not match the
     *         network's input, or the target is not one of its classes
     */
    public static BackdoorReport measure(Network net, LabeledImages test, Trigger trigger, PoisonPlan.Mode mode,
                                         int target, MatrixBackend backend) {
        int classes = net.classes();
        if (mode == PoisonPlan.Mode.ALL_TO_ONE && (target < 0 || target >= classes)) {
            throw new IllegalArgumentException("target class " + target + " is not one of the model's "
                    + classes + " classes: expected 0 to " + (classes - 1));
        }
        net.checkInput(Shape.image(test.rows(), test.cols()));
        if (test.count() == 0) {
            throw new IllegalArgumentException("the test set is empty; give a data folder with test images");
        }
        int[] clean = Evaluator.predict(net, ImageSamples.of(test, classes), backend);
        LabeledImages triggered = Poisoning.stampAll(test, trigger);
        int[] attacked = Evaluator.predict(net, ImageSamples.of(triggered, classes), backend);

        int correct = 0;
        int hitsAll = 0;
        int[] perClassTotal = new int[classes];
        int[] perClassHits = new int[classes];
        for (int i = 0; i < test.count(); i++) {
            int label = test.label(i);
            int wanted = mode.relabel(label, target, classes);
            correct += clean[i] == label ? 1 : 0;
            hitsAll += attacked[i] == wanted ? 1 : 0;
            perClassTotal[label]++;
            perClassHits[label] += attacked[i] == wanted ? 1 : 0;
        }
        int hits = 0;
        int counted = 0;
        SortedMap<Integer, Double> perClass = new TreeMap<>();
        for (int c = 0; c < classes; c++) {
            boolean carriesSignal = mode == PoisonPlan.Mode.ALL_TO_ALL || c != target;
            if (carriesSignal && perClassTotal[c] > 0) {
                hits += perClassHits[c];
                counted += perClassTotal[c];
                perClass.put(c, (double) perClassHits[c] / perClassTotal[c]);
            }
        }
        double asr = counted == 0 ? 0 : (double) hits / counted;
        return new BackdoorReport((double) correct / test.count(), asr, (double) hitsAll / test.count(),
                Collections.unmodifiableSortedMap(perClass), counted, mode, target, clean, attacked);
    }

    /**
     * The clean-accuracy cost of a backdoor: the accuracy of a model trained on the clean data with
     * the same seed minus the backdoored model's (positive when the backdoor costs accuracy).
     */
    public static double cleanAccuracyCost(double cleanModelAccuracy, BackdoorReport backdoored) {
        return cleanModelAccuracy - backdoored.cleanAccuracy();
    }
}
