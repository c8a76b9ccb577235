package io.timesformer4j.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import io.timesformer4j.runtime.AtomicFiles;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG charts of a run (jfreechart, headless): loss and accuracy curves, and a confusion-matrix heatmap. */
public final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {}

    /** Draws train/val loss and train/val accuracy per epoch. */
    public static void trainingCurves(List<EpochMetrics> history, Path lossPng, Path accuracyPng) throws IOException {
        XYSeriesCollection loss = new XYSeriesCollection();
        loss.addSeries(series("train loss", history, EpochMetrics::trainLoss));
        loss.addSeries(series("val loss", history, EpochMetrics::valLoss));
        save(lineChart("Loss", "cross-entropy", loss, false), lossPng);
        XYSeriesCollection acc = new XYSeriesCollection();
        acc.addSeries(series("train accuracy", history, EpochMetrics::trainAcc));
        acc.addSeries(series("val accuracy", history, EpochMetrics::valAcc));
        save(lineChart("Accuracy", "accuracy", acc, true), accuracyPng);
    }

    /** One curve over epochs ({@code epochs[i]}, {@code values[i]}; NaN values left out), e.g. the pretraining loss. */
    public static void curve(String title, String yLabel, String series, int[] epochs, double[] values, Path png)
            throws IOException {
        XYSeries s = new XYSeries(series);
        for (int i = 0; i < epochs.length; i++) if (!Double.isNaN(values[i])) s.add(epochs[i], values[i]);
        save(lineChart(title, yLabel, new XYSeriesCollection(s), false), png);
    }

    /** Draws {@code confusion[true][predicted]} as a heatmap with class names and counts, rows normalised. */
    public static void confusion(int[][] confusion, List<String> classes, Path png) throws IOException {
        int k = classes.size();
        int cell = k <= 10 ? 56 : k <= 30 ? 28 : Math.max(4, 900 / Math.max(1, k));
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(8, Math.min(13, cell / 3)));
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        int label = 10;
        for (String c : classes) label = Math.max(label, fm.stringWidth(c));
        pg.dispose();
        label = Math.min(label, 220) + 12;
        int top = label + 30, left = label + 30;
        int w = left + k * cell + 20, h = top + k * cell + 40;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(font);
        g.setColor(Color.BLACK);
        g.drawString("predicted →", left, 16);
        g.drawString("true ↓", 4, top - 6);
        for (int i = 0; i < k; i++) {
            int rowSum = 0;
            for (int j = 0; j < k; j++) rowSum += confusion[i][j];
            for (int j = 0; j < k; j++) {
                double f = rowSum == 0 ? 0 : (double) confusion[i][j] / rowSum;
                int v = (int) Math.round(255 * (1 - f));
                g.setColor(new Color(v, v, 255));
                g.fillRect(left + j * cell, top + i * cell, cell, cell);
                if (cell >= 20 && confusion[i][j] > 0) {
                    g.setColor(f > 0.5 ? Color.WHITE : Color.BLACK);
                    String s = Integer.toString(confusion[i][j]);
                    g.drawString(s, left + j * cell + (cell - fm.stringWidth(s)) / 2, top + i * cell + cell / 2 + fm.getAscent() / 2 - 2);
                }
            }
            g.setColor(Color.BLACK);
            String name = classes.get(i);
            g.drawString(name, left - 6 - fm.stringWidth(name), top + i * cell + cell / 2 + fm.getAscent() / 2 - 2);
            Graphics2D gr = (Graphics2D) g.create();
            gr.translate(left + i * cell + cell / 2 + fm.getAscent() / 2 - 2, top - 6);
            gr.rotate(-Math.PI / 2);
            gr.drawString(name, 0, 0);
            gr.dispose();
        }
        g.setColor(Color.GRAY);
        g.drawRect(left, top, k * cell, k * cell);
        g.dispose();
        AtomicFiles.write(png, ch -> ImageIO.write(img, "png", Channels.newOutputStream(ch)));
    }

    private static XYSeries series(String name, List<EpochMetrics> history, ToDoubleFunction<EpochMetrics> f) {
        XYSeries s = new XYSeries(name);
        for (EpochMetrics m : history) {
            double v = f.applyAsDouble(m);
            if (!Double.isNaN(v)) s.add(m.epoch(), v);
        }
        return s;
    }

    private static JFreeChart lineChart(String title, String yLabel, XYSeriesCollection data, boolean unitRange) {
        JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setSeriesStroke(0, new BasicStroke(2f));
        r.setSeriesStroke(1, new BasicStroke(2f));
        plot.setRenderer(r);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        if (unitRange) ((NumberAxis) plot.getRangeAxis()).setRange(0, 1.02);
        else ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true);
        return chart;
    }

    private static void save(JFreeChart chart, Path png) throws IOException {
        AtomicFiles.write(png, ch -> ChartUtils.writeChartAsPNG(Channels.newOutputStream(ch), chart, 800, 500));
    }
}
