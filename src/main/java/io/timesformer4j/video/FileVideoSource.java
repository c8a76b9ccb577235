package io.timesformer4j.video;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * A video file decoded with FFmpeg through javacv's {@link FFmpegFrameGrabber}: swscale converts every
 * wanted frame straight to RGB24 at the output size; unwanted frames are decoded but not converted.
 */
final class FileVideoSource implements VideoSource {
    private static final Pattern FFMPEG_ERROR = Pattern.compile("error (-?\\d+)");

    private final Path path;
    private FFmpegFrameGrabber grabber;
    private final VideoInfo info;
    private final int codedWidth;
    private final int codedHeight;
    /** Index of the next frame the grabber will return. */
    private int next;

    private FileVideoSource(Path path, FFmpegFrameGrabber grabber) {
        this.path = path;
        this.grabber = grabber;
        this.codedWidth = grabber.getImageWidth();
        this.codedHeight = grabber.getImageHeight();
        int rotation = Frames.clockwiseFromDisplayAngle(grabber.getDisplayRotation());
        boolean swap = rotation == 90 || rotation == 270;
        double fps = grabber.getFrameRate();
        double duration = Math.max(0, grabber.getLengthInTime() / 1e6);
        int count = grabber.getLengthInVideoFrames();
        if (count <= 0 && duration > 0 && fps > 0) count = (int) Math.round(duration * fps);
        String codec = grabber.getVideoCodecName();
        this.info = new VideoInfo(path, swap ? codedHeight : codedWidth, swap ? codedWidth : codedHeight,
                fps, Math.max(0, count), duration, codec == null ? "unknown" : codec, rotation);
    }

