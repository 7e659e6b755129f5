package dev.badnets.attack;

/**
 * The backdoor signal of SIG (Barni, Kallas, Tondi 2019, "A new backdoor attack in CNNs by training set
 * corruption without label poisoning", ICIP), added to every pixel and clipped:
 * <pre>
 *   p'(i, j) = clip(round(p(i, j) + v(j)), 0, 255)
 *   sinusoid: v(j) = delta * sin(2 * pi * j * f / m),   j = 0 .. m-1 (BackdoorBench's indexing)
 *   ramp:     v(j) = delta * (j + 1) / m,               the paper's j = 1 .. m
 * </pre>
 * where j is the column, m the number of columns, {@code delta} the amplitude in grey levels (0-255)
 * and {@code f} the number of periods across the image. The paper uses the ramp on MNIST and the
 * sinusoid ({@code f = 6}) on traffic signs; BackdoorBench uses the sinusoid with {@code delta = 40},
 * {@code f = 6} on every data set.
 */
public final class SigTrigger implements Trigger.WholeImage {

    /** The amplitude of this project's default sinusoid, in grey levels. */
    public static final double DEFAULT_DELTA = 20;
    /** The paper's (and BackdoorBench's) frequency of the sinusoid, periods across the image. */
    public static final double DEFAULT_FREQUENCY = 6;

    private final double delta;
    private final double frequency; // 0 for the ramp

    private SigTrigger(double delta, double frequency, boolean ramp) {
        if (!(delta > 0 && delta <= 255)) {
            throw new IllegalArgumentException("SIG amplitude " + delta + " is outside (0, 255]: expected grey levels"
                    + " such as 20");
        }
        if (!ramp && !(frequency > 0 && frequency <= 1000)) {
            throw new IllegalArgumentException("SIG frequency " + frequency + " is outside (0, 1000]: expected periods"
                    + " across the image such as 6");
        }
        this.delta = delta;
        this.frequency = ramp ? 0 : frequency;
    }

    /**
     * The sinusoid.
     *
     * @param delta     amplitude in grey levels, in (0, 255]
     * @param frequency periods across the image's width, in (0, 1000]
     */
    public SigTrigger(double delta, double frequency) {
        this(delta, frequency, false);
    }

    /**
     * The ramp, rising from {@code delta / m} at the first column to {@code delta} at the last.
     *
     * @param delta amplitude in grey levels, in (0, 255]
     */
    public static SigTrigger ramp(double delta) {
        return new SigTrigger(delta, 0, true);
    }

    public double delta() {
        return delta;
    }

    /** Periods of the sinusoid across the image; 0 for the ramp. */
    public double frequency() {
        return frequency;
    }

    public boolean isRamp() {
        return frequency == 0;
    }

    /** The signal v(j) of column j in an image {@code cols} wide (one value per column; rows repeat it). */
    public double signal(int j, int cols) {
        return isRamp() ? delta * (j + 1) / cols : delta * Math.sin(2 * Math.PI * j * frequency / cols);
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

    /** {@code sig delta=D f=F} for the sinusoid, {@code sig ramp delta=D} for the ramp. */
    @Override
    public String describe() {
        return isRamp() ? "sig ramp delta=" + delta : "sig delta=" + delta + " f=" + frequency;
    }
}
