package dev.badnets.cli.demo;

import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Trigger;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * {@code backdoor.png}: for one test image per class, the clean image and the triggered image side
 * by side, upscaled with nearest-neighbour so pixels stay visible, the trigger outlined, and under
 * each the true label and the model's prediction (red when the trigger flipped it to the backdoor's
 * class). After {@code --defend}, a third image per class: the triggered image as the repaired
 * (retrained) model classifies it.
 */
public final class BackdoorPicture {

    /**
     * One test image, before and after the trigger, and what the model said about each;
     * {@code repairedPrediction} is the repaired model's answer on the triggered image, or -1 when
     * there was no defense.
     */
    record Example(byte[] clean, byte[] triggered, int label, int cleanPrediction, int triggeredPrediction,
                   boolean flipped, int repairedPrediction, boolean repairedFlipped, byte[] difference) {

        Example(byte[] clean, byte[] triggered, int label, int cleanPrediction, int triggeredPrediction,
                boolean flipped, int repairedPrediction, boolean repairedFlipped) {
            this(clean, triggered, label, cleanPrediction, triggeredPrediction, flipped, repairedPrediction,
                    repairedFlipped, null);
        }

        boolean repaired() {
            return repairedPrediction >= 0;
        }

        /** Whether the amplified difference between the triggered and the clean image is drawn too. */
        boolean differs() {
            return difference != null;
        }
    }

    public static final int SCALE = 6;
    static final int PAIRS_PER_ROW = 5;

    private static final int MARGIN = 24;
    private static final int GAP = 8;          // between the clean and the triggered image of a pair
    private static final int TITLE = 78;
    private static final int HEADER = 20;      // "clean" / "triggered" above each image
    private static final int CAPTION = 46;     // label and prediction under each image
    private static final Color OUTLINE = new Color(0xFF, 0x9F, 0x00);
    private static final Color FLIPPED = new Color(0xD0, 0x10, 0x10);
    private static final Color TEXT = new Color(0x20, 0x20, 0x20);
    private static final Color MUTED = new Color(0x70, 0x70, 0x70);

    private BackdoorPicture() {
    }

    /**
     * Width in pixels of the picture for {@code count} examples of {@code rows} x {@code cols}
     * images, with a third image per example when {@code repaired}.
     */
    public static int width(int count, int rows, int cols, boolean repaired) {
        return width(count, cols, (repaired ? 3 : 2));
    }

    private static int width(int count, int cols, int images) {
        int perRow = Math.min(count, PAIRS_PER_ROW);
        return MARGIN + perRow * (cellWidth(cols, images) + MARGIN);
    }

    /** Height in pixels of the picture for {@code count} examples of {@code rows} x {@code cols} images. */
    static int height(int count, int rows, int cols) {
        int gridRows = (count + PAIRS_PER_ROW - 1) / PAIRS_PER_ROW;
        return TITLE + gridRows * cellHeight(rows) + MARGIN / 2;
    }

    private static int cellWidth(int cols, int images) {
        return images * cols * SCALE + (images - 1) * GAP;
    }

    /** Images drawn per example: clean, triggered, and the repaired model's and the difference when present. */
    private static int images(Example e) {
        return 2 + (e.repaired() ? 1 : 0) + (e.differs() ? 1 : 0);
    }

    /**
     * Whether a trigger may touch every pixel (a blend, a sinusoid, a warp): there is no patch to
     * outline, so the picture shows the difference it makes, amplified.
     */
    public static boolean invisible(Trigger trigger, int rows, int cols) {
        for (boolean touched : trigger.mask(rows, cols)) {
            if (!touched) {
                return false;
            }
        }
        return true;
    }

    private static int cellHeight(int rows) {
        return HEADER + rows * SCALE + CAPTION + MARGIN / 2;
    }

    /**
     * The first test image of each class, clean and triggered, and the model's answers; with
     * {@code repaired} (the retrained model's report after a defense, else null) also its answer on
     * the triggered image.
     */
    public static BufferedImage of(LabeledImages test, Trigger trigger, BackdoorReport report, BackdoorReport repaired,
                            int classes) {
        return of(test, trigger, report, repaired, classes, false);
    }

