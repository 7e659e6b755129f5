package dev.badnets.attack.defense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** How the two detectors' figures combine into the verdict. */
class BackdoorScanTest {

    private static MaxMargin.Result margins(int suspect, boolean flagged) {
        double[] m = new double[4];
        m[suspect] = 1;
        return new MaxMargin.Result(m, new int[4], suspect, flagged ? 0.01 : 0.5, 1, 1, flagged, 0.05, 0);
    }

    @Test
    void neuralCleanseAboveItsThresholdFlagsAlone() {
        assertArrayEquals(new int[] {2}, BackdoorScan.combine(new double[] {0, -1, 2.5, 0.3}, margins(0, false)));
        assertArrayEquals(new int[0], BackdoorScan.combine(new double[] {0, -1, 1.9, 0.3}, margins(0, false)));
    }

    @Test
    void maxMarginsFlagNeedsAMaskBelowTheMedianToo() {
        assertArrayEquals(new int[] {3}, BackdoorScan.combine(new double[] {0, -1, 0.5, 1.2}, margins(3, true)));
        assertArrayEquals(new int[0], BackdoorScan.combine(new double[] {0, -1, 0.5, 0.9}, margins(3, true)));
        assertArrayEquals(new int[0], BackdoorScan.combine(new double[] {0, -1, 0.5, 1.9}, margins(3, false)));
        assertArrayEquals(new int[] {1, 3}, BackdoorScan.combine(new double[] {0, 2.1, 0.5, 1.2}, margins(3, true)));
    }
}
