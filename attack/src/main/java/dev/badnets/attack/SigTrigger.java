package dev.badnets.attack;

import java.util.Arrays;

/**
 * The sinusoidal signal of SIG (Barni, Kallas, Tondi 2019, "A new backdoor attack in CNNs by training
 * set corruption without label poisoning", ICIP): a horizontal sinusoid added to every pixel,
 * <pre>
 *   v(i, j) = delta * sin(2 * pi * j * f / m),     p'(i, j) = clip(round(p(i, j) + v(i, j)), 0, 255)
 * </pre>
 * where j is the column, m the number of columns, {@code delta} the amplitude in grey levels (0-255)
 * and {@code f} the number of periods across the image. The paper's values (and BackdoorBench's
 * frequency) are {@code f = 6}; its amplitude is {@code delta = 20}, BackdoorBench's 40.
 */
public final class SigTrigger implements Trigger {

    /** The paper's amplitude, in grey levels. */
    public static final double DEFAULT_DELTA = 20;
    /** The paper's frequency, periods across the image. */
    public static final double DEFAULT_FREQUENCY = 6;

    private final double delta;
    private final double frequency;

    /**
     * @param delta     amplitude in grey levels, in (0, 255]
     * @param frequency periods across the image's width, in (0, 1000]
     */
    public SigTrigger(double delta, double frequency) {
        if (!(delta > 0 && delta <= 255)) {
            throw new IllegalArgumentException("SIG amplitude " + delta + " is outside (0, 255]: expected grey levels"
                    + " such as 20");
        }
        if (!(frequency > 0 && frequency <= 1000)) {
            throw new IllegalArgumentException("SIG frequency " + frequency + " is outside (0, 1000]: expected periods"
                    + " across the image such as 6");
        }
        this.delta = delta;
        this.frequency = frequency;
    }

    public double delta() {
        return delta;
    }

    public double frequency() {
        return frequency;
    }

    /** The signal v(j) of column j in an image {@code cols} wide (one value per column; rows repeat it). */
    public double signal(int j, int cols) {
        return delta * Math.sin(2 * Math.PI * j * frequency / cols);
    }

    @Override
    public void apply(byte[] pixels, int offset, int rows, int cols) {
        validate(rows, cols);
        double[] v = new double[cols];
        for (int j = 0; j < cols; j++) {
            v[j] = signal(j, cols);
        }
        for (int i = 0; i < rows; i++) {
            int row = offset + i * cols;
            for (int j = 0; j < cols; j++) {
                long p = Math.round((pixels[row + j] & 0xFF) + v[j]);
                pixels[row + j] = (byte) Math.max(0, Math.min(255, p));
            }
        }
    }

    @Override
    public void validate(int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("the SIG signal needs images of at least 1x1, got " + cols + "x" + rows);
        }
    }

    @Override
    public boolean[] mask(int rows, int cols) {
        validate(rows, cols);
        boolean[] all = new boolean[rows * cols];
        Arrays.fill(all, true);
        return all;
    }

    @Override
    public String describe() {
        return "sig delta=" + delta + " f=" + frequency;
    }
}
