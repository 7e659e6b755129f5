package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No figure and no prediction from a network whose arithmetic overflows, and no answer from a
 * {@link Predictor} two threads use at once.
 */
class FailClosedOutputsTest {

    private static final Shape IMAGE = Shape.image(28, 28);

    /** A valid network (every parameter finite) whose outputs are NaN: weights of +-3e38 overflow at once. */
    static Network overflowing() {
        Network net = Architecture.build(IMAGE, "dense16", 10, 1);
        for (Layer layer : net.layers()) {
            for (Layer.Parameter p : layer.parameters()) {
                float[] v = p.value().data;
                for (int i = 0; i < v.length; i++) {
                    v[i] = i % 2 == 0 ? 3e38f : -3e38f;
                }
            }
        }
        return net;
    }

    private static ByteSamples images(int count) {
        byte[] pixels = new byte[count * IMAGE.size()];
        new SplittableRandom(3).nextBytes(pixels);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % 10);
        }
        return new ByteSamples(pixels, labels, IMAGE, 10);
    }

    @Test
    void nonFiniteOutputsStopEveryEvaluationInsteadOfBecomingFigures() {
        Network net = overflowing();
        ByteSamples data = images(50);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(net, data));
        assertTrue(e.getMessage().contains("NaN") || e.getMessage().contains("infinite"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Evaluator.predict(net, data));
        assertThrows(IllegalArgumentException.class, () -> Evaluator.probabilities(net, data));
        assertThrows(IllegalArgumentException.class, () -> Evaluator.representations(net, data, 0));
        byte[] one = new byte[IMAGE.size()];
        java.util.Arrays.fill(one, (byte) 200);
        try (Predictor predictor = net.predictor()) {
            assertThrows(IllegalArgumentException.class, () -> predictor.predict(one));
            assertThrows(IllegalArgumentException.class, () -> predictor.probabilities(one));
        }
    }

    @Test
    void finiteOutputsStillEvaluate() {
        Network net = Architecture.build(IMAGE, "dense16", 10, 1);
        assertEquals(50, Evaluator.predict(net, images(50)).length);
    }

    @Test
    @Timeout(60)
    void aPredictorUsedByTwoThreadsAtOnceRefusesInsteadOfAnsweringWrong() throws Exception {
        Network net = Architecture.build(IMAGE, "conv8x3,pool2,dense64", 10, 2);
        byte[][] inputs = new byte[2][IMAGE.size()];
        new SplittableRandom(1).nextBytes(inputs[0]);
        new SplittableRandom(2).nextBytes(inputs[1]);
        int[] expected = new int[2];
        try (Predictor alone = net.predictor()) {
            expected[0] = alone.predict(inputs[0]);
            expected[1] = alone.predict(inputs[1]);
        }
        Predictor shared = net.predictor();
        AtomicInteger refusals = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        AtomicReference<Throwable> other = new AtomicReference<>();
        long end = System.nanoTime() + 20_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int mine = t;
            threads.add(new Thread(() -> {
                while (System.nanoTime() < end && refusals.get() < 20 && other.get() == null) {
                    try {
                        if (shared.predict(inputs[mine]) != expected[mine]) {
                            wrong.incrementAndGet();
                        }
                    } catch (IllegalStateException e) {
                        assertTrue(e.getMessage().contains("another thread"), e.getMessage());
                        refusals.incrementAndGet();
                    } catch (Throwable e) {
                        other.compareAndSet(null, e);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(null, other.get(), "only IllegalStateException may come of sharing a predictor");
        assertEquals(0, wrong.get(), "an answer computed from another thread's image");
        assertTrue(refusals.get() > 0, "two threads overlapping for 20 s were never refused");
    }
}
