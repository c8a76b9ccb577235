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
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
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
        trainingCurves(history, 0, Double.NaN, lossPng, accuracyPng);
    }

    /**
     * Draws train/val loss and accuracy per epoch, with a vertical line at {@code bestEpoch} (0 = none) and the
     * chance level ({@code chance} = 1 / classes, NaN = none) as a horizontal line: accuracy {@code chance},
     * loss {@code ln(1 / chance)} (the cross-entropy of a uniform guess).
     */
    public static void trainingCurves(List<EpochMetrics> history, int bestEpoch, double chance, Path lossPng, Path accuracyPng)
            throws IOException {
        save(lossChart(history, bestEpoch, chance), lossPng);
        save(accuracyChart(history, bestEpoch, chance), accuracyPng);
    }

    static JFreeChart lossChart(List<EpochMetrics> history, int bestEpoch, double chance) {
        XYSeriesCollection loss = new XYSeriesCollection();
        loss.addSeries(series("train loss", history, EpochMetrics::trainLoss));
        loss.addSeries(series("val loss", history, EpochMetrics::valLoss));
        JFreeChart c = lineChart("Loss", "cross-entropy", loss, false);
        mark(c, bestEpoch, chance > 0 ? Math.log(1 / chance) : Double.NaN, "chance ln(K)");
        return c;
    }

    static JFreeChart accuracyChart(List<EpochMetrics> history, int bestEpoch, double chance) {
        XYSeriesCollection acc = new XYSeriesCollection();
        acc.addSeries(series("train accuracy", history, EpochMetrics::trainAcc));
        acc.addSeries(series("val accuracy", history, EpochMetrics::valAcc));
        JFreeChart c = lineChart("Accuracy", "accuracy", acc, true);
        mark(c, bestEpoch, chance, "chance");
        return c;
    }

    private static void mark(JFreeChart chart, int bestEpoch, double level, String levelName) {
        XYPlot plot = chart.getXYPlot();
        Font f = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        if (bestEpoch > 0) {
            ValueMarker best = new ValueMarker(bestEpoch, new Color(0, 130, 0), new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
            best.setLabel("best: epoch " + bestEpoch);
            best.setLabelFont(f);
            best.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            best.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(best);
        }
        if (!Double.isNaN(level)) {
            ValueMarker m = new ValueMarker(level, Color.GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 1f, new float[] {2f, 3f}, 0f));
            m.setLabel(String.format(java.util.Locale.ROOT, "%s %.3f", levelName, level));
            m.setLabelFont(f);
            m.setLabelAnchor(RectangleAnchor.BOTTOM_RIGHT);
            m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
            plot.addRangeMarker(m);
            if (!((NumberAxis) plot.getRangeAxis()).isAutoRange()) return;
            NumberAxis y = (NumberAxis) plot.getRangeAxis();
            y.setAutoRangeIncludesZero(true);
            if (y.getUpperBound() < level) y.setUpperBound(level * 1.05);
        }
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
        confusion(confusion, classes, "Confusion matrix", png);
    }

    /** The heatmap with a title and a colour scale (row fraction 0 to 1). */
    public static void confusion(int[][] confusion, List<String> classes, String title, Path png) throws IOException {
        BufferedImage img = confusionImage(confusion, classes, title);
        AtomicFiles.write(png, ch -> ImageIO.write(img, "png", Channels.newOutputStream(ch)));
    }

    /** Cell colour of a row fraction {@code f} in [0, 1]: white to blue. */
    static Color cellColor(double f) {
        int v = (int) Math.round(255 * (1 - Math.max(0, Math.min(1, f))));
        return new Color(v, v, 255);
    }

    static BufferedImage confusionImage(int[][] confusion, List<String> classes, String title) {
        int k = classes.size();
        int cell = k <= 10 ? 56 : k <= 30 ? 28 : Math.max(4, 900 / Math.max(1, k));
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(8, Math.min(13, cell / 3)));
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        FontMetrics tfm = pg.getFontMetrics(titleFont);
        int label = 10;
        for (String c : classes) label = Math.max(label, fm.stringWidth(c));
        pg.dispose();
        label = Math.min(label, 220) + 12;
        int titleH = 28;
        int top = titleH + label + 30, left = label + 30;
        int scaleX = left + k * cell + 24, scaleW = 16, scaleH = Math.max(80, k * cell);
        int w = Math.max(scaleX + scaleW + 50, tfm.stringWidth(title) + 20), h = top + Math.max(k * cell, scaleH) + 40;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(titleFont);
        g.drawString(title, 10, 20);
        g.setFont(font);
        g.drawString("predicted →", left, titleH + 16);
        g.drawString("true ↓", 4, top - 6);
        for (int i = 0; i < k; i++) {
            int rowSum = 0;
            for (int j = 0; j < k; j++) rowSum += confusion[i][j];
            for (int j = 0; j < k; j++) {
                double f = rowSum == 0 ? 0 : (double) confusion[i][j] / rowSum;
                g.setColor(cellColor(f));
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
        // colour scale: fraction of the true class's clips, 1 at the top
        for (int y = 0; y < scaleH; y++) {
            g.setColor(cellColor(1 - (double) y / (scaleH - 1)));
            g.drawLine(scaleX, top + y, scaleX + scaleW - 1, top + y);
        }
        g.setColor(Color.GRAY);
        g.drawRect(scaleX, top, scaleW, scaleH);
        g.setColor(Color.BLACK);
        g.drawString("1.0", scaleX + scaleW + 4, top + fm.getAscent());
        g.drawString("0.5", scaleX + scaleW + 4, top + scaleH / 2 + fm.getAscent() / 2);
        g.drawString("0.0", scaleX + scaleW + 4, top + scaleH);
        g.drawString("row fraction", Math.max(2, scaleX - 20), top + scaleH + 16);
        g.dispose();
        return img;
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
