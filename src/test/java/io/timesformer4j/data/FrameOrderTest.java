package io.timesformer4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.video.VideoWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Frame orders (natural / reversed / shuffled) in the sampling path: exactly the frames the model sees, permuted. */
class FrameOrderTest {
    @TempDir
    Path dir;

    @Test
    void reversalAndShuffleAreWithinEachView() {
        ClipSpec spec = ClipSpec.forModel(8, 32, null, null).withViews(2, 1);
        int[] natural = FrameSampling.indices(spec, Mode.TEST, 100, 7);
        int[] reversed = FrameSampling.indices(spec.withFrameOrder(FrameOrder.REVERSED), Mode.TEST, 100, 7);
        for (int v = 0; v < 2; v++) {
            for (int t = 0; t < 8; t++) assertEquals(natural[v * 8 + 7 - t], reversed[v * 8 + t], "view " + v + " frame " + t);
        }
        ClipSpec shuffledSpec = spec.withFrameOrder(FrameOrder.shuffled(3));
        Set<String> orders = new HashSet<>();
        for (long sample = 0; sample < 20; sample++) {
            int[] nat = FrameSampling.indices(spec, Mode.TEST, 100, sample);
            int[] sh = FrameSampling.indices(shuffledSpec, Mode.TEST, 100, sample);
            assertArrayEquals(sh, FrameSampling.indices(shuffledSpec, Mode.TEST, 100, sample), "not deterministic");
            for (int v = 0; v < 2; v++) {
                int[] a = Arrays.copyOfRange(nat, v * 8, v * 8 + 8), b = Arrays.copyOfRange(sh, v * 8, v * 8 + 8);
                assertFalse(Arrays.equals(a, b), "shuffle left view " + v + " of sample " + sample + " in order");
                int[] sa = a.clone(), sb = b.clone();
                Arrays.sort(sa);
                Arrays.sort(sb);
                assertArrayEquals(sa, sb, "shuffle changed which frames are seen");
                orders.add(Arrays.toString(b));
            }
            assertFalse(Arrays.equals(sh, FrameSampling.indices(spec.withFrameOrder(FrameOrder.shuffled(4)), Mode.TEST, 100, sample)),
                    "another shuffle seed gave the same order");
        }
        assertTrue(orders.size() >= 35, "shuffles repeat: " + orders.size() + " distinct of 40");
        // training sampling (random TSN offsets) is permuted the same way
        int[] train = FrameSampling.indices(spec, Mode.TRAIN, 100, 11);
        int[] trainRev = FrameSampling.indices(spec.withFrameOrder(FrameOrder.REVERSED), Mode.TRAIN, 100, 11);
        for (int t = 0; t < 8; t++) assertEquals(train[7 - t], trainRev[t]);
        assertNotEquals(spec, spec.withFrameOrder(FrameOrder.REVERSED));
        assertEquals(spec, spec.withFrameOrder(FrameOrder.REVERSED).withFrameOrder(FrameOrder.NATURAL));
    }

    /**
     * A real lossless video whose frame t is a flat grey of level 10 + 20 t: through the loader (decode, crop,
     * normalise), the reversed clip's frame t is exactly the natural clip's frame T-1-t, in every temporal view.
     */
    @Test
    void loaderDeliversTheReversedFrames() throws IOException {
        Path video = dir.resolve("ramp.mkv");
        int w = 48, h = 32, n = 12;
        try (VideoWriter vw = new VideoWriter(video, w, h, 10, VideoWriter.Options.of(VideoWriter.Codec.FFV1)
                .withPixelFormat(org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV444P))) {
            for (int t = 0; t < n; t++) {
                byte[] rgb = new byte[w * h * 3];
                Arrays.fill(rgb, (byte) (10 + 20 * t));
                vw.write(rgb);
            }
        }
        ClipSpec spec = ClipSpec.forModel(4, 32, new float[] {0, 0, 0}, new float[] {1, 1, 1}).withViews(2, 1);
        float[] nat = load(video, spec), rev = load(video, spec.withFrameOrder(FrameOrder.REVERSED));
        float[] shuf = load(video, spec.withFrameOrder(FrameOrder.shuffled(9)));
        int frame = 3 * 32 * 32;
        List<Float> levels = new ArrayList<>();
        for (int v = 0; v < 2; v++) {
            for (int t = 0; t < 4; t++) {
                float[] a = Arrays.copyOfRange(nat, (v * 4 + t) * frame, (v * 4 + t + 1) * frame);
                float[] b = Arrays.copyOfRange(rev, (v * 4 + 3 - t) * frame, (v * 4 + 4 - t) * frame);
                assertArrayEquals(a, b, "view " + v + " frame " + t);
                levels.add(a[0]);
            }
            // the natural clip runs forward in time (grey rises), the reversed one backwards
            for (int t = 1; t < 4; t++) {
                assertTrue(nat[(v * 4 + t) * frame] > nat[(v * 4 + t - 1) * frame], "natural view " + v + " not increasing");
                assertTrue(rev[(v * 4 + t) * frame] < rev[(v * 4 + t - 1) * frame], "reversed view " + v + " not decreasing");
            }
        }
        assertEquals(8, new HashSet<>(levels).size(), "views should see 8 distinct frames: " + levels);
        assertFalse(Arrays.equals(nat, shuf));
        float[] sortedNat = nat.clone(), sortedShuf = shuf.clone();
        Arrays.sort(sortedNat);
        Arrays.sort(sortedShuf);
        assertArrayEquals(sortedNat, sortedShuf, "a shuffle must show the same frames");
    }

    private static float[] load(Path video, ClipSpec spec) {
        try (ClipLoader l = new ClipLoader(List.of(new Sample(video, 0)), spec, Mode.TEST, 1, 1, 0, 0)) {
            List<Batch> bs = new ArrayList<>();
            for (Batch b : l) bs.add(b);
            assertEquals(1, bs.size(), "skipped: " + l.skipped());
            assertEquals(2, bs.get(0).views());
            return bs.get(0).pixels();
        }
    }
}
