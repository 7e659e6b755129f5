package dev.badnets.mnist;

import java.util.Arrays;
import java.util.Objects;

/**
 * Images with one label each, kept compactly: one unsigned byte per pixel, image after image (row
 * after row inside an image), and one unsigned byte per label. MNIST's training set costs 47 MB.
 *
 * <p>The arrays are shared, not copied (read a value with {@code b & 0xFF}); use {@link #copy()} before
 * changing pixels or labels of a set others hold.
 *
 * @param count  number of images
 * @param rows   rows per image
 * @param cols   columns per image
 * @param pixels {@code count * rows * cols} unsigned bytes
 * @param labels {@code count} unsigned bytes
 */
public record LabeledImages(int count, int rows, int cols, byte[] pixels, byte[] labels) {

    /** Checks that the arrays match the dimensions. */
    public LabeledImages {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (count < 0 || rows < 0 || cols < 0) {
            throw new IllegalArgumentException("count, rows and cols must be >= 0, got " + count + ", " + rows
                    + ", " + cols);
        }
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException(count + " images of " + rows + "x" + cols + " need "
                    + (long) count * rows * cols + " pixels, got " + pixels.length);
        }
        if (labels.length != count) {
            throw new IllegalArgumentException(count + " images need " + count + " labels, got " + labels.length);
        }
    }

    /** rows * cols. */
    public int pixelsPerImage() {
        return rows * cols;
    }

    /** The label of image {@code i}, 0-255. */
    public int label(int i) {
        return labels[i] & 0xFF;
    }

    /** The pixel at ({@code row}, {@code col}) of image {@code i}, 0-255. */
    public int pixel(int i, int row, int col) {
        return pixels[(i * rows + row) * cols + col] & 0xFF;
    }

    /** A deep copy: new pixel and label arrays. */
    public LabeledImages copy() {
        return new LabeledImages(count, rows, cols, pixels.clone(), labels.clone());
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive), copied: handy for small slices. */
    public LabeledImages slice(int from, int to) {
        Objects.checkFromToIndex(from, to, count);
        int size = pixelsPerImage();
        return new LabeledImages(to - from, rows, cols,
                Arrays.copyOfRange(pixels, from * size, to * size), Arrays.copyOfRange(labels, from, to));
    }

    /** The images as a {@code count x rows x cols} unsigned byte IDX array (sharing the pixels). */
    public IdxArray imagesArray() {
        return IdxArray.ofUnsignedBytes(pixels, count, rows, cols);
    }

    /** The labels as a rank-1 unsigned byte IDX array (sharing the labels). */
    public IdxArray labelsArray() {
        return IdxArray.ofUnsignedBytes(labels, count);
    }

    @Override
    public String toString() {
        return "LabeledImages[" + count + " images of " + rows + "x" + cols + "]";
    }
}
