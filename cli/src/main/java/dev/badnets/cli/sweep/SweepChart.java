package dev.badnets.cli.sweep;

import dev.badnets.attack.experiment.ResultCells;

import dev.badnets.mnist.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * {@code sweep.png}, drawn from the CSV's rows alone (so a merge draws what the unsharded sweep
 * would): attack success rate above, clean accuracy below, against the grid's first numeric axis;
 * one line per value of the other varied axes; each line the mean over seeds, in a band from the
 * lowest to the highest seed. Rows that defended show the figures after the defense.
 */
public final class SweepChart {

    public static final int WIDTH = 960;
    public static final int HEIGHT = 720;

    private static final Color[] COLORS = {new Color(0xD6, 0x27, 0x28), new Color(0x1F, 0x77, 0xB4),
        new Color(0x2C, 0xA0, 0x2C), new Color(0xFF, 0x7F, 0x0E), new Color(0x94, 0x67, 0xBD),
        new Color(0x8C, 0x56, 0x4B), new Color(0xE3, 0x77, 0xC2), new Color(0x7F, 0x7F, 0x7F)};
    /**
     * Line s's marker in both panels. Left to JFreeChart, the two panels draw from one shared list in
     * drawing order, so the lower panel got the markers after the upper one's, unlike the legend.
     */
    private static final Shape[] SHAPES = DefaultDrawingSupplier.createStandardSeriesShapes();

    private SweepChart() {
    }

    /** The axis the chart puts across: the first numeric one that varies, else the first numeric one. */
    static SweepAxis xAxis(List<SweepAxis> axes, List<Map<String, String>> rows) {
        SweepAxis first = null;
        for (SweepAxis a : axes) {
            if (a.numeric() && a != SweepAxis.SEED) {
                if (first == null) {
                    first = a;
                }
                if (rows.stream().map(r -> r.get(a.column())).distinct().count() > 1) {
                    return a;
                }
            }
        }
        return first != null ? first : SweepAxis.SEED;
    }

    /** The chart of a sweep CSV's rows; {@code header} names its columns. */
    static JFreeChart chart(List<String> header, List<Map<String, String>> rows) {
        List<SweepAxis> axes = new ArrayList<>();
        header.forEach(c -> {
            SweepAxis a = SweepAxis.ofColumn(c);
            if (a != null) {
                axes.add(a);
            }
        });
        SweepAxis x = xAxis(axes, rows);
        // one line per combination of the other varied axes; seeds are what the band spans
        List<SweepAxis> lineAxes = axes.stream().filter(a -> a != x && a != SweepAxis.SEED
                && rows.stream().map(r -> r.get(a.column())).distinct().count() > 1).toList();
        Map<String, Map<Double, List<double[]>>> lines = new LinkedHashMap<>();
        for (Map<String, String> row : rows) {
            StringBuilder label = new StringBuilder();
            lineAxes.forEach(a -> label.append(label.length() == 0 ? "" : ", ").append(a.column()).append(' ')
                    .append(row.get(a.column())));
            boolean defended = !row.getOrDefault(ResultCells.DEFENSE.get(0), "").isEmpty();
            double asr = Double.parseDouble(row.get(defended ? "attack_success_rate_after" : "attack_success_rate"));
            double clean = Double.parseDouble(row.get(defended ? "clean_accuracy_after" : "clean_accuracy"));
            lines.computeIfAbsent(label.toString(), k -> new TreeMap<>())
                    .computeIfAbsent(Double.parseDouble(row.get(x.column())), k -> new ArrayList<>())
                    .add(new double[] {100 * asr, 100 * clean});
        }
        YIntervalSeriesCollection asrData = new YIntervalSeriesCollection();
        YIntervalSeriesCollection cleanData = new YIntervalSeriesCollection();
        int seeds = 1;
        for (Map.Entry<String, Map<Double, List<double[]>>> line : lines.entrySet()) {
            String name = line.getKey();
            YIntervalSeries asr = new YIntervalSeries(name.isEmpty() ? "attack success rate" : name);
            YIntervalSeries clean = new YIntervalSeries(name.isEmpty() ? "clean accuracy" : name);
            for (Map.Entry<Double, List<double[]>> at : line.getValue().entrySet()) {
                seeds = Math.max(seeds, at.getValue().size());
                add(asr, at.getKey(), at.getValue(), 0);
                add(clean, at.getKey(), at.getValue(), 1);
            }
            asrData.addSeries(asr);
            cleanData.addSeries(clean);
        }

        NumberAxis across = new NumberAxis(x.column().replace('_', ' '));
        if (x != SweepAxis.POISON_RATE) {
            across.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        }
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(across);
        plot.setGap(12);
        NumberAxis asrAxis = new NumberAxis("attack success rate (%)");
        asrAxis.setRange(0, 100.5);
        asrAxis.setTickUnit(new NumberTickUnit(10));
        NumberAxis cleanAxis = new NumberAxis("clean accuracy (%)");
        cleanAxis.setAutoRangeIncludesZero(false);
        cleanAxis.setAutoRangeMinimumSize(2); // a spread of 0.1 points is not drawn as a cliff
        cleanAxis.setUpperMargin(0.15);
        cleanAxis.setLowerMargin(0.15);
        plot.add(subplot(asrData, asrAxis, lines.size() > 1), 3);
        plot.add(subplot(cleanData, cleanAxis, lines.size() > 1), 2);

        String title = "Attack success rate and clean accuracy against " + x.column().replace('_', ' ');
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 18), plot, lines.size() > 1);
        String detail = String.format(Locale.ROOT, "%d runs; %s", rows.size(), seeds > 1
                ? "lines: the mean over " + seeds + " seeds, bands: lowest to highest seed" : "one seed per point")
                + (header.contains(ResultCells.DEFENSE.get(0)) ? "; defended runs: the figures after the defense" : "");
        chart.addSubtitle(new TextTitle(detail, new Font(Font.SANS_SERIF, Font.PLAIN, 13)));
        chart.setBackgroundPaint(Color.WHITE);
        if (chart.getLegend() != null) {
            chart.getLegend().setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        }
        return chart;
    }

    /** Mean, lowest and highest of column {@code metric} of the runs at one x (one per seed). */
    private static void add(YIntervalSeries series, double x, List<double[]> runs, int metric) {
        double sum = 0;
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (double[] run : runs) {
            sum += run[metric];
            low = Math.min(low, run[metric]);
            high = Math.max(high, run[metric]);
        }
        series.add(x, sum / runs.size(), low, high);
    }

    private static XYPlot subplot(YIntervalSeriesCollection data, NumberAxis range, boolean legendOnce) {
        DeviationRenderer renderer = new DeviationRenderer(true, true);
        renderer.setAlpha(0.2f);
        for (int s = 0; s < data.getSeriesCount(); s++) {
            Color color = data.getSeriesCount() == 1 && range.getLabel().startsWith("clean")
                    ? COLORS[1] : COLORS[s % COLORS.length];
            renderer.setSeriesPaint(s, color);
            renderer.setSeriesFillPaint(s, color);
            renderer.setSeriesShape(s, SHAPES[s % SHAPES.length]);
            renderer.setSeriesStroke(s, new BasicStroke(2.5f));
            // the same lines appear in both plots: the legend lists them once
            renderer.setSeriesVisibleInLegend(s, !legendOnce || range.getLabel().startsWith("attack"));
        }
        XYPlot plot = new XYPlot(data, null, range, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }

    static void write(JFreeChart chart, Path file) throws IOException {
        AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT));
    }
}
