package io.timesformer4j.video;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_FFV1;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG4;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_PNG;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;

import io.timesformer4j.runtime.Natives;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * Encodes RGB frames into a real video file with FFmpeg's encoders (in-process, no CLI).
 * Used by the demo dataset generator and by tests that need real encoded video.
 *
 * <p>Codec by extension: mp4/mov → H.264 (OpenH264), mkv → MPEG-4 part 2, avi → MJPEG, webm → VP9,
 * {@code frame%04d.png|jpg} → numbered images; or pick one explicitly with {@link Codec}.
 */
public final class VideoWriter implements AutoCloseable {
    /** Encoders available in the bundled (LGPL) FFmpeg build. */
    public enum Codec {
        H264("libopenh264", AV_PIX_FMT_YUV420P),
        MPEG4(null, AV_PIX_FMT_YUV420P),
        MJPEG(null, AV_PIX_FMT_YUVJ420P),
        VP9("libvpx-vp9", AV_PIX_FMT_YUV420P),
        FFV1(null, AV_PIX_FMT_YUV420P),
        /** One PNG per frame; the path is a pattern such as {@code dir/frame%04d.png} (image2 muxer). */
        PNG(null, AV_PIX_FMT_RGB24),
        /** One JPEG per frame; the path is a pattern such as {@code dir/frame%04d.jpg} (image2 muxer). */
        JPEG(null, AV_PIX_FMT_YUVJ420P);

        final String encoderName;
        final int pixFmt;

        Codec(String encoderName, int pixFmt) {
            this.encoderName = encoderName;
            this.pixFmt = pixFmt;
        }

        public static Codec forFile(Path path) {
            String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".mp4") || n.endsWith(".mov")) return H264;
            if (n.endsWith(".avi")) return MJPEG;
            if (n.endsWith(".webm")) return VP9;
            if (n.endsWith(".mkv")) return MPEG4;
            if (n.endsWith(".png")) return PNG;
            if (n.endsWith(".jpg") || n.endsWith(".jpeg")) return JPEG;
            throw new IllegalArgumentException("no default codec for " + path + " (use .mp4/.mov/.avi/.webm/.mkv/.png/.jpg)");
        }
    }

    private final FFmpegFrameRecorder recorder;
    private final Frame frame;
    private final int width;
    private final int height;
    private final Path path;

    /**
     * How to encode.
     *
     * @param gop             keyframe interval in frames (0 = encoder default)
     * @param rotationDegrees clockwise display rotation stored in the stream's display matrix
     *                        (0/90/180/270; players and {@link VideoSource} rotate by it, like a phone video)
     * @param pixelFormat     FFmpeg {@code AV_PIX_FMT_*} to encode in, or -1 for the codec's default
     *                        (e.g. {@code AV_PIX_FMT_GRAY8} or {@code AV_PIX_FMT_YUV420P10LE} with FFV1)
     */
    public record Options(Codec codec, int gop, int rotationDegrees, int pixelFormat) {
        public Options {
            if (rotationDegrees % 90 != 0) throw new IllegalArgumentException("rotation must be a multiple of 90, got " + rotationDegrees);
        }

        public static Options of(Codec codec) {
            return new Options(codec, 0, 0, -1);
        }

        public Options withGop(int g) {
            return new Options(codec, g, rotationDegrees, pixelFormat);
        }

        public Options withRotation(int degrees) {
            return new Options(codec, gop, degrees, pixelFormat);
        }

        public Options withPixelFormat(int fmt) {
            return new Options(codec, gop, rotationDegrees, fmt);
        }
    }

    /**
     * @param gop keyframe interval in frames (0 = encoder default)
     */
    public VideoWriter(Path path, int width, int height, double fps, Codec codec, int gop) throws IOException {
        this(path, width, height, fps, Options.of(codec).withGop(gop));
    }

    public VideoWriter(Path path, int width, int height, double fps, Options options) throws IOException {
        Natives.ensureLoaded();
        Codec codec = options.codec();
        int gop = options.gop();
        this.path = path;
        this.width = width;
        this.height = height;
        recorder = new FFmpegFrameRecorder(path.toFile(), width, height, 0);
        switch (codec) {
            case MPEG4 -> recorder.setVideoCodec(AV_CODEC_ID_MPEG4);
            case MJPEG -> recorder.setVideoCodec(AV_CODEC_ID_MJPEG);
            case FFV1 -> recorder.setVideoCodec(AV_CODEC_ID_FFV1);
            case PNG -> recorder.setVideoCodec(AV_CODEC_ID_PNG);
            case JPEG -> recorder.setVideoCodec(AV_CODEC_ID_MJPEG);
            default -> recorder.setVideoCodecName(codec.encoderName);
        }
        recorder.setPixelFormat(options.pixelFormat() >= 0 ? options.pixelFormat() : codec.pixFmt);
        // FFmpeg's display matrix angle is counter-clockwise; Options use the clockwise "rotate" tag convention.
        if (options.rotationDegrees() % 360 != 0) recorder.setDisplayRotation(-options.rotationDegrees());
        recorder.setFrameRate(fps);
        if (codec == Codec.PNG || codec == Codec.JPEG) recorder.setFormat("image2");   // numbered files, start at 1
        if (gop > 0) recorder.setGopSize(gop);
        recorder.setVideoQuality(codec == Codec.VP9 ? 30 : 2);
        if (codec == Codec.H264) recorder.setVideoBitrate(Math.max(200_000, width * height * 8));
        try {
            recorder.start();
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("cannot start " + codec + " encoder for " + path + ": " + e.getMessage(), e);
        }
        frame = new Frame(width, height, Frame.DEPTH_UBYTE, 3);
    }

    public VideoWriter(Path path, int width, int height, double fps) throws IOException {
        this(path, width, height, fps, Codec.forFile(path), 0);
    }

    /** Appends one frame: packed RGB24, row-major, {@code height*width*3} bytes. */
    public void write(byte[] rgb) throws IOException {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("frame has " + rgb.length + " bytes, expected " + (width * height * 3));
        }
        ByteBuffer buf = (ByteBuffer) frame.image[0];
        int stride = frame.imageStride;
        for (int y = 0; y < height; y++) {
            buf.position(y * stride);
            buf.put(rgb, y * width * 3, width * 3);
        }
        buf.rewind();
        try {
            recorder.record(frame, AV_PIX_FMT_RGB24);
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("encoding a frame into " + path + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            recorder.close();
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("finishing " + path + " failed: " + e.getMessage(), e);
        } finally {
            frame.close();
        }
    }
}
