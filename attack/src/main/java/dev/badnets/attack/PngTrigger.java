package dev.badnets.attack;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * A trigger drawn in a small image (a PNG, usually): its non-transparent pixels are stamped at a
 * {@link Position}, as grey levels (luma of the RGB colour, ITU-R BT.601). Fully transparent pixels
 * leave the image alone; partly transparent ones are blended in by their opacity.
 */
public final class PngTrigger extends PatchTrigger {

    private final String source;

    /**
     * @param image    the trigger picture; an image without an alpha channel is fully opaque
     * @param position where the picture's top-left pixel goes
     * @param source   where the picture came from, for {@link #describe()}
     */
    public PngTrigger(BufferedImage image, Position position, String source) {
        super("png", image.getWidth(), image.getHeight(), grey(image), opacity(image), position);
        this.source = source;
    }

    /**
     * The most pixels a trigger picture may have: a few bytes of PNG can declare gigapixels, and
     * decoding allocates for what they declare (here at most 4 MB of ARGB and 8 MB of levels).
     */
    public static final long MAX_PIXELS = 1 << 20;

    /** Reads the picture with {@link ImageIO} (PNG, or any format it knows), at most {@link #MAX_PIXELS}. */
    public static PngTrigger read(Path file, Position position) throws IOException {
        return read(file, position, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * Reads the picture, refusing from its header alone (before decoding) one wider than
     * {@code maxWidth}, taller than {@code maxHeight} or larger than {@link #MAX_PIXELS}.
     *
     * @throws IOException              for a file that cannot be read or is not an image
     * @throws IllegalArgumentException for a picture too large (the message says which limit), or a
     *                                  path that is not a regular file (a FIFO would block the read)
     */
    public static PngTrigger read(Path file, Position position, int maxHeight, int maxWidth) throws IOException {
        // a FIFO or device would block the read until a writer comes, maybe forever: regular files only
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("trigger picture " + file + " is not a regular file (a folder, FIFO,"
                    + " device or socket); give a PNG file");
        }
        BufferedImage image;
        try (InputStream in = Files.newInputStream(file);
             ImageInputStream stream = new MemoryCacheImageInputStream(in)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
            if (!readers.hasNext()) {
                throw new IOException(file + " is not an image ImageIO can read");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(stream, true, true);
                int width;
                int height;
                try {
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                } catch (RuntimeException e) {
                    throw undecodable(file, e);
                }
                if (width > maxWidth || height > maxHeight) {
                    throw new IllegalArgumentException("trigger picture " + file + " is " + width + "x" + height
                            + ", larger than the " + maxWidth + "x"
                            + maxHeight + " images it would be stamped on; give a smaller picture");
                }
                if ((long) width * height > MAX_PIXELS) {
                    throw new IllegalArgumentException("trigger picture " + file + " is " + width + "x" + height
                            + ", more than the " + MAX_PIXELS
                            + " pixels a trigger picture may have; give a smaller picture");
                }
                try {
                    image = reader.read(0);
                } catch (RuntimeException e) {
                    throw undecodable(file, e);
                }
            } finally {
                reader.dispose();
            }
        } catch (javax.imageio.IIOException e) {
            throw new IOException(file + " is not a readable image (" + e.getMessage() + ")", e);
        }
        if (image == null) {
            throw new IOException(file + " is not an image ImageIO can read");
        }
        return new PngTrigger(image, position, file.toString());
    }

    /**
     * A picture the JDK's decoder trips over with a runtime exception instead of an IIOException (its
     * BMP reader, for one, meets some palette sizes with a NegativeArraySizeException): not an image.
     */
    private static IOException undecodable(Path file, RuntimeException e) {
        return new IOException(file + " is not a readable image (its decoder failed: " + e + ")", e);
    }

    // getRGB() would colour-convert a linear grey PNG to sRGB and brighten it: read grey bands raw.
    private static boolean isGrey(BufferedImage image) {
        return image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    }

    private static int to8Bits(Raster raster, int x, int y, int band) {
        int bits = raster.getSampleModel().getSampleSize(band);
        int v = raster.getSample(x, y, band);
        return bits == 8 ? v : (int) Math.round(v * 255.0 / ((1 << bits) - 1));
    }

    private static int[] grey(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        int[] grey = new int[w * h];
        boolean rawGrey = isGrey(image);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (rawGrey) {
                    grey[y * w + x] = to8Bits(image.getRaster(), x, y, 0);
                } else {
                    int rgb = image.getRGB(x, y);
                    int r = (rgb >> 16) & 0xFF, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;
                    grey[y * w + x] = (int) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
                }
            }
        }
        return grey;
    }

    private static int[] opacity(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        int[] opacity = new int[w * h];
        boolean hasAlpha = image.getColorModel().hasAlpha();
        boolean rawGrey = isGrey(image);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (!hasAlpha) {
                    opacity[y * w + x] = 255;
                } else if (rawGrey) {
                    Raster raster = image.getRaster();
                    opacity[y * w + x] = to8Bits(raster, x, y, raster.getNumBands() - 1);
                } else {
                    opacity[y * w + x] = image.getRGB(x, y) >>> 24;
                }
            }
        }
        return opacity;
    }

    @Override
    public String describe() {
        return "png file=" + source + " size=" + width() + "x" + height() + " position=" + position();
    }
}