    static FileVideoSource open(Path path) throws VideoException {
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new VideoException(path, "cannot read file (" + e.getMessage() + ")", e);
        }
        if (size == 0) throw new VideoException(path, "empty file (0 bytes)");
        FFmpegFrameGrabber g = start(path);
        if (g.getImageWidth() <= 0 || g.getImageHeight() <= 0) {
            release(g);
            throw new VideoException(path, "no video stream");
        }
        return new FileVideoSource(path, g);
    }

    private static FFmpegFrameGrabber start(Path path) throws VideoException {
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(path.toFile());
        g.setPixelFormat(AV_PIX_FMT_RGB24);
        g.setVideoOption("threads", "1");      // one decoder thread; loaders parallelise across clips
        try {
            g.start();
            return g;
        } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
            release(g);
            throw new VideoException(path, "not a readable video (" + describe(e) + ")", e);
        }
    }

    /** Turns javacv's "avformat_open_input() error -1094995529: ..." into FFmpeg's own error text. */
    static String describe(Throwable e) {
        String m = String.valueOf(e.getMessage());
        Matcher mm = FFMPEG_ERROR.matcher(m);
        if (mm.find()) {
            int code = Integer.parseInt(mm.group(1));
            byte[] buf = new byte[256];
            if (avutil.av_strerror(code, buf, buf.length) == 0) {
                int n = 0;
                while (n < buf.length && buf[n] != 0) n++;
                return "FFmpeg: " + new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return "FFmpeg: " + m;
    }

    private static void release(FFmpegFrameGrabber g) {
        try {
            g.release();
        } catch (Exception ignored) {
            // closing a half-opened grabber: nothing more to do
        }
    }

    @Override
    public VideoInfo info() {
        return info;
    }

    @Override
    public DecodedClip read(FrameSampler sampler, int shortSide) throws VideoException {
        if (grabber == null) throw new IllegalStateException(path + ": source is closed");
        int[] size = Frames.scaledSize(codedWidth, codedHeight, shortSide);
        int hint = info.frameCountHint();
        if (hint <= 0) hint = countFrames();
        ClipAssembler asm = new ClipAssembler(path, sampler.indices(hint), hint);
        Pass pass = decode(asm, size);
        int frameCount = hint;
        if (pass.reachedEnd) {
            frameCount = pass.decoded;
            if (frameCount == 0) throw new VideoException(path, "no decodable video frames");
            if (!asm.complete()) {
                // The container promised more frames than the stream holds: sample again from the real count.
                asm = asm.retarget(path, sampler.indices(frameCount), frameCount);
                if (!asm.complete()) decode(asm, size);
                if (!asm.complete()) {
                    throw new VideoException(path, "frames " + asm.firstMissing() + "... did not decode on a second pass");
                }
            }
        }
        int outW = size[0], outH = size[1];
        boolean swap = info.rotationDegrees() == 90 || info.rotationDegrees() == 270;
        return asm.build(path, swap ? outW : outH, swap ? outH : outW, frameCount);
    }

    private record Pass(int decoded, boolean reachedEnd) {}

    /**
     * Decodes forward until every wanted frame is in {@code asm} or the stream ends. Restarts from the
     * beginning when a wanted frame lies behind the current position.
     */
    private Pass decode(ClipAssembler asm, int[] size) throws VideoException {
        int first = asm.firstMissing();
        if (first >= 0 && first < next) restart();
        grabber.setImageWidth(size[0]);
        grabber.setImageHeight(size[1]);
        while (!asm.complete()) {
            boolean want = asm.wants(next);
            Frame f;
            try {
                f = grabber.grabFrame(false, true, want, false, false);
            } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
                if (next == 0) throw new VideoException(path, "decoding failed (" + describe(e) + ")", e);
                return new Pass(next, true);             // damaged tail: keep what decoded
            }
            if (f == null) return new Pass(next, true);
            if (f.image == null) continue;
            if (want) {
                byte[] rgb = Frames.copyPacked((ByteBuffer) f.image[0], f.imageStride, f.imageWidth, f.imageHeight);
                asm.put(next, Frames.rotate(rgb, f.imageWidth, f.imageHeight, info.rotationDegrees()));
            }
            next++;
        }
        return new Pass(next, false);
    }

    /** Receives every decoded frame of {@link #forEachFrame}. */
    interface FrameSink {
        /**
         * @param index frame number, from 0
         * @param tNum  timestamp numerator: the frame is shown {@code tNum/tDen} seconds after the file's start
         * @param rgb   packed {@code (h, w, 3)} upright frame, owned by the callee
         */
        void frame(int index, long tNum, long tDen, byte[] rgb, int w, int h) throws java.io.IOException;
    }

    /**
     * Decodes the whole video from the start, in order, and hands each upright frame with its exact
     * timestamp to {@code sink}.
     *
     * @return {@code {frames, endNum, endDen}}: frame count and the end time (last timestamp + one frame
     *         duration, the previous frame interval, or 1/fps) in seconds as {@code endNum/endDen}
     */
    long[] forEachFrame(int shortSide, FrameSink sink) throws java.io.IOException {
        if (next > 0) restart();
        int[] size = Frames.scaledSize(codedWidth, codedHeight, shortSide);
        grabber.setImageWidth(size[0]);
        grabber.setImageHeight(size[1]);
        var tb = grabber.getFormatContext().streams(grabber.getVideoStream()).time_base();
        long tbNum = tb.num(), tbDen = tb.den();
        long start = grabber.getFormatContext().start_time();
        if (start == avutil.AV_NOPTS_VALUE) start = 0;
        long den = tbDen * 1_000_000L;
        long lastPts = Long.MIN_VALUE, prevPts = Long.MIN_VALUE;
        while (true) {
            Frame f;
            try {
                f = grabber.grabFrame(false, true, true, false, false);
            } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
                if (next == 0) throw new VideoException(path, "decoding failed (" + describe(e) + ")", e);
                break;
            }
            if (f == null) break;
            if (f.image == null) continue;
            long pts = ptsOf(f.timestamp, tbNum, tbDen);
            if (lastPts != Long.MIN_VALUE && pts <= lastPts) pts = lastPts + 1;    // broken timestamps: keep order
            byte[] rgb = Frames.copyPacked((ByteBuffer) f.image[0], f.imageStride, f.imageWidth, f.imageHeight);
            rgb = Frames.rotate(rgb, f.imageWidth, f.imageHeight, info.rotationDegrees());
            boolean swap = info.rotationDegrees() == 90 || info.rotationDegrees() == 270;
            sink.frame(next, pts * tbNum * 1_000_000L - start * tbDen, den, rgb,
                    swap ? f.imageHeight : f.imageWidth, swap ? f.imageWidth : f.imageHeight);
            prevPts = lastPts;
            lastPts = pts;
            next++;
        }
        if (next == 0) throw new VideoException(path, "no decodable video frames");
        long endNum;
        if (prevPts != Long.MIN_VALUE) {
            endNum = (2 * lastPts - prevPts) * tbNum * 1_000_000L - start * tbDen;
        } else {                                                      // one frame: it lasts 1/fps
            double fps = info.fps() > 0 ? info.fps() : VideoSource.DEFAULT_FOLDER_FPS;
            endNum = lastPts * tbNum * 1_000_000L - start * tbDen + Math.round(den / fps);
        }
        return new long[] {next, endNum, den};
    }

    /** javacv gives {@code floor(1e6 * pts * tb)} microseconds; this recovers the exact stream pts. */
    static long ptsOf(long micros, long tbNum, long tbDen) {
        java.math.BigInteger n = java.math.BigInteger.valueOf(micros).multiply(java.math.BigInteger.valueOf(tbDen));
        java.math.BigInteger d = java.math.BigInteger.valueOf(tbNum * 1_000_000L);
        java.math.BigInteger[] qr = n.divideAndRemainder(d);
        long q = qr[0].longValueExact();
        if (qr[1].signum() > 0) q++;                                  // ceil for t >= 0 (javacv floors)
        else if (qr[1].signum() < 0) q--;                             // Java division truncates negatives
        return q;
    }

    /** Counts the frames of a stream whose container gives neither a frame count nor a duration. */
    private int countFrames() throws VideoException {
        if (next > 0) restart();
        try {
            while (true) {
                Frame f = grabber.grabFrame(false, true, false, false, false);
                if (f == null) break;
                if (f.image != null) next++;
            }
        } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
            if (next == 0) throw new VideoException(path, "decoding failed (" + describe(e) + ")", e);
        }
        if (next == 0) throw new VideoException(path, "no decodable video frames");
        return next;
    }

    private void restart() throws VideoException {
        release(grabber);
        grabber = null;
        grabber = start(path);
        next = 0;
    }

    @Override
    public void close() {
        if (grabber != null) release(grabber);
        grabber = null;
    }
}
