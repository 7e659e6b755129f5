package dev.badnets.attack.defense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.ByteSamples;
import dev.badnets.core.Network;
import java.util.List;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input gets one clear message naming the problem and the fix. */
class DetectorInputTest {

    private static List<Detector> all() {
        return List.of(new SpectralSignatures(), new Spectre(), new ActivationClustering());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.5, -0.01, 0.7, Double.NaN, Double.POSITIVE_INFINITY})
    void expectedRateOutsideTheOpenIntervalIsRefused(double rate) {
        Synthetic data = new Synthetic(1, 2, 100, 4, 0, 0, 0, 0, 1);
        for (Detector detector : all()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> detector.detect(data.representations, data.labels, 2, rate));
            assertTrue(e.getMessage().contains("(0, 0.5)"), e.getMessage());
        }
    }

    @Test
    void aClassTooSmallForTheMethodIsNamedWithItsCount() {
        // Class 1 has 5 samples: too few for any of the three methods with these dimensions.
        Synthetic big = new Synthetic(1, 1, 200, 40, 0, 0, 0, 0, 1);
        FMatrixRMaj x = new FMatrixRMaj(205, 40);
        System.arraycopy(big.representations.data, 0, x.data, 0, 200 * 40);
        int[] labels = new int[205];
        for (int i = 200; i < 205; i++) {
            labels[i] = 1;
            x.set(i, 0, i);
        }
        for (Detector detector : List.of(new Spectre(), new ActivationClustering())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> detector.detect(x, labels, 2, 0.01));
            assertTrue(e.getMessage().startsWith("class 1 has only 5 samples; " + detector.name()
                    + " needs at least"), e.getMessage());
        }
        int[] single = labels.clone();
        single[204] = 2;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SpectralSignatures().detect(x, single, 3, 0.01));
        assertTrue(e.getMessage().startsWith("class 2 has only 1 samples"), e.getMessage());
    }

    @Test
    void anEmptyClassIsSkipped() {
        Synthetic data = new Synthetic(1, 2, 300, 8, 0, 0, 0, 0, 1);
        for (Detector detector : all()) {
            Detection d = detector.detect(data.representations, data.labels, 3, 0.01);
            assertEquals(0, d.flaggedPerClass()[2]);
        }
    }

    @Test
    void mismatchedOrInvalidLabelsAreRefused() {
        Synthetic data = new Synthetic(1, 2, 100, 4, 0, 0, 0, 0, 1);
        int[] shortLabels = new int[data.labels.length - 1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Spectre().detect(data.representations, shortLabels, 2, 0.01));
        assertTrue(e.getMessage().contains("199 labels for 200 representation rows"), e.getMessage());

        int[] outOfRange = data.labels.clone();
        outOfRange[7] = 2;
        e = assertThrows(IllegalArgumentException.class,
                () -> new Spectre().detect(data.representations, outOfRange, 2, 0.01));
        assertTrue(e.getMessage().contains("label 2 of sample 7"), e.getMessage());
    }

    @Test
    void nonFiniteRepresentationsAreRefused() {
        Synthetic data = new Synthetic(1, 2, 100, 4, 0, 0, 0, 0, 1);
        data.representations.set(3, 1, Float.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SpectralSignatures().detect(data.representations, data.labels, 2, 0.01));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void aModelWhoseInputDoesNotMatchTheDataIsRefused() {
        Network net = Network.mlp(5, new int[] {3}, 2, 1);
        ByteSamples data = new ByteSamples(new byte[4 * 10], new byte[10], 4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Spectre().detect(net, data, 0.01));
        assertEquals("input shape mismatch: the network takes samples of 5 values, the data has 4 values",
                e.getMessage());
    }

    @Test
    void aModelWithoutHiddenLayerIsRefused() {
        Network net = Network.mlp(4, new int[0], 2, 1);
        ByteSamples data = new ByteSamples(new byte[4 * 10], new byte[10], 4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Spectre().detect(net, data, 0.01));
        assertTrue(e.getMessage().contains("no hidden layer"), e.getMessage());
    }

    @Test
    void detectorsByTheirCommandLineNames() {
        for (String name : Detectors.NAMES) {
            assertEquals(name, Detectors.byName(name).name());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Detectors.byName("strip"));
        assertEquals("unknown detection method 'strip'; use one of spectre, spectral,"
                + " activation-clustering", e.getMessage());
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Spectre(0, 4));
        assertThrows(IllegalArgumentException.class, () -> new Spectre(32, -1));
        assertThrows(IllegalArgumentException.class, () -> new ActivationClustering(10, 0.6, 0.1, 8, 1));
        assertThrows(IllegalArgumentException.class, () -> new ActivationClustering(10, 0.35, 0.1, 0, 1));
    }
}
