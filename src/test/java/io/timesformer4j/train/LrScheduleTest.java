package io.timesformer4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
    @Test
    void constantIgnoresSteps() {
        LrSchedule s = new LrSchedule(ScheduleSpec.constant(), 1e-4, 10, 5);
        assertEquals(1e-4, s.lrAt(0));
        assertEquals(1e-4, s.lrAt(49));
    }

    @Test
    void stepDecaysAtMilestoneEpochs() {
        // the paper's recipe: lr 0.005, /10 after epochs 11 and 14 (0-based epoch index >= milestone)
        LrSchedule s = new LrSchedule(ScheduleSpec.paper(), 0.005, 4, 15);
        assertEquals(0.005, s.lrAt(0), 1e-15);
        assertEquals(0.005, s.lrAt(11 * 4 - 1), 1e-15);
        assertEquals(0.0005, s.lrAt(11 * 4), 1e-15);
        assertEquals(0.00005, s.lrAt(14 * 4), 1e-15);
    }

    @Test
    void cosineWithLinearWarmup() {
        ScheduleSpec spec = new ScheduleSpec(ScheduleSpec.Kind.COSINE, 1, List.of(), 0.1, 0);
        LrSchedule s = new LrSchedule(spec, 1.0, 10, 3);                 // 10 warm-up steps, 20 cosine steps
        assertEquals(0.1, s.lrAt(0), 1e-12);
        assertEquals(0.5, s.lrAt(4), 1e-12);
        assertEquals(1.0, s.lrAt(9), 1e-12);
        assertEquals(1.0, s.lrAt(10), 1e-12);                            // cosine starts at the peak
        assertEquals(0.5, s.lrAt(20), 1e-12);                            // half way: cos(pi/2)
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 19 / 20)), s.lrAt(29), 1e-12);
        assertEquals(0.0, s.lrAt(30), 1e-12);
    }
}
