package dev.badnets.cli.sweep;

import dev.badnets.attack.experiment.GridCsv;
import dev.badnets.attack.experiment.ResultCells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Shape;
import java.awt.geom.PathIterator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.util.ShapeUtils;
import org.junit.jupiter.api.Test;

/** sweep.png: each line is drawn with the marker its legend entry shows, in both panels. */
public class SweepChartTest {

    /** A grid of poison counts x trigger sizes x 2 seeds: two lines (one per trigger size) in each panel. */
    private static List<Map<String, String>> rows() {
        List<Map<String, String>> rows = new ArrayList<>();
        for (String poison : List.of("0", "50", "100")) {
            for (String size : List.of("2", "3")) {
                for (String seed : List.of("1", "2")) {
                    Map<String, String> row = new LinkedHashMap<>();
                    row.put("poison_count", poison);
                    row.put("trigger_size", size);
                    row.put("seed", seed);
                    row.put("clean_accuracy", "0.9" + seed + size);
                    row.put("attack_success_rate", "0." + poison.charAt(0) + size);
                    row.put("attack_success_rate_all_images", "0.1");
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** A shape as its outline's corners, e.g. [(-3,-3) (3,-3) (3,3) (-3,3)] for the square. */
    private static String describe(Shape shape) {
        StringBuilder corners = new StringBuilder("[");
        double[] point = new double[6];
        for (PathIterator path = shape.getPathIterator(null); !path.isDone(); path.next()) {
            if (path.currentSegment(point) != PathIterator.SEG_CLOSE) {
                corners.append(corners.length() == 1 ? "" : " ")
                        .append(String.format(Locale.ROOT, "(%.0f,%.0f)", point[0], point[1]));
            }
        }
        return corners.append(']').toString();
    }

    @Test
    void bothPanelsDrawEachLineWithItsLegendMarker() {
        List<String> header = GridCsv.header(List.of(SweepAxis.POISON_COUNT, SweepAxis.TRIGGER_SIZE,
                SweepAxis.SEED), ResultCells.figures(false));
        JFreeChart chart = SweepChart.chart(header, rows());
        // JFreeChart hands out markers as it draws: draw first, then look at what each series got
        chart.createBufferedImage(SweepChart.WIDTH, SweepChart.HEIGHT);

        CombinedDomainXYPlot plot = (CombinedDomainXYPlot) chart.getPlot();
        List<XYPlot> panels = plot.getSubplots();
        assertEquals(2, panels.size());
        LegendItemCollection legend = plot.getLegendItems();
        assertEquals(2, legend.getItemCount(), "one legend entry per line, listed once");
        for (int series = 0; series < legend.getItemCount(); series++) {
            LegendItem item = legend.get(series);
            assertTrue(item.isShapeVisible(), "the legend shows the marker of " + item.getLabel());
            for (XYPlot panel : panels) {
                assertEquals(item.getLabel(), panel.getDataset().getSeriesKey(series));
                Shape drawn = panel.getRenderer().getSeriesShape(series);
                assertNotNull(drawn, "series " + series + " has a marker of its own in " + panel.getRangeAxis().getLabel());
                assertTrue(ShapeUtils.equal(item.getShape(), drawn), "the marker of '" + item.getLabel() + "' in the "
                        + panel.getRangeAxis().getLabel() + " panel is " + describe(drawn)
                        + ", its legend shows " + describe(item.getShape()));
            }
        }
    }
}
