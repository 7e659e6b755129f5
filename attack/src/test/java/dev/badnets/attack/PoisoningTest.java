package dev.badnets.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.attack.PoisonPlan.Mode;
import dev.badnets.mnist.LabeledImages;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PoisoningTest {

    static LabeledImages randomImages(int count, int rows, int cols, int classes, long seed) {
        Random random = new Random(seed);
        byte[] pixels = new byte[count * rows * cols];
        random.nextBytes(pixels);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) random.nextInt(classes);
        }
        return new LabeledImages(count, rows, cols, pixels, labels);
    }

    @Property(tries = 200)
    void poisonsExactlyTheChosenSamplesAndLeavesTheInputAlone(
            @ForAll @IntRange(min = 1, max = 400) int count, @ForAll @IntRange(min = 3, max = 12) int rows,
            @ForAll @IntRange(min = 3, max = 12) int cols, @ForAll @IntRange(min = 2, max = 10) int classes,
            @ForAll boolean allToAll, @ForAll @IntRange(max = 50) int percent, @ForAll long seed) {
        LabeledImages train = randomImages(count, rows, cols, classes, seed);
        LabeledImages pristine = train.copy();
        int requested = count * percent / 100 / 2; // at most half: always enough eligible samples
        int eligible = 0;
        for (byte b : train.labels()) {
            eligible += allToAll || b != 0 ? 1 : 0;
        }
        Assume.that(requested <= eligible);
        PoisonPlan plan = PoisonPlan.ofCount(requested).withMode(allToAll ? Mode.ALL_TO_ALL : Mode.ALL_TO_ONE)
                .withSeed(seed);
        Trigger trigger = new SquareTrigger(3, 255, Position.BOTTOM_RIGHT);

        PoisonedSet set = Poisoning.apply(train, classes, plan, trigger);

        assertArrayEquals(pristine.pixels(), train.pixels(), "input pixels changed");
        assertArrayEquals(pristine.labels(), train.labels(), "input labels changed");
        assertArrayEquals(plan.select(train.labels(), classes), set.indices());
        assertEquals(requested, set.poisonedCount());
        int size = rows * cols;
        int k = 0;
        for (int i = 0; i < count; i++) {
            byte[] expected = Arrays.copyOfRange(train.pixels(), i * size, (i + 1) * size);
            int expectedLabel = train.label(i);
            if (k < set.indices().length && set.indices()[k] == i) {
                trigger.apply(expected, 0, rows, cols);
                assertEquals(train.label(i), set.originalLabels()[k]);
                expectedLabel = allToAll ? (train.label(i) + 1) % classes : 0;
                k++;
            }
            assertArrayEquals(expected, Arrays.copyOfRange(set.images().pixels(), i * size, (i + 1) * size),
                    "image " + i);
            assertEquals(expectedLabel, set.images().label(i), "label of image " + i);
        }
    }

    @Test
    void classesDefaultToOnePlusTheLargestLabel() {
        LabeledImages train = new LabeledImages(4, 2, 2, new byte[16], new byte[] {0, 1, 2, 2});
        PoisonedSet set = Poisoning.apply(train, PoisonPlan.ofCount(4).withMode(Mode.ALL_TO_ALL),
                new PixelTrigger(255, Position.TOP_LEFT));
        assertEquals(3, set.classes());
        assertArrayEquals(new byte[] {1, 2, 0, 0}, set.images().labels()); // c -> (c + 1) mod 3
    }

    @Test
    void stampAllTriggersEveryImageOfACopy() {
        LabeledImages test = randomImages(5, 4, 4, 3, 9);
        LabeledImages pristine = test.copy();
        LabeledImages stamped = Poisoning.stampAll(test, new SquareTrigger(2, 200, Position.TOP_LEFT));
        assertArrayEquals(pristine.pixels(), test.pixels());
        assertArrayEquals(test.labels(), stamped.labels());
        for (int i = 0; i < 5; i++) {
            assertEquals(200, stamped.pixel(i, 0, 0));
            assertEquals(200, stamped.pixel(i, 1, 1));
            assertEquals(test.pixel(i, 2, 2), stamped.pixel(i, 2, 2));
        }
    }

    @Test
    void triggerThatDoesNotFitIsRefusedBeforeAnythingIsChosen() {
        LabeledImages train = randomImages(10, 4, 4, 3, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Poisoning.apply(train, PoisonPlan.ofCount(1), new SquareTrigger(5, 255, Position.TOP_LEFT)));
        assertTrue(e.getMessage().contains("does not fit in a 4x4 image"), e.getMessage());
    }
}
