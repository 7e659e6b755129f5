package dev.badnets.examples.cli;

import dev.badnets.mnist.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** {@code sweep.png}: clean accuracy and attack success rate against the number of poisoned images. */
final class SweepChart {

    /** One trained model of the sweep. */
    record Point(int poisonCount, double cleanAccuracy, double attackSuccessRate,
                 double attackSuccessRateAllImages, double trainSeconds) {}

    static final int WIDTH = 960;
    static final int HEIGHT = 600;

    private SweepChart() {
    }

    static JFreeChart chart(List<Point> points, int trainImages, String subtitle) {
        XYSeries clean = new XYSeries("clean accuracy");
        XYSeries asr = new XYSeries("attack success rate (non-target images)");
        for (Point p : points) {
            clean.add(p.poisonCount(), 100 * p.cleanAccuracy());
            asr.add(p.poisonCount(), 100 * p.attackSuccessRate());
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(clean);
        data.addSeries(asr);

        JFreeChart chart = ChartFactory.createXYLineChart(
                String.format(java.util.Locale.ROOT, "How little poison is enough? (%,d training images)", trainImages),
                "poisoned training images", "percent of test images", data,
                PlotOrientation.VERTICAL, true, false, false);
        chart.addSubtitle(new org.jfree.chart.title.TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 13)));
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, new Color(0x1F, 0x77, 0xB4));
        renderer.setSeriesPaint(1, new Color(0xD6, 0x27, 0x28));
        renderer.setSeriesStroke(0, new BasicStroke(2.5f));
        renderer.setSeriesStroke(1, new BasicStroke(2.5f));
        plot.setRenderer(renderer);
        NumberAxis range = (NumberAxis) plot.getRangeAxis();
        range.setRange(0, 100.5);
        range.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(10));
        NumberAxis domain = (NumberAxis) plot.getDomainAxis();
        domain.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        return chart;
    }

    static void write(JFreeChart chart, Path file) throws IOException {
        AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT));
    }
}
