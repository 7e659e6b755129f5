package dev.badnets.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The label-consistent "all corners" trigger against the authors' list of (row, column, sign). */
class CornerTriggerTest {

    /**
     * The 36 entries of {@code trigger == "all-corners"} in MadryLab/label-consistent-backdoor-code's
     * {@code poison_attack.py}, a negative index counting from the last row or column as in numpy.
     */
    private static final int[][] AUTHORS = {
        {0, 0, 1}, {0, 1, -1}, {0, 2, -1}, {1, 0, -1}, {1, 1, 1}, {1, 2, -1}, {2, 0, 1}, {2, 1, -1}, {2, 2, 1},
        {-1, 0, 1}, {-1, 1, -1}, {-1, 2, 1}, {-2, 0, -1}, {-2, 1, 1}, {-2, 2, -1}, {-3, 0, 1}, {-3, 1, -1}, {-3, 2, -1},
        {0, -1, 1}, {0, -2, -1}, {0, -3, -1}, {1, -1, -1}, {1, -2, 1}, {1, -3, -1}, {2, -1, 1}, {2, -2, -1}, {2, -3, 1},
        {-1, -1, 1}, {-1, -2, -1}, {-1, -3, 1}, {-2, -1, -1}, {-2, -2, 1}, {-2, -3, -1}, {-3, -1, 1}, {-3, -2, -1},
        {-3, -3, -1},
    };

    @Test
    void everyPixelIsTheAuthorsSignAndNothingElseIsTouched() {
        for (int[] size : new int[][] {{28, 28}, {32, 32}, {7, 9}}) {
            int rows = size[0];
            int cols = size[1];
            int[] expected = new int[rows * cols];
            for (int[] e : AUTHORS) {
                int r = e[0] < 0 ? rows + e[0] : e[0];
                int c = e[1] < 0 ? cols + e[1] : e[1];
                expected[r * cols + c] = e[2];
            }
            byte[] grey = new byte[rows * cols];
            java.util.Arrays.fill(grey, (byte) 100);
            new CornerTrigger(1).apply(grey, 0, rows, cols);
            byte[] faint = new byte[rows * cols];
            java.util.Arrays.fill(faint, (byte) 100);
            new CornerTrigger(32 / 255.0).apply(faint, 0, rows, cols);
            for (int p = 0; p < rows * cols; p++) {
                String at = rows + "x" + cols + " pixel " + p / cols + "," + p % cols;
                assertEquals(expected[p], CornerTrigger.sign(p / cols, p % cols, rows, cols), at);
                assertEquals(expected[p] > 0 ? 255 : expected[p] < 0 ? 0 : 100, grey[p] & 0xFF, "amplitude 1, " + at);
                assertEquals(100 + 32 * expected[p], faint[p] & 0xFF, "amplitude 32/255 is added, " + at);
            }
        }
    }
}
