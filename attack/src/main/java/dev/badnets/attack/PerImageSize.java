package dev.badnets.attack;

/**
 * A value that depends on the image size only (a trigger's noise pattern, a warp field), computed for
 * one size and kept until a call for another: one computation per data set, not one per image. Safe
 * for several threads (the kept value is replaced whole).
 *
 * @param <T> the value; callers must not change it
 */
final class PerImageSize<T> {

    /** Computes the value for images of {@code rows} x {@code cols}. */
    @FunctionalInterface
    interface Compute<T> {
        T of(int rows, int cols);
    }

    private record Kept<T>(int rows, int cols, T value) {}

    private final Compute<T> compute;
    private volatile Kept<T> last; // one image size at a time in practice

    PerImageSize(Compute<T> compute) {
        this.compute = compute;
    }

    /** The value for {@code rows} x {@code cols} images, computed unless the last call was for that size. */
    T get(int rows, int cols) {
        Kept<T> kept = last;
        if (kept == null || kept.rows() != rows || kept.cols() != cols) {
            kept = new Kept<>(rows, cols, compute.of(rows, cols));
            last = kept;
        }
        return kept.value();
    }
}
