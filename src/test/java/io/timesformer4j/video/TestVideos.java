package io.timesformer4j.video;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Real encoded test videos whose frames can be recognised after decoding: frame {@code t} is a flat
 * grey of level {@link #level(int)} with a red block in its top-left corner (to check orientation).
 */
final class TestVideos {
    private TestVideos() {}

    /** Grey level of frame {@code t}: 16 apart, so a lossy codec cannot blur one into the next. */
    static int level(int t) {
        return 16 + (t * 16) % 224;
    }

    static byte[] frame(int t, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        int g = level(t);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                boolean marker = x < w / 4 && y < h / 4;
                rgb[o] = (byte) (marker ? 255 : g);
                rgb[o + 1] = (byte) (marker ? 0 : g);
                rgb[o + 2] = (byte) (marker ? 0 : g);
            }
        }
        return rgb;
    }

    static Path write(Path p, int frames, int w, int h, double fps, VideoWriter.Codec codec, int gop) throws IOException {
        try (VideoWriter vw = new VideoWriter(p, w, h, fps, codec, gop)) {
            for (int t = 0; t < frames; t++) vw.write(frame(t, w, h));
        }
        return p;
    }

    /**
     * A raw MPEG-4 elementary stream ({@code .m4v}): no container, so neither a frame count nor a
     * duration (FFmpeg guesses 25 fps).
     */
    static Path writeElementaryStream(Path p, int frames, int w, int h) throws IOException {
        try (org.bytedeco.javacv.FFmpegFrameRecorder r = new org.bytedeco.javacv.FFmpegFrameRecorder(p.toFile(), w, h, 0);
             org.bytedeco.javacv.Frame f = new org.bytedeco.javacv.Frame(w, h, org.bytedeco.javacv.Frame.DEPTH_UBYTE, 3)) {
            r.setFormat("m4v");
            r.setVideoCodec(org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG4);
            r.setPixelFormat(org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P);
            r.setFrameRate(10);
            r.setVideoQuality(2);
            r.start();
            for (int t = 0; t < frames; t++) {
                byte[] rgb = frame(t, w, h);
                java.nio.ByteBuffer b = (java.nio.ByteBuffer) f.image[0];
                for (int y = 0; y < h; y++) b.put(y * f.imageStride, rgb, y * w * 3, w * 3);
                r.record(f, org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24);
            }
        }
        return p;
    }

    static Path write(Path p, int frames, int w, int h, double fps) throws IOException {
        return write(p, frames, w, h, fps, VideoWriter.Codec.forFile(p), 0);
    }

    /** Mean of channel {@code c} over the centre of output frame {@code t} (away from the corner marker). */
    static double meanCentre(DecodedClip clip, int t, int c) {
        int w = clip.width(), h = clip.height(), base = clip.offset(t);
        long sum = 0;
        int n = 0;
        for (int y = 3 * h / 8; y < 5 * h / 8; y++) {
            for (int x = 3 * w / 8; x < 5 * w / 8; x++) {
                sum += clip.rgb()[base + (y * w + x) * 3 + c] & 0xff;
                n++;
            }
        }
        return (double) sum / n;
    }

    /** Pixel {@code (x, y)} channel {@code c} of output frame {@code t}. */
    static int px(DecodedClip clip, int t, int x, int y, int c) {
        return clip.rgb()[clip.offset(t) + (y * clip.width() + x) * 3 + c] & 0xff;
    }

    /** Which source frame an output frame shows, from its grey level (valid for fewer than 14 frames). */
    static int frameIndexOf(DecodedClip clip, int t) {
        return (int) Math.round((meanCentre(clip, t, 1) - 16) / 16.0);
    }
}
