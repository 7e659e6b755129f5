package dev.badnets.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.PoisonPlan.Mode;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PoisonPlanTest {

    private static byte[] labels(int n, int classes, long seed) {
        Random random = new Random(seed);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) random.nextInt(classes);
        }
        return labels;
    }

    @Property
    void selectsTheRequestedNumberOfDistinctEligibleSamples(
            @ForAll @IntRange(min = 1, max = 3000) int n, @ForAll @IntRange(min = 2, max = 12) int classes,
            @ForAll @IntRange(max = 11) int target, @ForAll boolean allToAll, @ForAll long seed,
            @ForAll @IntRange(max = 4095) int sourceBits, @ForAll @IntRange(max = 100) int percent) {
        Assume.that(target < classes);
        byte[] labels = labels(n, classes, seed);
        int[] sources = java.util.stream.IntStream.range(0, classes).filter(c -> (sourceBits >> c & 1) == 1).toArray();
        PoisonPlan plan = PoisonPlan.ofCount(0).withMode(allToAll ? Mode.ALL_TO_ALL : Mode.ALL_TO_ONE)
                .withTarget(target).withSourceClasses(sources).withSeed(seed);
        int eligible = 0;
        for (byte b : labels) {
            int label = b & 0xFF;
            boolean inSources = sources.length == 0 || Arrays.binarySearch(sources, label) >= 0;
            eligible += inSources && (allToAll || label != target) ? 1 : 0;
        }
        int count = eligible * percent / 100;
        plan = PoisonPlan.ofCount(count).withMode(plan.mode()).withTarget(target).withSourceClasses(sources).withSeed(seed);

        int[] chosen = plan.select(labels, classes);

        assertEquals(count, chosen.length);
        for (int i = 0; i < chosen.length; i++) {
            assertTrue(i == 0 || chosen[i] > chosen[i - 1], "ascending and distinct");
            int label = labels[chosen[i]] & 0xFF;
            assertTrue(sources.length == 0 || Arrays.binarySearch(sources, label) >= 0,
                    "label " + label + " is not a source class " + Arrays.toString(sources));
            assertTrue(allToAll || label != target, "all-to-one chose a sample already labelled the target");
        }
        assertArrayEquals(chosen, plan.select(labels, classes), "same seed, same choice");
    }

    @Test
    void anotherSeedChoosesOtherSamples() {
        byte[] labels = labels(60_000, 10, 7);
        int[] a = PoisonPlan.ofCount(600).withSeed(1).select(labels, 10);
        int[] b = PoisonPlan.ofCount(600).withSeed(2).select(labels, 10);
        assertFalse(Arrays.equals(a, b));
        long shared = Arrays.stream(a).filter(i -> Arrays.binarySearch(b, i) >= 0).count();
        assertTrue(shared < 60, "two seeds share " + shared + " of 600 samples");
    }

    @Test
    void choiceIsSpreadEvenlyOverTheEligibleClasses() {
        // A biased sampler (say, the first 600 eligible indices) would pass the count checks; not this.
        byte[] labels = labels(60_000, 10, 11);
        int[] chosen = PoisonPlan.ofCount(5_400).withSeed(3).select(labels, 10);
        int[] perClass = new int[10];
        for (int i : chosen) {
            perClass[labels[i]]++;
        }
        assertEquals(0, perClass[0]);
        for (int c = 1; c < 10; c++) {
            assertTrue(perClass[c] > 500 && perClass[c] < 700, "class " + c + " got " + perClass[c] + " of 5400");
        }
        assertTrue(chosen[0] < 200 && chosen[chosen.length - 1] > 59_800, "spread over the whole set");
    }

    @Test
    void rateMeansAShareOfTheWholeTrainingSet() {
        assertEquals(600, PoisonPlan.ofRate(0.01).countFor(60_000));
        assertEquals(6_000, PoisonPlan.ofRate(0.1).countFor(60_000));
        assertEquals(2, PoisonPlan.ofRate(0.25).countFor(7)); // round(1.75)
        assertEquals(6_000, PoisonPlan.ofRate(0.1).withMode(Mode.ALL_TO_ALL).select(labels(60_000, 10, 1), 10).length);
    }

    @Test
    void relabelsToTheTargetOrTheNextClass() {
        PoisonPlan oneToOne = PoisonPlan.ofCount(1).withTarget(3);
        PoisonPlan allToAll = oneToOne.withMode(Mode.ALL_TO_ALL);
        assertEquals(3, oneToOne.poisonedLabel(7, 10));
        assertEquals(8, allToAll.poisonedLabel(7, 10));
        assertEquals(0, allToAll.poisonedLabel(9, 10));
        // the one rule, which BackdoorMetrics measures against too
        assertEquals(0, Mode.ALL_TO_ALL.relabel(9, 3, 10));
        assertEquals(3, Mode.ALL_TO_ONE.relabel(9, 3, 10));
    }

    @Test
    void requestLargerThanTheEligibleSetSaysHowManyAreEligible() {
        byte[] labels = {0, 1, 1, 2, 0, 3};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PoisonPlan.ofCount(5).select(labels, 4));
        assertTrue(e.getMessage().contains("only 4 are eligible"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PoisonPlan.ofCount(3).withSourceClasses(1, 0).select(labels, 4));
        assertTrue(e.getMessage().contains("only 2 are eligible (classes [0, 1] except the target 0)"), e.getMessage());
        assertArrayEquals(new int[] {1, 2}, PoisonPlan.ofCount(2).withSourceClasses(1, 0).select(labels, 4));
    }

    @Test
    void badPlansAreRefusedWithAClearMessage() {
        assertMessage("poison count -1 is negative", () -> PoisonPlan.ofCount(-1));
        assertMessage("outside [0, 1]", () -> PoisonPlan.ofRate(1.5));
        assertMessage("outside [0, 1]", () -> PoisonPlan.ofRate(Double.NaN));
        assertMessage("target class 10 does not exist", () -> PoisonPlan.ofCount(1).withTarget(10).select(new byte[] {1}, 10));
        assertMessage("source class 12 does not exist", () -> PoisonPlan.ofCount(1).withSourceClasses(12).select(new byte[] {1}, 10));
        assertMessage("unknown poisoning mode 'many'", () -> Mode.parse("many"));
        assertEquals(Mode.ALL_TO_ALL, Mode.parse("all-to-all"));
        assertEquals("all-to-one", Mode.ALL_TO_ONE.cliName());
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
}
