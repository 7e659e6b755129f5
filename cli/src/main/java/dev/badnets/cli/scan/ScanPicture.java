package dev.badnets.cli.scan;

import dev.badnets.cli.demo.BackdoorPicture;

import dev.badnets.attack.defense.BackdoorScan;
import dev.badnets.attack.defense.NeuralCleanse;
import dev.badnets.attack.defense.RecoveredTrigger;
import dev.badnets.attack.defense.ScanResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * {@code scan.png}: for every class the trigger Neural Cleanse recovered, as two enlarged images
 * side by side: the mask {@code m} (white where the trigger replaces the pixel) and
 * {@code m × pattern} (what the trigger paints), with the mask's L1 norm, the trigger's attack
 * success and the class's anomaly index under them. A flagged class is framed in red.
 */
public final class ScanPicture {

    private static final int SCALE = BackdoorPicture.SCALE;
    private static final int PER_ROW = 5;
    private static final int MARGIN = 24;
    private static final int GAP = 8;
    private static final int TITLE = 84;
    private static final int HEADER = 44;      // class name and image labels above each pair
    private static final int CAPTION = 48;     // figures under each pair
    private static final Color FLAGGED = new Color(0xD0, 0x10, 0x10);
    private static final Color TEXT = new Color(0x20, 0x20, 0x20);
    private static final Color MUTED = new Color(0x70, 0x70, 0x70);

    private ScanPicture() {
    }

    static BufferedImage of(BackdoorScan.Result result, int rows, int cols) {
        ScanResult scan = result.neuralCleanse();
        int count = scan.triggers().size();
        int cellW = 2 * cols * SCALE + GAP, cellH = HEADER + rows * SCALE + CAPTION;
        int w = MARGIN + Math.min(count, PER_ROW) * (cellW + MARGIN);
        int h = TITLE + ((count + PER_ROW - 1) / PER_ROW) * (cellH + MARGIN);
        BufferedImage picture = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = BackdoorPicture.canvas(picture);
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
            g.setColor(result.flagged().length > 0 ? FLAGGED : TEXT);
            g.drawString("Neural Cleanse and MM-BD: " + ScanCommand.verdict(result), MARGIN, 32);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
            g.setColor(MUTED);
            g.drawString("For each class, the smallest trigger that sends clean images there: its mask (white = "
                    + "pixel replaced) and mask x pattern (what it paints).", MARGIN, 56);
            g.drawString(String.format(Locale.ROOT, "A backdoor's target needs far fewer pixels than the other "
                    + "classes (anomaly index > %.0f on log mask sizes); flagged classes in red.",
                    NeuralCleanse.ANOMALY_THRESHOLD), MARGIN, 76);
            for (int i = 0; i < count; i++) {
                int x = MARGIN + (i % PER_ROW) * (cellW + MARGIN);
                int y = TITLE + (i / PER_ROW) * (cellH + MARGIN);
                drawClass(g, result, scan.triggers().get(i), x, y, rows, cols, cellW, cellH);
            }
        } finally {
            g.dispose();
        }
        return picture;
    }

    private static void drawClass(Graphics2D g, BackdoorScan.Result result, RecoveredTrigger t, int x, int y,
                                  int rows, int cols, int cellW, int cellH) {
        ScanResult scan = result.neuralCleanse();
        boolean flagged = result.isFlagged(t.label());
        int side = cols * SCALE;
        int xPainted = x + side + GAP;
        int yImage = y + HEADER;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.setColor(flagged ? FLAGGED : TEXT);
        BackdoorPicture.drawCentred(g, "class " + t.label() + (flagged ? ": backdoor target" : ""), x, cellW, y + 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        g.setColor(MUTED);
        BackdoorPicture.drawCentred(g, "mask", x, side, y + 38);
        BackdoorPicture.drawCentred(g, "mask x pattern", xPainted, side, y + 38);

        byte[] mask = new byte[t.mask().length], painted = new byte[t.mask().length];
        for (int j = 0; j < mask.length; j++) {
            mask[j] = (byte) Math.round(255 * t.mask()[j]);
            painted[j] = (byte) Math.round(255 * t.mask()[j] * t.pattern()[j]);
        }
        g.drawImage(BackdoorPicture.upscale(mask, rows, cols), x, yImage, null);
        g.drawImage(BackdoorPicture.upscale(painted, rows, cols), xPainted, yImage, null);

        int yText = yImage + rows * SCALE + 20;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        g.setColor(flagged ? FLAGGED : TEXT);
        BackdoorPicture.drawCentred(g, String.format(Locale.ROOT, "mask L1 %.1f   anomaly index %.2f", t.maskL1(),
                scan.anomalyIndices()[t.label()]), x, cellW, yText);
        BackdoorPicture.drawCentred(g, String.format(Locale.ROOT, "sends %.1f%% here   MM-BD margin %.1f",
                100 * t.attackSuccess(), result.maxMargin().margins()[t.label()]), x, cellW, yText + 20);
        if (flagged) {
            g.setColor(FLAGGED);
            g.setStroke(new BasicStroke(4f));
            g.drawRect(x - 8, y - 4, cellW + 16, cellH + 8);
        }
    }
}
