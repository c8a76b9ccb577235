package io.timesformer4j.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code extract} on a real 10 fps clip: the fps filter's frame choice, ffmpeg's file names. */
class FrameExtractorTest {
    @TempDir Path dir;

    @ParameterizedTest
    @CsvSource({
            "5, png, '0,2,4,6,8'",
            "30, png, '0,0,0,1,1,1,2,2,2,3,3,3,4,4,4,5,5,5,6,6,6,7,7,7,8,8,8,9,9,9'",
            "10, jpg, '0,1,2,3,4,5,6,7,8,9'"})
    void extractsLikeTheFpsFilter(String fps, String format, String expected) throws Exception {
        Path video = TestVideos.write(dir.resolve("clip.mp4"), 10, 64, 48, 10);
        Path out = dir.resolve("frames");
        var r = FrameExtractor.extract(video, out, new FrameExtractor.Options(fps, format, 0, "frame%04d"));
        String[] want = expected.split(",");
        assertEquals(10, r.framesDecoded());
        assertEquals(want.length, r.framesWritten());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(want.length, files.count());
        }
        assertTrue(Files.exists(out.resolve("frame0001." + format)));
        assertTrue(Files.exists(out.resolve(String.format("frame%04d.%s", want.length, format))));
        try (VideoSource v = VideoSource.open(out)) {
            DecodedClip c = v.read(FrameSampler.all(), 0);
            assertEquals(64, c.width());
            for (int t = 0; t < want.length; t++) {
                assertEquals(Integer.parseInt(want[t].trim()), TestVideos.frameIndexOf(c, t), "image " + (t + 1));
            }
        }
    }

    /** An odd frame size is kept exactly (FFmpeg's recorder used to round 321x241 up to 322x242). */
    @org.junit.jupiter.api.Test
    void oddFrameSizeIsKept() throws Exception {
        int w = 321, h = 241;
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x % 256) << 16 | (y % 256) << 8 | 77);
        Path src = dir.resolve("odd.png");
        javax.imageio.ImageIO.write(img, "png", src.toFile());          // a one-frame image2 "video" of 321x241
        for (String format : new String[] {"png", "jpg"}) {
            Path out = dir.resolve("odd-" + format);
            var r = FrameExtractor.extract(src, out, new FrameExtractor.Options("25", format, 0, "frame%04d"));
            assertEquals(w, r.width());
            assertEquals(h, r.height());
            java.awt.image.BufferedImage back = javax.imageio.ImageIO.read(out.resolve("frame0001." + format).toFile());
            assertEquals(w, back.getWidth());
            assertEquals(h, back.getHeight());
            if (format.equals("png")) assertEquals(img.getRGB(300, 200), back.getRGB(300, 200));
        }
    }

    /**
     * A faststart mp4 with B-frames (MPEG-4 part 2, 2 B-frames, 30 fps), cut at many points. Where the cut falls
     * after a P-frame but before the B-frames shown ahead of it, the last frame decoded is up to 3 frames after the
     * one before it. ffmpeg ends its {@code fps} filter at that frame's timestamp plus its (packet) duration; extract
     * used to add the gap to the previous frame instead and wrote up to 2 frames more (3 with x264's 3 B-frames:
     * the reported 32 for ffmpeg's 29). The expected count is worked out here from the decoded timestamps by
     * the fps filter's rule: ticks {@code round(t0*30)} .. {@code round((t_last + d_last)*30) - 1}, tick n showing the
     * last frame with {@code round(t_i*30) <= n}.
     */
    @org.junit.jupiter.api.Test
    void truncatedBFrameMp4EndsWhereFfmpegEnds() throws Exception {
        Path full = writeBFrameMp4(dir.resolve("b.mp4"), 60, 30);
        byte[] all = Files.readAllBytes(full);
        int gaps = 0, cuts = 0;
        for (int pct = 30; pct <= 85; pct += 5) {
            Path cut = Files.write(dir.resolve("cut" + pct + ".mp4"), java.util.Arrays.copyOf(all, all.length * pct / 100));
            java.util.List<long[]> frames = new java.util.ArrayList<>();            // {pts, duration}
            long tbNum, tbDen;
            try (FfmpegDecoder d = new FfmpegDecoder(cut, 1)) {
                tbNum = d.tbNum;
                tbDen = d.tbDen;
                while (d.next()) frames.add(new long[] {d.pts(), d.duration()});
            }
            if (frames.size() < 2) continue;
            cuts++;
            long[] last = frames.get(frames.size() - 1), prev = frames.get(frames.size() - 2);
            assertTrue(last[1] > 0, "mp4 packets carry durations");
            long first = tick(frames.get(0)[0], tbNum, tbDen), end = tick(last[0] + last[1], tbNum, tbDen);
            int expected = (int) (end - first);
            if (last[0] - prev[0] > last[1]) gaps++;                                // B-frames lost before the last P
            var r = FrameExtractor.extract(cut, dir.resolve("out" + pct), FrameExtractor.Options.defaults());
            assertEquals(frames.size(), r.framesDecoded());
            assertEquals(expected, r.framesWritten(), pct + " %: frames written (ffmpeg -vf fps=30), decoded " + frames.size());
            assertTrue(r.truncationWarning(cut).startsWith(cut + ": truncated file: the container lists 60 frames"), r.damage());
            // which frame each image shows, up to the frames near the cut (decoded from a partial packet or
            // predicted from it, they show concealment, not their own content)
            long lastClean = tick(frames.get(frames.size() - 3)[0], tbNum, tbDen);
            try (VideoSource v = VideoSource.open(dir.resolve("out" + pct))) {
                DecodedClip c = v.read(FrameSampler.all(), 0);
                for (int n = 0; n < expected; n++) {
                    long shown = -1;
                    for (long[] f : frames) if (tick(f[0], tbNum, tbDen) <= first + n) shown = Math.max(shown, tick(f[0], tbNum, tbDen));
                    if (shown <= lastClean) assertEquals(shown % 14, TestVideos.frameIndexOf(c, n) % 14, pct + " %: image " + (n + 1));
                }
            }
        }
        assertTrue(cuts >= 8, "cuts with frames: " + cuts);
        assertTrue(gaps >= 1, "no cut fell before lost B-frames; the test would not tell the two end rules apart");
    }

    /** The same file intact: 60 frames at 30 fps give 60 images at 30, 20 at 10 and 120 at 60, and no warning. */
    @ParameterizedTest
    @CsvSource({"30, 60", "10, 20", "60, 120"})
    void intactBFrameMp4(String fps, int images) throws Exception {
        Path p = writeBFrameMp4(dir.resolve("b.mp4"), 60, 30);
        var r = FrameExtractor.extract(p, dir.resolve("out"), new FrameExtractor.Options(fps, "png", 0, "frame%04d"));
        assertEquals(60, r.framesDecoded());
        assertEquals(images, r.framesWritten());
        assertEquals(null, r.truncationWarning(p));
    }

    /** Output tick of {@code pts} at 30 fps: {@code round(pts * tb * 30)}, halves up. */
    private static long tick(long pts, long tbNum, long tbDen) {
        return Math.floorDiv(2 * pts * tbNum * 30 + tbDen, 2 * tbDen);
    }

    /** {@link TestVideos} frames as MPEG-4 part 2 with 2 B-frames, GOP 12, index at the front of the mp4. */
    static Path writeBFrameMp4(Path p, int frames, int fps) throws Exception {
        int w = 64, h = 48;
        try (org.bytedeco.javacv.FFmpegFrameRecorder r = new org.bytedeco.javacv.FFmpegFrameRecorder(p.toFile(), w, h, 0);
             org.bytedeco.javacv.Frame f = new org.bytedeco.javacv.Frame(w, h, org.bytedeco.javacv.Frame.DEPTH_UBYTE, 3)) {
            r.setVideoCodecName("mpeg4");
            r.setPixelFormat(org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P);
            r.setFrameRate(fps);
            r.setGopSize(12);
            r.setVideoOption("bf", "2");
            r.setVideoQuality(2);
            r.setOption("movflags", "+faststart");
            r.start();
            for (int t = 0; t < frames; t++) {
                byte[] rgb = TestVideos.frame(t, w, h);
                java.nio.ByteBuffer b = (java.nio.ByteBuffer) f.image[0];
                for (int y = 0; y < h; y++) b.put(y * f.imageStride, rgb, y * w * 3, w * 3);
                r.record(f, org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24);
            }
        }
        return p;
    }
}