    /**
     * As {@link #of(LabeledImages, Trigger, BackdoorReport, BackdoorReport, int)}; with {@code difference}
     * each example also shows |triggered - clean|, scaled so that the largest difference in the picture is
     * white (for triggers too faint to see).
     */
    public static BufferedImage of(LabeledImages test, Trigger trigger, BackdoorReport report,
                                   BackdoorReport repaired, int classes, boolean difference) {
        int size = test.pixelsPerImage();
        List<Example> examples = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < test.count(); i++) {
                if (test.label(i) == c) {
                    byte[] clean = Arrays.copyOfRange(test.pixels(), i * size, (i + 1) * size);
                    byte[] triggered = clean.clone();
                    trigger.apply(triggered, 0, test.rows(), test.cols());
                    int answer = report.triggeredPredictions()[i];
                    int repairedAnswer = repaired == null ? -1 : repaired.triggeredPredictions()[i];
                    examples.add(new Example(clean, triggered, c, report.cleanPredictions()[i], answer,
                            flipped(report, c, answer, classes), repairedAnswer,
                            repaired != null && flipped(repaired, c, repairedAnswer, classes)));
                    break;
                }
            }
        }
        if (difference) {
            examples = amplifiedDifferences(examples);
        }
        String targetText = report.mode() == PoisonPlan.Mode.ALL_TO_ONE ? "the target class " + report.target()
                : "the next class (all-to-all)";
        return render(examples, test.rows(), test.cols(), trigger.bounds(test.rows(), test.cols()), targetText,
                trigger.describe());
    }

    /** The examples with |triggered - clean| of each, all scaled by one gain so the largest is 255. */
    private static List<Example> amplifiedDifferences(List<Example> examples) {
        int largest = 1;
        for (Example e : examples) {
            for (int p = 0; p < e.clean().length; p++) {
                largest = Math.max(largest, Math.abs((e.triggered()[p] & 0xFF) - (e.clean()[p] & 0xFF)));
            }
        }
        List<Example> out = new ArrayList<>();
        for (Example e : examples) {
            byte[] d = new byte[e.clean().length];
            for (int p = 0; p < d.length; p++) {
                d[p] = (byte) (255 * Math.abs((e.triggered()[p] & 0xFF) - (e.clean()[p] & 0xFF)) / largest);
            }
            out.add(new Example(e.clean(), e.triggered(), e.label(), e.cleanPrediction(), e.triggeredPrediction(),
                    e.flipped(), e.repairedPrediction(), e.repairedFlipped(), d));
        }
        return out;
    }

    /** Whether the trigger sent an image of class {@code label} to the backdoor's class, which is not its own. */
    private static boolean flipped(BackdoorReport report, int label, int answer, int classes) {
        int backdoor = report.mode().relabel(label, report.target(), classes);
        return answer == backdoor && label != backdoor;
    }

    /** Draws the picture; {@code bounds} is the trigger's rectangle in image pixels. */
    static BufferedImage render(List<Example> examples, int rows, int cols, Trigger.Box bounds,
                                String targetText, String triggerText) {
        boolean repaired = !examples.isEmpty() && examples.get(0).repaired();
        int images = examples.isEmpty() ? 2 : images(examples.get(0));
        int w = width(examples.size(), cols, images);
        int h = height(examples.size(), rows, cols);
        BufferedImage picture = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(picture);
        try {
            g.setColor(TEXT);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
            g.drawString(repaired
                    ? "BadNets backdoor: each test digit clean, with the trigger, and with the trigger after the defense"
                    : images == 3 ? "Backdoor: each test digit clean (left), with the trigger (middle), and the difference "
                    + "amplified (right)"
                    : "BadNets backdoor: each test digit clean (left) and with the trigger (right)", MARGIN, 32);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
            g.setColor(MUTED);
            g.drawString("trigger: " + triggerText + " (outlined in orange).  Predictions in red: the trigger "
                    + "flipped the model's answer to " + targetText + "."
                    + (repaired ? "  \"repaired\": the model after the defense." : ""),
                    MARGIN, 60);

            for (int i = 0; i < examples.size(); i++) {
                int x = MARGIN + (i % PAIRS_PER_ROW) * (cellWidth(cols, images) + MARGIN);
                int y = TITLE + (i / PAIRS_PER_ROW) * cellHeight(rows);
                drawPair(g, examples.get(i), x, y, rows, cols, bounds);
            }
        } finally {
            g.dispose();
        }
        return picture;
    }

    /** Graphics on {@code picture}, cleared to white, with antialiased text and shapes; the caller disposes it. */
    public static Graphics2D canvas(BufferedImage picture) {
        Graphics2D g = picture.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, picture.getWidth(), picture.getHeight());
        return g;
    }

    private static void drawPair(Graphics2D g, Example e, int x, int y, int rows, int cols,
                                 Trigger.Box bounds) {
        int side = cols * SCALE;
        int xTriggered = x + side + GAP;
        int yImage = y + HEADER;

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        g.setColor(MUTED);
        drawCentred(g, "clean", x, side, y + 14);
        drawCentred(g, "triggered", xTriggered, side, y + 14);

        g.drawImage(upscale(e.clean(), rows, cols), x, yImage, null);
        g.drawImage(upscale(e.triggered(), rows, cols), xTriggered, yImage, null);

        outline(g, bounds, xTriggered, yImage);

        int yText = yImage + rows * SCALE + 20;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.setColor(TEXT);
        drawCentred(g, "true " + e.label(), x, side, yText);
        drawCentred(g, "true " + e.label(), xTriggered, side, yText);
        boolean cleanWrong = e.cleanPrediction() != e.label();
        g.setColor(cleanWrong ? MUTED : TEXT);
        drawCentred(g, "model says " + e.cleanPrediction(), x, side, yText + 20);
        g.setColor(e.flipped() ? FLIPPED : TEXT);
        drawCentred(g, "model says " + e.triggeredPrediction(), xTriggered, side, yText + 20);

        if (e.repaired()) {
            int xRepaired = xTriggered + side + GAP;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.setColor(MUTED);
            drawCentred(g, "after defense", xRepaired, side, y + 14);
            g.drawImage(upscale(e.triggered(), rows, cols), xRepaired, yImage, null);
            outline(g, bounds, xRepaired, yImage);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.setColor(TEXT);
            drawCentred(g, "true " + e.label(), xRepaired, side, yText);
            g.setColor(e.repairedFlipped() ? FLIPPED : TEXT);
            drawCentred(g, "repaired says " + e.repairedPrediction(), xRepaired, side, yText + 20);
        }
        if (e.differs()) {
            int xDifference = xTriggered + (e.repaired() ? 2 : 1) * (side + GAP);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.setColor(MUTED);
            drawCentred(g, "difference, amplified", xDifference, side, y + 14);
            g.drawImage(upscale(e.difference(), rows, cols), xDifference, yImage, null);
        }
    }

    /** Outlines the trigger just outside its pixels, so the outline never hides them. */
    private static void outline(Graphics2D g, Trigger.Box bounds, int xImage, int yImage) {
        if (bounds.width() > 0 && bounds.height() > 0) {
            g.setColor(OUTLINE);
            g.setStroke(new BasicStroke(3f));
            g.drawRect(xImage + bounds.x() * SCALE - 2, yImage + bounds.y() * SCALE - 2,
                    bounds.width() * SCALE + 3, bounds.height() * SCALE + 3);
        }
    }

    public static void drawCentred(Graphics2D g, String text, int x, int width, int baseline) {
        FontMetrics metrics = g.getFontMetrics();
        g.drawString(text, x + (width - metrics.stringWidth(text)) / 2, baseline);
    }

    /** Grey pixels, each repeated SCALE x SCALE times (nearest neighbour: no blur between pixels). */
    public static BufferedImage upscale(byte[] pixels, int rows, int cols) {
        BufferedImage image = new BufferedImage(cols * SCALE, rows * SCALE, BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < rows * SCALE; r++) {
            for (int c = 0; c < cols * SCALE; c++) {
                int v = pixels[(r / SCALE) * cols + c / SCALE] & 0xFF;
                image.setRGB(c, r, (v << 16) | (v << 8) | v);
            }
        }
        return image;
    }

    /** Writes the picture as PNG, whole or not at all. */
    public static void write(BufferedImage picture, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(picture, "png", out)) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        });
    }
}
