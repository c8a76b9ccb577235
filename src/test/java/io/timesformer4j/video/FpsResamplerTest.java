package io.timesformer4j.video;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fps filter rule on exact timestamps (no decoding). */
class FpsResamplerTest {
    /** Input frames at {@code i * inDen / inNum} seconds, output rate {@code outNum/outDen}: the input index of each output. */
    static List<Integer> select(int frames, long inNum, long inDen, long outNum, long outDen) {
        FpsResampler r = new FpsResampler(outNum, outDen);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            long copies = r.push(i * inDen, inNum);
            for (long c = 0; c < copies; c++) out.add(i - 1);
        }
        long copies = r.finish(frames * inDen, inNum);
        for (long c = 0; c < copies; c++) out.add(frames - 1);
        return out;
    }

    @Test
    void downsamplingKeepsEveryOtherFrame() {
        assertEquals(List.of(0, 2, 4, 6, 8), select(10, 10, 1, 5, 1));
    }

    @Test
    void upsamplingDuplicates() {
        assertEquals(List.of(0, 0, 0, 1, 1, 1, 2, 2, 2), select(3, 10, 1, 30, 1));
    }

    /** 30 -> 15 fps: frame 1 sits exactly half-way (t*15 = 0.5), which rounds up, so the later frame wins. */
    @Test
    void halfwayTimestampsRoundAwayFromZero() {
        assertEquals(List.of(0, 2, 4), select(6, 30, 1, 15, 1));
        assertEquals(1, new FpsResampler(15, 1).tick(1, 30));
        assertEquals(0, new FpsResampler(15, 1).tick(1, 31));
    }

    /** 29.97 (30000/1001) to 30 fps: the output count follows the duration, so one frame in ~1000 repeats. */
    @Test
    void ntscToIntegerRate() {
        List<Integer> s = select(1001, 30000, 1001, 30, 1);
        assertEquals(Math.round(1001 * 1001 / 30000.0 * 30), s.size());
        assertEquals(0, s.get(0));
        assertEquals(1000, s.get(s.size() - 1));
    }
}
