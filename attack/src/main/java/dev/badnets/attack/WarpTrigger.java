package dev.badnets.attack;

import java.util.Arrays;
import java.util.Random;

/**
 * WaNet's warp (Nguyen and Tran 2021, "WaNet - Imperceptible warping-based backdoor attack", ICLR): the
 * image resampled through a smooth, small flow field, so that no pixel is painted and the change is
 * invisible. The field, as in the authors' code:
 * <pre>
 *   P          = k x k x 2 control displacements, uniform in [-1, 1], divided by their mean |P|
 *   noise      = P upsampled to rows x cols by bicubic interpolation (corners aligned)
 *   identity   = the sampling grid in [-1, 1]^2 (x = column, y = row) that reproduces the image
 *   grid       = clip((identity + s * noise / rows) * grid_rescale, -1, 1)
 *   warped     = the image sampled bilinearly at grid (corners aligned, zero outside)
 * </pre>
 * {@code k} sets how smooth the field is (paper: 4), {@code s} how strong (paper: 0.5), {@code grid_rescale}
 * (paper: 1) shrinks the grid so that it stays inside the image. At {@code s = 0} (and rescale 1) the
 * warp is the identity. The control displacements are drawn from {@code fieldSeed}, so the trigger is
 * fixed by its parameters. Grey levels are rounded back to 0-255.
 */
public final class WarpTrigger implements Trigger.WholeImage {

    /** The paper's control-grid size. */
    public static final int DEFAULT_K = 4;
    /** The paper's strength. */
    public static final double DEFAULT_S = 0.5;
    /** The paper's grid rescale. */
    public static final double DEFAULT_GRID_RESCALE = 1;
    /** Seed of the control displacements. */
    public static final long DEFAULT_FIELD_SEED = 2021L;
    /** Bicubic convolution constant of PyTorch's {@code upsample(mode="bicubic")}, which the authors use. */
    private static final double CUBIC_A = -0.75;

    private final int k;
    private final double s;
    private final double gridRescale;
    private final long fieldSeed;
    private final double[] control; // 2 x k x k: x displacements, then y, normalised to mean |.| = 1
    private final PerImageSize<double[]> grids = new PerImageSize<>(this::computeGrid);

    /**
     * @param k           control points per side, 2 to 64 (at most the image's side, checked per image)
     * @param s           strength, 0 to 100
     * @param gridRescale factor on the sampling grid, in (0, 2]
     * @param fieldSeed   seed of the control displacements
     */
    public WarpTrigger(int k, double s, double gridRescale, long fieldSeed) {
        if (k < 2 || k > 64) {
            throw new IllegalArgumentException("WaNet control grid " + k + " is outside 2 to 64: expected a size"
                    + " such as 4");
        }
        if (!(s >= 0 && s <= 100)) {
            throw new IllegalArgumentException("WaNet strength " + s + " is outside [0, 100]: expected a value such"
                    + " as 0.5");
        }
        if (!(gridRescale > 0 && gridRescale <= 2)) {
            throw new IllegalArgumentException("WaNet grid rescale " + gridRescale + " is outside (0, 2]: expected"
                    + " a value such as 1");
        }
        this.k = k;
        this.s = s;
        this.gridRescale = gridRescale;
        this.fieldSeed = fieldSeed;
        Random random = new Random(fieldSeed);
        control = new double[2 * k * k];
        double meanAbs = 0;
        for (int i = 0; i < control.length; i++) {
            control[i] = random.nextDouble() * 2 - 1;
            meanAbs += Math.abs(control[i]);
        }
        meanAbs /= control.length;
        for (int i = 0; i < control.length; i++) {
            control[i] /= meanAbs;
        }
    }

    public int k() {
        return k;
    }

    public double s() {
        return s;
    }

    public double gridRescale() {
        return gridRescale;
    }

    public long fieldSeed() {
        return fieldSeed;
    }

    /** The control displacements P, 2 x k x k (x, then y), mean |P| = 1 (a copy). */
    public double[] control() {
        return control.clone();
    }

    /**
     * The sampling grid for {@code rows} x {@code cols} images: 2 x rows x cols values in [-1, 1], first
     * every x (column coordinate), then every y (row coordinate), row-major (a fresh array).
     */
    public double[] grid(int rows, int cols) {
        return field(rows, cols).clone();
    }

    private double[] field(int rows, int cols) {
        validate(rows, cols);
        return grids.get(rows, cols);
    }

