package dev.badnets.cli.matrix;

import dev.badnets.attack.experiment.MatrixCsv;
import dev.badnets.mnist.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * {@code matrix.png}: two heatmaps side by side, attack success rate and clean accuracy, a row per
 * defense and a column per attack, each cell the mean over seeds written in it (in percent) and
 * coloured from green (good for the defender: low ASR, high C-Acc) to red; a cell with a failed seed
 * is grey and says {@code failed}. Drawn from the rows alone, so a merge of shards draws what the
 * unsharded run would.
 */
final class MatrixChart {

    static final String FILE = "matrix.png";
    private static final int CELL_W = 110;
    private static final int CELL_H = 30;
    private static final int LABEL_W = 170;
    private static final int TOP = 70;
    private static final int GAP = 40;

    private MatrixChart() {
    }

    /** Draws the heatmaps of {@code rows} and writes them to {@code file}, whole or not at all. */
    static void write(List<MatrixCsv.Row> rows, Path file) throws IOException {
        Set<String> attacks = new LinkedHashSet<>(), defenses = new LinkedHashSet<>();
        rows.forEach(r -> {
            attacks.add(r.attack());
            defenses.add(r.defense());
        });
        int panelW = LABEL_W + CELL_W * attacks.size();
        int width = 2 * panelW + GAP + 20, height = TOP + CELL_H * defenses.size() + 30;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            panel(g, 10, "attack success rate (%, lower is better)", rows, attacks, defenses,
                    r -> r.metrics().attackSuccessRate(), true);
            panel(g, 10 + panelW + GAP, "clean accuracy (%, higher is better)", rows, attacks, defenses,
                    r -> r.metrics().cleanAccuracy(), false);
        } finally {
            g.dispose();
        }
        AtomicFiles.write(file, out -> ImageIO.write(image, "png", out));
    }

    private static void panel(Graphics2D g, int left, String title, List<MatrixCsv.Row> rows, Set<String> attacks,
                              Set<String> defenses, ToDoubleFunction<MatrixCsv.Row> figure, boolean lowIsGood) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int x = left + LABEL_W;
        for (String attack : attacks) {
            g.drawString(attack, x + 6, TOP - 10);
            x += CELL_W;
        }
        int y = TOP;
        for (String defense : defenses) {
            g.setColor(Color.BLACK);
            g.drawString(defense, left, y + CELL_H / 2 + 5);
            x = left + LABEL_W;
            for (String attack : attacks) {
                List<MatrixCsv.Row> cell = rows.stream()
                        .filter(r -> r.attack().equals(attack) && r.defense().equals(defense)).toList();
                boolean failed = cell.stream().anyMatch(MatrixCsv.Row::failed);
                double mean = failed ? Double.NaN : cell.stream().mapToDouble(figure).average().orElse(Double.NaN);
                if (failed) {
                    g.setColor(Color.LIGHT_GRAY);
                    g.fillRect(x, y, CELL_W - 2, CELL_H - 2);
                    g.setColor(Color.BLACK);
                    FontMetrics m = g.getFontMetrics();
                    g.drawString("failed", x + (CELL_W - m.stringWidth("failed")) / 2, y + CELL_H / 2 + 5);
                } else if (!Double.isNaN(mean)) {
                    double good = lowIsGood ? 1 - mean : mean;
                    g.setColor(shade(good));
                    g.fillRect(x, y, CELL_W - 2, CELL_H - 2);
                    g.setColor(Color.BLACK);
                    String text = String.format(Locale.ROOT, "%.2f", 100 * mean);
                    FontMetrics m = g.getFontMetrics();
                    g.drawString(text, x + (CELL_W - m.stringWidth(text)) / 2, y + CELL_H / 2 + 5);
                }
                x += CELL_W;
            }
            y += CELL_H;
        }
    }

    /**
     * Red for bad, through yellow, to green for good, on a log scale of the distance from perfect
     * (the figures of a working defense live near 0 or 1): 100% off is red, 10% a red-orange, 1%
     * yellow-green, 0.1% or less green.
     */
    static Color shade(double good) {
        double bad = Math.max(0.001, Math.min(1, 1 - good));
        double t = -Math.log10(bad) / 3; // 0 (bad = 1) .. 1 (bad <= 0.001)
        int r = (int) Math.round(t < 0.5 ? 235 : 235 - (t - 0.5) * 2 * 135);
        int green = (int) Math.round(t < 0.5 ? 90 + t * 2 * 135 : 225);
        return new Color(r, green, 100);
    }
}
