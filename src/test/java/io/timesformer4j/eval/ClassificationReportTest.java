package io.timesformer4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationReportTest {
    /** Six samples, three classes, predictions chosen so every number below can be checked by hand. */
    @Test
    void metricsOnKnownPredictions() {
        float[][] p = {
                {0.7f, 0.2f, 0.1f},   // y=0, pred 0  correct
                {0.1f, 0.6f, 0.3f},   // y=0, pred 1  wrong; rank of 0 is 3rd
                {0.2f, 0.5f, 0.3f},   // y=1, pred 1  correct
                {0.5f, 0.1f, 0.4f},   // y=1, pred 0  wrong
                {0.1f, 0.1f, 0.8f},   // y=2, pred 2  correct
                {0.3f, 0.4f, 0.3f},   // y=2, pred 1  wrong
        };
        int[] y = {0, 0, 1, 1, 2, 2};
        ClassificationReport r = ClassificationReport.of(new Predictions(p, y, List.of()), List.of("a", "b", "c"));
        assertEquals(6, r.samples());
        assertEquals(3.0 / 6, r.top1(), 1e-12);
        assertEquals(1.0, r.top5(), 1e-12);                       // 3 classes: top-5 covers all
        assertArrayEquals(new int[] {1, 1, 0}, r.confusion()[0]);
        assertArrayEquals(new int[] {1, 1, 0}, r.confusion()[1]);
        assertArrayEquals(new int[] {0, 1, 1}, r.confusion()[2]);
        // precision: a 1/2, b 1/3, c 1/1; recall 1/2 each
        assertEquals(0.5, r.perClass().get(0).precision(), 1e-12);
        assertEquals(1.0 / 3, r.perClass().get(1).precision(), 1e-12);
        assertEquals(1.0, r.perClass().get(2).precision(), 1e-12);
        assertEquals(0.5, r.perClass().get(2).recall(), 1e-12);
        assertEquals(2.0 / 3, r.perClass().get(2).f1(), 1e-12);
        assertEquals(0.5, r.meanClassAccuracy(), 1e-12);
        double loss = -(Math.log(0.7) + Math.log(0.1) + Math.log(0.5) + Math.log(0.1) + Math.log(0.8) + Math.log(0.3)) / 6;
        assertEquals(loss, r.loss(), 1e-6);
        assertTrue(r.table().contains("top-1 0.5000"));
    }

    @Test
    void meanClassAccuracyWeighsClassesEquallyAndTop5CountsRanks() {
        // 7 classes; class 0 has 3 samples all right, class 1 has 1 sample wrong but ranked 5th
        float[][] p = new float[4][7];
        int[] y = {0, 0, 0, 1};
        for (int i = 0; i < 3; i++) p[i][0] = 1f;
        p[3] = new float[] {0.30f, 0.05f, 0.25f, 0.20f, 0.15f, 0.04f, 0.01f};   // 1 is 5th: top-5 hit
        ClassificationReport r = ClassificationReport.of(new Predictions(p, y, List.of()),
                List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6"));
        assertEquals(0.75, r.top1(), 1e-12);
        assertEquals(1.0, r.top5(), 1e-12);
        assertEquals(0.5, r.meanClassAccuracy(), 1e-12);          // (1 + 0) / 2 classes present
        assertTrue(Double.isNaN(r.perClass().get(6).recall()));   // no support
        p[3] = new float[] {0.30f, 0.02f, 0.25f, 0.20f, 0.15f, 0.05f, 0.03f};   // 1 is 7th now
        assertEquals(0.75, ClassificationReport.of(new Predictions(p, y, List.of()), r.classes()).top5(), 1e-12);
    }
}
