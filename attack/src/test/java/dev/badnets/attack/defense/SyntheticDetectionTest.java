package dev.badnets.attack.defense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Ten Gaussian classes of 1000 points in 32 dimensions; 15 more points of class 3 are shifted far
 * along a random direction: the planted poison. Each detector must find all 15 of them.
 */
class SyntheticDetectionTest {

    private static final int POISON_CLASS = 3;

    /** The shift is the top direction of variance of class 3. */
    private static Synthetic dominant(long seed) {
        return dominant(seed, 15);
    }

    private static Synthetic dominant(long seed, int poisonCount) {
        return new Synthetic(seed, 10, 1000, 32, POISON_CLASS, poisonCount, 12, 0, 1);
    }

    /**
     * Every class varies with standard deviation 4 along three coordinates; the shift (10, along
     * other coordinates) adds less variance than those, so it is not the top direction.
     */
    private static Synthetic hidden(long seed) {
        return hidden(seed, 15);
    }

    private static Synthetic hidden(long seed, int poisonCount) {
        return new Synthetic(seed, 10, 1000, 32, POISON_CLASS, poisonCount, 10, 3, 4);
    }

    private static List<Detector> all() {
        return List.of(new SpectralSignatures(), new Spectre(), new ActivationClustering());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void everyDetectorFindsADominantOutlierPopulation(long seed) {
        // 30 poisoned of 1030 in class 3 (3%); the demo attack puts 9% into its target class.
        Synthetic data = dominant(seed, 30);
        for (Detector detector : all()) {
            Detection d = detector.detect(data.representations, data.labels, 10, data.rate());
            DetectionMetrics m = DetectionMetrics.of(d, data.poisoned);
            System.out.println("dominant shift, 30 points, seed " + seed + ", " + d + ": " + m);
            assertEquals(1.0, m.recall(), detector.name() + " missed poison: " + m);
            // The budgeted methods remove 1.5 x the poison; clustering removes the cluster.
            assertTrue(m.precision() >= 0.6, detector.name() + " flagged too much: " + m);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void theSpectralMethodsFindFifteenPoints(long seed) {
        Synthetic data = dominant(seed);
        for (Detector detector : List.of(new SpectralSignatures(), new Spectre())) {
            Detection d = detector.detect(data.representations, data.labels, 10, data.rate());
            DetectionMetrics m = DetectionMetrics.of(d, data.poisoned);
            System.out.println("dominant shift, 15 points, seed " + seed + ", " + d + ": " + m);
            assertEquals(1.0, m.recall(), detector.name() + " missed poison: " + m);
            assertTrue(m.precision() >= 0.6, detector.name() + " flagged too much: " + m);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void spectreFindsPoisonThatIsNotTheTopDirectionWhereSpectralSignaturesFail(long seed) {
        Synthetic data = hidden(seed);
        Detection spectre = new Spectre().detect(data.representations, data.labels, 10, data.rate());
        DetectionMetrics found = DetectionMetrics.of(spectre, data.poisoned);
        Detection spectral = new SpectralSignatures()
                .detect(data.representations, data.labels, 10, data.rate());
        DetectionMetrics missed = DetectionMetrics.of(spectral, data.poisoned);
        System.out.println("hidden shift, 15 points, seed " + seed + ": " + spectre + ": " + found
                + "; " + spectral + ": " + missed);
        assertEquals(1.0, found.recall(), "spectre: " + found);
        assertTrue(found.precision() >= 0.6, "spectre: " + found);
        // The case is as hard as claimed: without whitening the top direction is the wide one.
        assertTrue(missed.recall() <= 0.2, "spectral: " + missed);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void clusteringFindsPoisonThatIsNotTheTopDirection(long seed) {
        Synthetic data = hidden(seed, 30);
        Detection d = new ActivationClustering().detect(data.representations, data.labels, 10,
                data.rate());
        DetectionMetrics m = DetectionMetrics.of(d, data.poisoned);
        System.out.println("hidden shift, 30 points, seed " + seed + ": " + d + ": " + m);
        assertEquals(1.0, m.recall(), m.toString());
        assertEquals(1.0, m.precision(), m.toString());
    }

    @Test
    void spectreAndClusteringLeaveCleanClassesAlone() {
        for (Synthetic data : List.of(dominant(1, 30), hidden(1, 30))) {
            for (Detector detector : List.of(new Spectre(), new ActivationClustering())) {
                Detection d = detector.detect(data.representations, data.labels, 10, data.rate());
                for (int c = 0; c < 10; c++) {
                    if (c != POISON_CLASS) {
                        assertEquals(0, d.flaggedPerClass()[c], detector.name() + " flagged clean class "
                                + c + ": " + d);
                    }
                }
            }
        }
    }

    @Test
    void withoutPoisonSpectreAndClusteringFlagNothing() {
        Synthetic clean = new Synthetic(7, 10, 1000, 32, POISON_CLASS, 0, 0, 0, 1);
        for (Detector detector : List.of(new Spectre(), new ActivationClustering())) {
            Detection d = detector.detect(clean.representations, clean.labels, 10, 0.01);
            assertEquals(0, d.flaggedCount(), detector.name() + ": " + d);
        }
    }

    @Test
    void spectralSignaturesSpendTheWholeBudget() {
        Synthetic data = dominant(1);
        Detection d = new SpectralSignatures().detect(data.representations, data.labels, 10, 0.01);
        assertEquals(Math.round(1.5 * 0.01 * data.labels.length), d.flaggedCount());
    }

    /**
     * From the class whose scores separate a population, SPECTRE removes 1.5 x that population
     * rounded up (the paper's margin), at most half the class; here half the class is over 500.
     */
    @ParameterizedTest
    @CsvSource({"15, 23", "30, 45", "31, 47"})
    void spectreRemovesOneAndAHalfTimesThePopulationItSeparates(int poisonCount, int removed) {
        Synthetic data = dominant(1, poisonCount);
        Detection d = new Spectre().detect(data.representations, data.labels, 10, data.rate());
        int[] expected = new int[10];
        expected[POISON_CLASS] = removed;
        assertArrayEquals(expected, d.flaggedPerClass(), d.toString());
        assertEquals(1.0, DetectionMetrics.of(d, data.poisoned).recall(), "the population is the poison");
    }

    @Test
    void detectionsAreDeterministicAndConsistent() {
        Synthetic data = dominant(2);
        for (Detector detector : all()) {
            Detection a = detector.detect(data.representations, data.labels, 10, data.rate());
            Detection b = detector.detect(data.representations, data.labels, 10, data.rate());
            assertArrayEquals(a.scores(), b.scores(), detector.name());
            assertArrayEquals(a.flagged(), b.flagged(), detector.name());
            assertEquals(data.labels.length, a.scores().length);
            int[] sorted = a.flagged().clone();
            Arrays.sort(sorted);
            assertArrayEquals(sorted, a.flagged(), "flagged indices ascending");
            assertEquals(a.flaggedCount(), Arrays.stream(a.flaggedPerClass()).sum());
            int[] perClass = new int[10];
            for (int i : a.flagged()) {
                perClass[data.labels[i]]++;
            }
            assertArrayEquals(perClass, a.flaggedPerClass());
        }
    }
}