    /** The sampling grid of the field for {@code rows} x {@code cols} images, as {@link #grid} describes it. */
    private double[] computeGrid(int rows, int cols) {
        int n = rows * cols;
        double[] grid = new double[2 * n];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    double identity = c == 0 ? lin(x, cols) : lin(y, rows);
                    double noise = bicubic(c, y * (k - 1.0) / (rows - 1), x * (k - 1.0) / (cols - 1));
                    grid[c * n + y * cols + x] = clip((identity + s * noise / rows) * gridRescale);
                }
            }
        }
        return grid;
    }

    /** The i-th of n points evenly spaced over [-1, 1] (torch.linspace). */
    private static double lin(int i, int n) {
        return -1 + 2.0 * i / (n - 1);
    }

    private static double clip(double v) {
        return Math.max(-1, Math.min(1, v));
    }

    /** Channel c of the control grid at fractional position (sy, sx), by bicubic convolution, borders clamped. */
    private double bicubic(int c, double sy, double sx) {
        int y0 = (int) Math.floor(sy);
        int x0 = (int) Math.floor(sx);
        double ty = sy - y0;
        double tx = sx - x0;
        double sum = 0;
        for (int i = -1; i <= 2; i++) {
            double wy = cubic(i - ty);
            int yy = Math.max(0, Math.min(k - 1, y0 + i));
            for (int j = -1; j <= 2; j++) {
                int xx = Math.max(0, Math.min(k - 1, x0 + j));
                sum += wy * cubic(j - tx) * control[c * k * k + yy * k + xx];
            }
        }
        return sum;
    }

    /** Keys' cubic convolution kernel with a = {@link #CUBIC_A}, at distance d. */
    private static double cubic(double d) {
        double x = Math.abs(d);
        if (x <= 1) {
            return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
        }
        if (x < 2) {
            return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
        }
        return 0;
    }

    @Override
    public void apply(byte[] pixels, int offset, int rows, int cols) {
        warp(pixels, offset, rows, cols, field(rows, cols));
    }

    /**
     * WaNet's "noise mode": warps the image through the field plus a random displacement per pixel,
     * uniform in [-1, 1] / rows on each coordinate, then clipped to [-1, 1] (the images that keep their
     * labels, so that the network learns this exact warp rather than any warp).
     */
    public void applyWithNoise(byte[] pixels, int offset, int rows, int cols, Random random) {
        double[] grid = field(rows, cols).clone();
        for (int i = 0; i < grid.length; i++) {
            grid[i] = clip(grid[i] + (random.nextDouble() * 2 - 1) / rows);
        }
        warp(pixels, offset, rows, cols, grid);
    }

    /** Resamples the image in place through {@code grid} (2 x rows x cols, x then y): bilinear, zero outside. */
    private static void warp(byte[] pixels, int offset, int rows, int cols, double[] grid) {
        int n = rows * cols;
        byte[] source = Arrays.copyOfRange(pixels, offset, offset + n);
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                int at = y * cols + x;
                double px = (grid[at] + 1) / 2 * (cols - 1);
                double py = (grid[n + at] + 1) / 2 * (rows - 1);
                int x0 = (int) Math.floor(px);
                int y0 = (int) Math.floor(py);
                double fx = px - x0;
                double fy = py - y0;
                double v = (1 - fy) * ((1 - fx) * at(source, y0, x0, rows, cols) + fx * at(source, y0, x0 + 1, rows, cols))
                        + fy * ((1 - fx) * at(source, y0 + 1, x0, rows, cols) + fx * at(source, y0 + 1, x0 + 1, rows, cols));
                pixels[offset + at] = (byte) Math.max(0, Math.min(255, Math.round(v)));
            }
        }
    }

    private static double at(byte[] image, int y, int x, int rows, int cols) {
        return y < 0 || y >= rows || x < 0 || x >= cols ? 0 : image[y * cols + x] & 0xFF;
    }

    @Override
    public void validate(int rows, int cols) {
        if (rows < 2 || cols < 2 || k > rows || k > cols) {
            throw new IllegalArgumentException("the WaNet control grid of " + k + "x" + k + " does not fit " + cols
                    + "x" + rows + " images; use a control grid of at most " + Math.max(2, Math.min(rows, cols)));
        }
    }

    @Override
    public String describe() {
        return "wanet k=" + k + " s=" + s + " grid_rescale=" + gridRescale + " seed=" + fieldSeed;
    }
}
