package io.timesformer4j.video;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_NOFILE;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyframe seeks on files whose container index does not say where a seek lands: every read ends (a
 * JUnit timeout guards against the old endless seek loop) and returns exactly the frames a sequential
 * decode returns.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SeekBoundsTest {
    private static final int W = 160, H = 120, FRAMES = 100;
    /** Sparse, far apart: forces seeks over long unwanted stretches. */
    private static final FrameSampler SPARSE = n -> new int[] {2, 70, 90, 99, 71};

    @TempDir Path dir;

    /**
     * H.264 whose decode timestamps run 2 frames ahead of display (as x264's B-pyramid writes): the mp4 has
     * an edit list and index timestamps are 2 frames before the keyframes' display times. Seeking by the
     * index timestamp used to land on the previous keyframe (frame 0), which was accepted, and seek again
     * forever.
     */
    @Test
    void decodeTimesAheadOfDisplayWithEditList() throws Exception {
        Path src = TestVideos.write(dir.resolve("plain.mp4"), FRAMES, W, H, 25, VideoWriter.Codec.H264, 25);
        Path p = remuxWithDtsDelay(src, dir.resolve("dts-ahead.mp4"), 2);
        assertSameFramesWithAndWithoutSeeks(p, SPARSE);
    }

    /** MPEG-2 with open GOPs and 2 B-frames: the B-frames after a keyframe refer to the GOP before it. */
    @Test
    void openGopMpeg2() throws Exception {
        for (String ext : new String[] {"mp4", "mkv"}) {
            Path p = writeBFrames(dir.resolve("open-gop." + ext), "mpeg2video", 25, 2, false);
            assertSameFramesWithAndWithoutSeeks(p, SPARSE);
        }
    }

    /** MPEG-4 part 2 with B-frames and closed GOPs at 25 fps (mp4 time base 1/12800, as in the report). */
    @Test
    void bFramesMpeg4() throws Exception {
        Path p = writeBFrames(dir.resolve("bframes.mp4"), "mpeg4", 25, 2, true);
        assertSameFramesWithAndWithoutSeeks(p, SPARSE);
    }

    /** A long stretch of sparse reads, as training's random clips and predict's views do, stays bounded. */
    @Test
    void manyReadsOfOneSourceEnd() throws Exception {
        Path src = TestVideos.write(dir.resolve("plain.mp4"), FRAMES, W, H, 25, VideoWriter.Codec.H264, 25);
        Path p = remuxWithDtsDelay(src, dir.resolve("dts-ahead.mp4"), 2);
        try (VideoSource v = VideoSource.open(p)) {
            for (int start = 0; start + 60 < FRAMES; start += 7) {
                int s = start;
                DecodedClip c = v.read(n -> new int[] {s, s + 20, s + 40, s + 60}, 0);
                for (int t = 0; t < 4; t++) assertEquals(c.indices()[t] % 14, TestVideos.frameIndexOf(c, t), "frame " + c.indices()[t]);
            }
        }
    }

    private static void assertSameFramesWithAndWithoutSeeks(Path p, FrameSampler sampler) throws Exception {
        DecodedClip through, seeking;
        try (VideoSource v = VideoSource.open(p, VideoSource.Options.defaults().withKeyframeSeeks(false))) {
            through = v.read(sampler, 0);
        }
        try (VideoSource v = VideoSource.open(p)) {
            seeking = v.read(sampler, 0);
            assertTrue(((FileVideoSource) v).seeks() <= 5, "seeks: " + ((FileVideoSource) v).seeks());
        }
        assertArrayEquals(through.indices(), seeking.indices());
        assertEquals(through.frameCount(), seeking.frameCount(), p + ": frame count");
        for (int t = 0; t < through.frames(); t++) {
            assertEquals(through.indices()[t] % 14, TestVideos.frameIndexOf(through, t), p + ": frame " + through.indices()[t]);
        }
        assertArrayEquals(through.rgb(), seeking.rgb(), p + ": frames differ after seeking");
    }

    /** Encodes {@link TestVideos} frames with a B-frame codec; GOP 25. */
    static Path writeBFrames(Path p, String codec, int fps, int bFrames, boolean closedGop) throws Exception {
        try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(p.toFile(), W, H, 0); Frame f = new Frame(W, H, Frame.DEPTH_UBYTE, 3)) {
            r.setVideoCodecName(codec);
            r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            r.setFrameRate(fps);
            r.setGopSize(25);
            r.setVideoOption("bf", Integer.toString(bFrames));
            r.setVideoOption("sc_threshold", "1000000000");
            if (closedGop) r.setVideoOption("flags", "+cgop");
            r.setVideoQuality(2);
            r.start();
            for (int t = 0; t < FRAMES; t++) {
                byte[] rgb = TestVideos.frame(t, W, H);
                ByteBuffer b = (ByteBuffer) f.image[0];
                for (int y = 0; y < H; y++) b.put(y * f.imageStride, rgb, y * W * 3, W * 3);
                r.record(f, avutil.AV_PIX_FMT_RGB24);
            }
        }
        return p;
    }

    /**
     * Copies the video stream of {@code src} into a new mp4, moving every decode timestamp {@code frames}
     * frame durations earlier (display times unchanged): the muxer writes a composition offset and an
     * edit list, as for x264 B-pyramid output. Only every third keyframe keeps its keyframe flag (the
     * encoder's keyframes are close together; fewer index entries make the seeks long).
     */
    static Path remuxWithDtsDelay(Path src, Path dst, int frames) throws Exception {
        AVFormatContext in = new AVFormatContext(null);
        AVFormatContext out = new AVFormatContext(null);
        AVPacket pkt = av_packet_alloc();
        try {
            check(avformat_open_input(in, src.toString(), null, null));
            check(avformat_find_stream_info(in, (PointerPointer<?>) null));
            check(avformat_alloc_output_context2(out, null, null, dst.toString()));
            AVStream is = in.streams(0);
            AVStream os = avformat_new_stream(out, null);
            check(avcodec_parameters_copy(os.codecpar(), is.codecpar()));
            os.codecpar().codec_tag(0);
            os.time_base(is.time_base());
            if ((out.oformat().flags() & AVFMT_NOFILE) == 0) {
                AVIOContext pb = new AVIOContext(null);
                check(avio_open(pb, dst.toString(), AVIO_FLAG_WRITE));
                out.pb(pb);
            }
            check(avformat_write_header(out, (AVDictionary) null));
            int keyframes = 0;
            while (av_read_frame(in, pkt) >= 0) {
                if (pkt.stream_index() == 0) {
                    if ((pkt.flags() & AV_PKT_FLAG_KEY) != 0 && keyframes++ % 3 != 0) pkt.flags(pkt.flags() & ~AV_PKT_FLAG_KEY);
                    long d = pkt.duration() > 0 ? pkt.duration() : 1;
                    long pts = avutil.av_rescale_q(pkt.pts(), is.time_base(), os.time_base());
                    long dur = avutil.av_rescale_q(d, is.time_base(), os.time_base());
                    pkt.pts(pts);
                    pkt.dts(pts - frames * dur);
                    pkt.duration(dur);
                    pkt.stream_index(0);
                    check(av_interleaved_write_frame(out, pkt));
                }
                av_packet_unref(pkt);
            }
            check(av_write_trailer(out));
        } finally {
            av_packet_free(pkt);
            avformat_close_input(in);
            if (out.pb() != null && !out.pb().isNull()) avio_closep(out.pb());
            avformat_free_context(out);
        }
        return dst;
    }

    private static void check(int r) {
        if (r < 0) throw new IllegalStateException("FFmpeg error " + FfmpegDecoder.errorText(r));
    }
}
