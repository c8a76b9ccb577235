package io.timesformer4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.Layer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
    private static final List<EpochMetrics> HISTORY = List.of(
            new EpochMetrics(1, 1.3, 0.3, 1.4, 0.25, 1e-3, 1, 10, 0),
            new EpochMetrics(2, 1.0, 0.5, 1.1, 0.50, 1e-3, 1, 10, 0),
            new EpochMetrics(3, 0.8, 0.7, 1.2, 0.45, 1e-3, 1, 10, 0));

    private static double only(Collection<?> markers) {
        assertEquals(1, markers == null ? 0 : markers.size(), String.valueOf(markers));
        return ((ValueMarker) markers.iterator().next()).getValue();
    }

    @Test
    void curvesMarkTheBestEpochAndTheChanceLevel(@TempDir Path dir) throws IOException {
        JFreeChart acc = Charts.accuracyChart(HISTORY, 2, 0.25);
        assertEquals(2.0, only(acc.getXYPlot().getDomainMarkers(Layer.FOREGROUND)));
        assertEquals(0.25, only(acc.getXYPlot().getRangeMarkers(Layer.FOREGROUND)));
        JFreeChart loss = Charts.lossChart(HISTORY, 2, 0.25);
        assertEquals(2.0, only(loss.getXYPlot().getDomainMarkers(Layer.FOREGROUND)));
        assertEquals(Math.log(4), only(loss.getXYPlot().getRangeMarkers(Layer.FOREGROUND)), 1e-12);
        assertTrue(loss.getXYPlot().getRangeAxis().getUpperBound() >= Math.log(4), "the chance loss is off the chart");
        // without a best epoch or a class count: no markers
        assertEquals(null, Charts.accuracyChart(HISTORY, 0, Double.NaN).getXYPlot().getDomainMarkers(Layer.FOREGROUND));

        Charts.trainingCurves(HISTORY, 2, 0.25, dir.resolve("loss.png"), dir.resolve("accuracy.png"));
        assertEquals(800, ImageIO.read(dir.resolve("accuracy.png").toFile()).getWidth());
        assertTrue(Files.size(dir.resolve("loss.png")) > 0);
    }

    @Test
    void confusionHeatmapHasATitleAndAColourScale(@TempDir Path dir) throws IOException {
        int[][] conf = {{3, 1}, {0, 4}};
        List<String> classes = List.of("left", "right");
        BufferedImage titled = Charts.confusionImage(conf, classes, "Confusion matrix: top-1 0.875");
        BufferedImage untitled = Charts.confusionImage(conf, classes, "");
        assertTrue(darkPixels(titled, 24) > 20, "no title drawn");
        assertEquals(0, darkPixels(untitled, 24));
        assertTrue(longestGradient(titled) >= 60, "no colour scale: most shades in a vertical white-to-blue run "
                + longestGradient(titled));
        Charts.confusion(conf, classes, "t", dir.resolve("c.png"));
        assertFalse(ImageIO.read(dir.resolve("c.png").toFile()) == null);
    }

    private static int darkPixels(BufferedImage img, int rows) {
        int n = 0;
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xFF) < 100) n++;
        return n;
    }

    /**
     * The most distinct shades in one vertical run, in any column, of pixels with a full blue channel whose red
     * never rises going up: the white-to-blue colour scale has one shade per row, a heatmap column a few.
     */
    private static int longestGradient(BufferedImage img) {
        int best = 0;
        for (int x = 0; x < img.getWidth(); x++) {
            java.util.Set<Integer> shades = new java.util.HashSet<>();
            int prev = Integer.MAX_VALUE;
            for (int y = img.getHeight() - 1; y >= 0; y--) {
                int rgb = img.getRGB(x, y), r = (rgb >> 16) & 0xFF, b = rgb & 0xFF;
                if (b != 255 || r > prev) shades.clear();
                if (b == 255) shades.add(r);
                prev = b == 255 ? r : Integer.MAX_VALUE;
                best = Math.max(best, shades.size());
            }
        }
        return best;
    }
}
