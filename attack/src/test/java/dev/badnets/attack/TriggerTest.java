package dev.badnets.attack;

import dev.badnets.mnist.testing.HugePng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TriggerTest {

    /** An image size, a patch size that fits, and a position (a corner or an x,y that fits). */
    record Placement(int rows, int cols, int size, String position, int left, int top) {}

    @Provide
    Arbitrary<Placement> placements() {
        return Combinators.combine(Arbitraries.integers().between(1, 40), Arbitraries.integers().between(1, 40),
                        Arbitraries.integers().between(1, 40), Arbitraries.integers().between(0, 4),
                        Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 1000))
                .as((rows, cols, s, corner, rx, ry) -> {
                    int size = 1 + (s - 1) % Math.min(rows, cols);
                    // The expected top-left corner, worked out here independently of Position.
                    switch (corner) {
                        case 0: return new Placement(rows, cols, size, "top-left", 0, 0);
                        case 1: return new Placement(rows, cols, size, "top-right", cols - size, 0);
                        case 2: return new Placement(rows, cols, size, "bottom-left", 0, rows - size);
                        case 3: return new Placement(rows, cols, size, "bottom-right", cols - size, rows - size);
                        default:
                            int x = rx % (cols - size + 1);
                            int y = ry % (rows - size + 1);
                            return new Placement(rows, cols, size, x + "," + y, x, y);
                    }
                });
    }

    /** Three images back to back with random pixels; the trigger goes on the middle one. */
    private static byte[] threeImages(int rows, int cols, long seed) {
        byte[] pixels = new byte[3 * rows * cols];
        new Random(seed).nextBytes(pixels);
        return pixels;
    }

    /** Asserts that only pixels of the middle image for which {@code expected} gives a value changed, to that value. */
    private static void assertStamped(byte[] before, byte[] after, Placement p, PixelRule expected) {
        int n = p.rows() * p.cols();
        for (int i = 0; i < before.length; i++) {
            int image = i / n, r = (i % n) / p.cols(), c = (i % n) % p.cols();
            int want = image == 1 ? expected.value(r, c, before[i] & 0xFF) : before[i] & 0xFF;
            assertEquals(want, after[i] & 0xFF, "image " + image + " row " + r + " col " + c + " for " + p);
        }
    }

    interface PixelRule {
        int value(int row, int col, int old);
    }

    private static boolean inPatch(Placement p, int r, int c) {
        return r >= p.top() && r < p.top() + p.size() && c >= p.left() && c < p.left() + p.size();
    }

    @Property
    void squareStampsExactlyItsSquare(@ForAll("placements") Placement p, @ForAll @IntRange(max = 255) int value,
                                      @ForAll long seed) {
        Trigger t = Triggers.parse("square", p.size(), value, p.position(), 0.2);
        byte[] before = threeImages(p.rows(), p.cols(), seed);
        byte[] after = before.clone();
        t.apply(after, p.rows() * p.cols(), p.rows(), p.cols());
        assertStamped(before, after, p, (r, c, old) -> inPatch(p, r, c) ? value : old);
        assertEquals(new Trigger.Box(p.left(), p.top(), p.size(), p.size()), t.bounds(p.rows(), p.cols()));
    }

    @Property
    void patternStampsItsCheckerboardAndLeavesTheGaps(@ForAll("placements") Placement p,
                                                      @ForAll @IntRange(max = 255) int value, @ForAll long seed) {
        Trigger t = Triggers.parse("pattern", p.size(), value, p.position(), 0.2);
        byte[] before = threeImages(p.rows(), p.cols(), seed);
        byte[] after = before.clone();
        t.apply(after, p.rows() * p.cols(), p.rows(), p.cols());
        assertStamped(before, after, p, (r, c, old) ->
                inPatch(p, r, c) && (r - p.top() + c - p.left()) % 2 == 0 ? value : old);
        boolean[] mask = t.mask(p.rows(), p.cols());
        for (int r = 0; r < p.rows(); r++) {
            for (int c = 0; c < p.cols(); c++) {
                assertEquals(inPatch(p, r, c) && (r - p.top() + c - p.left()) % 2 == 0, mask[r * p.cols() + c]);
            }
        }
    }

    @Property
    void pixelStampsOnePixel(@ForAll("placements") Placement placement, @ForAll @IntRange(max = 255) int value,
                             @ForAll long seed) {
        // A pixel is a 1x1 patch: recompute the expected spot for size 1.
        Placement p = switch (placement.position()) {
            case "top-left" -> new Placement(placement.rows(), placement.cols(), 1, "top-left", 0, 0);
            case "top-right" -> new Placement(placement.rows(), placement.cols(), 1, "top-right", placement.cols() - 1, 0);
            case "bottom-left" -> new Placement(placement.rows(), placement.cols(), 1, "bottom-left", 0, placement.rows() - 1);
            case "bottom-right" -> new Placement(placement.rows(), placement.cols(), 1, "bottom-right",
                    placement.cols() - 1, placement.rows() - 1);
            default -> new Placement(placement.rows(), placement.cols(), 1, placement.position(),
                    placement.left(), placement.top());
        };
        Trigger t = Triggers.parse("pixel", 7, value, p.position(), 0.2);
        byte[] before = threeImages(p.rows(), p.cols(), seed);
        byte[] after = before.clone();
        t.apply(after, p.rows() * p.cols(), p.rows(), p.cols());
        assertStamped(before, after, p, (r, c, old) -> r == p.top() && c == p.left() ? value : old);
    }

    @Property
    void blendMixesEveryPixelWithThePattern(@ForAll @IntRange(min = 1, max = 30) int rows,
                                            @ForAll @IntRange(min = 1, max = 30) int cols,
                                            @ForAll @IntRange(max = 100) int percent, @ForAll long seed) {
        double alpha = percent / 100.0;
        BlendTrigger t = BlendTrigger.noise(seed, alpha);
        byte[] pattern = t.pattern(rows, cols);
        byte[] before = threeImages(rows, cols, seed + 1);
        byte[] after = before.clone();
        t.apply(after, rows * cols, rows, cols);
        Placement whole = new Placement(rows, cols, 0, "top-left", 0, 0);
        assertStamped(before, after, whole, (r, c, old) ->
                (int) Math.round((1 - alpha) * old + alpha * (pattern[r * cols + c] & 0xFF)));
        assertEquals(new Trigger.Box(0, 0, cols, rows), t.bounds(rows, cols));
    }

    @Test
    void blendNoiseIsTheSameForTheSameSeedAndDiffersForAnother() {
        assertArrayEquals(BlendTrigger.noise(5, 0.2).pattern(28, 28), BlendTrigger.noise(5, 0.9).pattern(28, 28));
        assertFalse(java.util.Arrays.equals(BlendTrigger.noise(5, 0.2).pattern(28, 28),
                BlendTrigger.noise(6, 0.2).pattern(28, 28)));
        // The CLI's blend trigger must stamp identically at poisoning and at evaluation time.
        byte[] a = new byte[784], b = new byte[784];
        Triggers.parse("blend", 2, 255, "top-left", 0.2).apply(a, 0, 28, 28);
        Triggers.parse("blend", 2, 255, "top-left", 0.2).apply(b, 0, 28, 28);
        assertArrayEquals(a, b);
        assertNotEquals(0, java.util.stream.IntStream.range(0, 784).map(i -> a[i]).filter(v -> v != 0).count());
    }

    @Test
    void blendWithAFixedPatternOfAlphaOneReplacesTheImage() {
        byte[] pattern = new byte[12];
        new Random(3).nextBytes(pattern);
        byte[] image = new byte[12];
        new BlendTrigger(pattern, 3, 4, 1.0).apply(image, 0, 3, 4);
        assertArrayEquals(pattern, image);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BlendTrigger(pattern, 3, 4, 0.5).validate(28, 28));
        assertTrue(e.getMessage().contains("4x3"), e.getMessage());
    }

    @Test
    void pngTriggerStampsItsOpaquePixelsAsGreyAndSkipsTransparentOnes(@TempDir Path dir) throws Exception {
        BufferedImage picture = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
        picture.setRGB(0, 0, 0xFFFFFFFF);        // opaque white
        picture.setRGB(1, 0, 0x00FFFFFF);        // transparent
        picture.setRGB(2, 0, 0xFFFF0000);        // opaque red: luma 0.299 * 255 = 76
        picture.setRGB(0, 1, 0xFF000000);        // opaque black
        picture.setRGB(1, 1, 0xFF808080);        // opaque grey 128
        picture.setRGB(2, 1, 0x00000000);        // transparent
        Path file = dir.resolve("trigger.png");
        assertTrue(ImageIO.write(picture, "png", file.toFile()));

        Trigger t = Triggers.parse("png:" + file, 9, 9, "bottom-right", 0.2);
        byte[] image = new byte[5 * 4];
        java.util.Arrays.fill(image, (byte) 50);
        t.apply(image, 0, 4, 5);
        int[] expected = {
            50, 50, 50, 50, 50,
            50, 50, 50, 50, 50,
            50, 50, 255, 50, 76,
            50, 50, 0, 128, 50,
        };
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], image[i] & 0xFF, "pixel " + i);
        }
        assertEquals(new Trigger.Box(2, 2, 3, 2), t.bounds(4, 5));
        assertTrue(t.describe().contains("trigger.png"), t.describe());
    }

    @Test
    void greyPngKeepsItsExactGreyLevels(@TempDir Path dir) throws Exception {
        // getRGB() on a grey image would colour-convert 100 to about 167; the raw level must be stamped.
        BufferedImage picture = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        picture.getRaster().setSample(0, 0, 0, 100);
        picture.getRaster().setSample(1, 0, 0, 200);
        Path file = dir.resolve("grey.png");
        assertTrue(ImageIO.write(picture, "png", file.toFile()));
        byte[] image = new byte[9];
        Triggers.parse("png:" + file, 2, 255, "0,1", 0.2).apply(image, 0, 3, 3);
        assertArrayEquals(new byte[] {0, 0, 0, 100, (byte) 200, 0, 0, 0, 0}, image);
    }

    @Test
    void pngLargerThanTheImageIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.png");
        assertTrue(ImageIO.write(new BufferedImage(30, 30, BufferedImage.TYPE_INT_ARGB), "png", file.toFile()));
        Trigger t = Triggers.parse("png:" + file, 2, 255, "top-left", 0.2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.validate(28, 28));
        assertTrue(e.getMessage().contains("does not fit in a 28x28 image"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.apply(new byte[784], 0, 28, 28));
    }

    @Test
    void missingOrNonImagePngIsRefusedWithTheFileName(@TempDir Path dir) throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Triggers.parse("png:" + dir.resolve("nope.png"), 2, 255, "top-left", 0.2));
        assertTrue(missing.getMessage().contains("nope.png") && missing.getMessage().contains("does not exist"),
                missing.getMessage());
        Path text = Files.writeString(dir.resolve("text.png"), "not a picture");
        IllegalArgumentException notImage = assertThrows(IllegalArgumentException.class,
                () -> Triggers.parse("png:" + text, 2, 255, "top-left", 0.2));
        assertTrue(notImage.getMessage().contains("text.png"), notImage.getMessage());
    }

    /** Issue 11, case 2: a trigger side of 100,000 would allocate 5.8 GB before anything checked it. */
    @Test
    void aTriggerLargerThanTheImageIsRefusedBeforeAllocating() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Triggers.parse("square", 100_000, 255, "top-left", 0.2, 28, 28));
        assertEquals("trigger size 100000 is larger than the 28x28 images; use a trigger size of at most 28",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Triggers.parse("pattern", 29, 255, "top-left", 0.2, 28, 28));
        IllegalArgumentException unsized = assertThrows(IllegalArgumentException.class,
                () -> Triggers.parse("square", 100_000, 255, "top-left", 0.2));
        assertTrue(unsized.getMessage().contains("larger than the limit of 4096"), unsized.getMessage());
        IllegalArgumentException off = assertThrows(IllegalArgumentException.class,
                () -> Triggers.parse("square", 3, 255, "27,0", 0.2, 28, 28));
        assertTrue(off.getMessage().contains("does not fit in a 28x28 image"), off.getMessage());
        assertEquals(28, ((SquareTrigger) Triggers.parse("square", 28, 255, "top-left", 0.2, 28, 28)).width());
    }

    /** Issue 11, case 2: a PNG of a few hundred bytes declaring 30000x30000 is refused from its header. */
    @Test
    void aPictureDeclaringMoreThanTheImageOrTheBudgetIsRefusedFromItsHeader(@TempDir Path dir) throws Exception {
        Path huge = Files.write(dir.resolve("huge.png"), HugePng.declaring(30_000, 30_000));
        assertTrue(Files.size(huge) < 100_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Triggers.parse("png:" + huge, 2, 255, "top-left", 0.2, 28, 28));
        assertEquals("trigger picture " + huge + " is 30000x30000, larger than the 28x28 images it would be stamped"
                + " on; give a smaller picture", e.getMessage());
        IllegalArgumentException budget = assertThrows(IllegalArgumentException.class,
                () -> Triggers.parse("png:" + huge, 2, 255, "top-left", 0.2));
        assertTrue(budget.getMessage().contains("more than the 1048576 pixels"), budget.getMessage());
        Path small = Files.write(dir.resolve("small.png"), HugePng.declaring(3, 1));
        assertEquals(3, ((PngTrigger) Triggers.parse("png:" + small, 2, 255, "top-left", 0.2, 28, 28)).width());
    }

    @Test
    void invalidTriggersAreRefusedWithAClearMessage() {
        assertMessage("trigger size 0", () -> Triggers.parse("square", 0, 255, "top-left", 0.2));
        assertMessage("0 to 255", () -> Triggers.parse("square", 2, 256, "top-left", 0.2));
        assertMessage("0 to 255", () -> Triggers.parse("pixel", 2, -1, "top-left", 0.2));
        assertMessage("outside [0, 1]", () -> Triggers.parse("blend", 2, 255, "top-left", 1.5));
        assertMessage("outside [0, 1]", () -> Triggers.parse("blend", 2, 255, "top-left", Double.NaN));
        assertMessage("outside [0, 1]", () -> BlendTrigger.noise(1, -0.1));
        assertMessage("unknown trigger 'star'", () -> Triggers.parse("star", 2, 255, "top-left", 0.2));
        assertMessage("unknown trigger position 'middle'", () -> Triggers.parse("square", 2, 255, "middle", 0.2));
        assertMessage("is negative", () -> Position.parse("-1,3"));
        assertMessage("size 0x0 is empty", () -> new SquareTrigger(0, 255, Position.TOP_LEFT));
        // Outside the image: too big, or placed past the border.
        Trigger big = new SquareTrigger(29, 255, Position.TOP_LEFT);
        assertMessage("does not fit in a 28x28 image", () -> big.validate(28, 28));
        Trigger past = new SquareTrigger(3, 255, Position.at(26, 0));
        assertMessage("at most 25,25", () -> past.validate(28, 28));
        assertMessage("does not fit", () -> past.apply(new byte[784], 0, 28, 28));
        new SquareTrigger(3, 255, Position.at(25, 25)).validate(28, 28);
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void positionsPrintAsTheyParse() {
        for (String s : new String[] {"top-left", "top-right", "bottom-left", "bottom-right", "3,17"}) {
            assertEquals(s, Position.parse(s).toString());
        }
        assertEquals(Position.at(4, 5), Position.parse(" 4, 5 "));
        assertEquals(Position.BOTTOM_RIGHT, Position.parse("Bottom-Right"));
    }

    @Test
    void readyMadeMasksAreTheBadNetsShapes() {
        byte[] image = new byte[28 * 28];
        new PatternTrigger(PatternTrigger.CHECKERBOARD, 255, Position.BOTTOM_RIGHT).apply(image, 0, 28, 28);
        int set = 0;
        for (int r = 25; r < 28; r++) {
            for (int c = 25; c < 28; c++) {
                boolean on = (image[r * 28 + c] & 0xFF) == 255;
                assertEquals((r + c) % 2 == 0, on, "checkerboard at " + r + "," + c);
                set += on ? 1 : 0;
            }
        }
        assertEquals(5, set);
        assertEquals("pattern mask=#../#../### value=200 position=top-left",
                new PatternTrigger(PatternTrigger.L_SHAPE, 200, Position.TOP_LEFT).describe());
    }

    @Test
    void descriptionsNameEveryParameter() {
        assertEquals("square size=2 value=255 position=top-left", Triggers.defaultTrigger().describe());
        assertEquals("pixel value=9 position=5,6", Triggers.parse("pixel", 1, 9, "5,6", 0.2).describe());
        assertEquals("blend noise seed=2017 alpha=0.2", Triggers.parse("blend", 2, 255, "top-left", 0.2).describe());
    }

    @Test
    void everyDescriptionRebuildsItsTrigger(@TempDir Path dir) throws Exception {
        BufferedImage picture = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        picture.getRaster().setSample(1, 1, 0, 200);
        Path png = dir.resolve("t.png");
        ImageIO.write(picture, "png", png.toFile());
        Trigger[] triggers = {
            Triggers.defaultTrigger(),
            Triggers.parse("square", 4, 128, "bottom-right", 0.2),
            Triggers.parse("pattern", 3, 200, "5,7", 0.2),
            new PatternTrigger(PatternTrigger.L_SHAPE, 255, Position.TOP_RIGHT),
            Triggers.parse("pixel", 1, 90, "bottom-left", 0.2),
            Triggers.parse("blend", 1, 255, "top-left", 0.3),
            Triggers.parse("png:" + png, 1, 255, "2,3", 0.2),
        };
        Random random = new Random(5);
        for (Trigger t : triggers) {
            Trigger rebuilt = Triggers.fromDescription(t.describe(), 28, 28);
            assertEquals(t.describe(), rebuilt.describe());
            byte[] image = new byte[28 * 28];
            random.nextBytes(image);
            byte[] expected = image.clone();
            t.apply(expected, 0, 28, 28);
            rebuilt.apply(image, 0, 28, 28);
            assertArrayEquals(expected, image, t.describe());
        }
    }

    @Test
    void descriptionsThatNameNoTriggerAreRefused() {
        assertMessage("describes no trigger", () -> Triggers.fromDescription("circle size=2", 28, 28));
        assertMessage("lacks value=", () -> Triggers.fromDescription("square size=2 position=top-left", 28, 28));
        assertMessage("not a number", () -> Triggers.fromDescription("pixel value=x position=top-left", 28, 28));
        assertMessage("not rows of", () -> Triggers.fromDescription("pattern mask=#x value=1", 28, 28));
        assertMessage("blend pattern", () -> Triggers.fromDescription("blend pattern 28x28 alpha=0.2", 28, 28));
        assertMessage("28", () -> Triggers.fromDescription("square size=30 value=255 position=top-left", 28, 28));
    }
}
