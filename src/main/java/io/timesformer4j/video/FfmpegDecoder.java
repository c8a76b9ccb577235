package io.timesformer4j.video;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_DATA_DISPLAYMATRIX;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_side_data_get;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avcodec.AVDISCARD_DEFAULT;
import static org.bytedeco.ffmpeg.global.avcodec.AVDISCARD_NONREF;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_NOTIMESTAMPS;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FLAG_BACKWARD;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_seek_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_index_get_entries_count;
import static org.bytedeco.ffmpeg.global.avformat.avformat_index_get_entry;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_BT709;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_FLAG_RGB;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_NV12;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV422P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV444P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ422P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ444P;
import static org.bytedeco.ffmpeg.global.avutil.av_display_rotation_get;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_pix_fmt_desc_get;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_DEFAULT;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_ITU709;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCoefficients;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.ffmpeg.global.swscale.sws_setColorspaceDetails;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIndexEntry;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVPixFmtDescriptor;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One FFmpeg demuxer + decoder for the best video stream of a file (raw avformat/avcodec/swscale API):
 * decode the next frame, convert the current frame to packed RGB24 at a given size (swscale straight
 * from the decoder's pixel format, rows copied out with the buffer's stride), seek to a keyframe.
 * Not thread-safe; all native memory is freed by {@link #close()}.
 */
final class FfmpegDecoder implements AutoCloseable {
    private static final int AVINDEX_KEYFRAME = 1;
    /** Stop after this many decode errors in a row (a hopelessly damaged stream). */
    private static final int MAX_CONSECUTIVE_ERRORS = 500;
    private static final int EAGAIN = org.bytedeco.ffmpeg.presets.avutil.AVERROR_EAGAIN();

    private final Path path;
    private AVFormatContext fmt;
    private AVCodecContext ctx;
    private AVPacket pkt;
    private AVFrame frame;
    private final int stream;
    private final AVStream st;
    private boolean eofSent;
    private boolean finished;
    /** The first error of {@code av_read_frame} other than end of file (a truncated or damaged file), 0 when none. */
    private int readError;

    private SwsContext sws;
    private BytePointer dst;
    private long dstCapacity;
    private final PointerPointer<BytePointer> dstData = new PointerPointer<>(4);
    private final IntPointer dstStride = new IntPointer(4);
    private int swsKey = Integer.MIN_VALUE;
    private long swsAddress;
    /** YUV-to-YUV resize context and its output frame (see {@link #rgb(int, int)}). */
    private SwsContext yuvScale;
    private AVFrame mid;

    final int width;
    final int height;
    final String codecName;
    final long tbNum;
    final long tbDen;
    /** Average frame rate as a fraction; {0, 1} when unknown. */
    final long fpsNum;
    final long fpsDen;
    final long nbFrames;
    final double durationSeconds;
    /** Format start time in microseconds (0 when unknown). */
    final long startMicros;
    /** Counter-clockwise rotation of the display matrix, NaN when none. */
    final double displayRotation;

    FfmpegDecoder(Path path, int threads) throws VideoException {
        this.path = path;
        boolean ok = false;
        try {
            fmt = new AVFormatContext(null);
            check(avformat_open_input(fmt, path.toString(), null, null), "not a readable video");
            check(avformat_find_stream_info(fmt, (PointerPointer<?>) null), "not a readable video (no stream info)");
            stream = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
            if (stream < 0) throw new VideoException(path, "no video stream");
            st = fmt.streams(stream);
            AVCodecParameters par = st.codecpar();
            AVCodec dec = avcodec_find_decoder(par.codec_id());
            if (dec == null || dec.isNull()) throw new VideoException(path, "no decoder for the video codec (id " + par.codec_id() + ")");
            ctx = avcodec_alloc_context3(dec);
            check(avcodec_parameters_to_context(ctx, par), "cannot configure the decoder");
            ctx.thread_count(threads);
            check(avcodec_open2(ctx, dec, (PointerPointer<?>) null), "cannot open the " + dec.name().getString() + " decoder");
            pkt = av_packet_alloc();
            frame = av_frame_alloc();
            width = par.width();
            height = par.height();
            if (width <= 0 || height <= 0) throw new VideoException(path, "video stream has no frame size");
            codecName = dec.name().getString();
            AVRational tb = st.time_base();
            tbNum = tb.num();
            tbDen = tb.den();
            AVRational fr = st.avg_frame_rate();
            if (fr.num() <= 0 || fr.den() <= 0) fr = st.r_frame_rate();
            if (fr.num() > 0 && fr.den() > 0) {
                fpsNum = fr.num();
                fpsDen = fr.den();
            } else {
                fpsNum = 0;
                fpsDen = 1;
            }
            nbFrames = st.nb_frames();
            double d = fmt.duration() > 0 ? fmt.duration() / 1e6 : 0;
            if (d <= 0 && st.duration() > 0 && tbDen > 0) d = st.duration() * (double) tbNum / tbDen;
            durationSeconds = d;
            startMicros = fmt.start_time() == AV_NOPTS_VALUE ? 0 : fmt.start_time();
            AVPacketSideData sd = av_packet_side_data_get(par.coded_side_data(), par.nb_coded_side_data(), AV_PKT_DATA_DISPLAYMATRIX);
            displayRotation = sd == null || sd.isNull() || sd.size() < 36 ? Double.NaN
                    : av_display_rotation_get(new IntPointer(sd.data()));
            ok = true;
        } finally {
            if (!ok) close();
        }
    }

    private void check(int ret, String what) throws VideoException {
        if (ret < 0) throw new VideoException(path, what + " (FFmpeg: " + errorText(ret) + ")");
    }

    static String errorText(int code) {
        byte[] buf = new byte[256];
        if (av_strerror(code, buf, buf.length) != 0) return "error " + code;
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    /** Packets whose frames may be dropped when nothing refers to them ({@link #skipNonReference}); null: none. */
    private java.util.function.LongPredicate skippable;

    /**
     * Decodes the next frame. Broken packets are skipped, as the ffmpeg CLI does.
     *
     * @return false at the end of the stream
     */
    boolean next() {
        if (finished) return false;
        int errors = 0;
        while (true) {
            int r = avcodec_receive_frame(ctx, frame);
            if (r == 0) return true;
            if (r == AVERROR_EOF) {
                finished = true;
                return false;
            }
            if (r != EAGAIN && ++errors > MAX_CONSECUTIVE_ERRORS) {
                finished = true;
                return false;
            }
            if (eofSent) {
                if (r == EAGAIN) {          // a decoder that never reports EOF after draining
                    finished = true;
                    return false;
                }
                continue;
            }
            r = av_read_frame(fmt, pkt);
            if (r < 0) {                    // end of file or unreadable rest: drain the decoder
                if (r != AVERROR_EOF && readError == 0) readError = r;
                avcodec_send_packet(ctx, null);
                eofSent = true;
                continue;
            }
            if (pkt.stream_index() == stream) {
                if (skippable != null) ctx.skip_frame(skippable.test(pkt.pts()) ? AVDISCARD_NONREF : AVDISCARD_DEFAULT);
                if (avcodec_send_packet(ctx, pkt) < 0 && ++errors > MAX_CONSECUTIVE_ERRORS) {
                    av_packet_unref(pkt);
                    finished = true;
                    return false;
                }
            }
            av_packet_unref(pkt);
        }
    }

    /**
     * From now on, a packet whose presentation timestamp passes {@code skippable} is decoded only if other frames
     * refer to it: the decoder drops it when it is a non-reference frame (most B-frames), which changes no other
     * frame ({@code AVDISCARD_NONREF}); such frames then never come out of {@link #next}. Null: decode every frame.
     */
    void skipNonReference(java.util.function.LongPredicate skippable) {
        this.skippable = skippable;
        if (skippable == null && ctx != null) ctx.skip_frame(AVDISCARD_DEFAULT);
    }

    /** Presentation timestamp of the current frame in the stream time base, or {@code AV_NOPTS_VALUE}. */
    long pts() {
        return frame.best_effort_timestamp();
    }

    /** Duration of the current frame in the stream time base (0 when unknown). */
    long duration() {
        return Math.max(0, frame.duration());
    }

    /**
     * The current frame as packed {@code (outH, outW, 3)} RGB24.
     *
     * <p>A resized planar YUV frame is scaled in YUV first (swscale's SIMD planar scalers) and then converted
     * to RGB at the output size, which takes swscale's fast unscaled YUV-to-RGB path. Asking swscale for the
     * resize and the conversion in one call takes its generic scaled RGB output path instead: 3-8x slower
     * per frame (docs/video.md). The two orders differ by rounding only (a few levels, {@code RgbConversionTest}).
     */
    byte[] rgb(int outW, int outH) {
        return rgb(outW, outH, DIRECT_FOR_BENCHMARKS);
    }

    /** {@code -Dtimesformer.decode.direct=true}: the old one-call order, for before/after decode benchmarks only. */
    private static final boolean DIRECT_FOR_BENCHMARKS = Boolean.getBoolean("timesformer.decode.direct");

    /** {@link #rgb(int, int)}; {@code direct} forces the one-call scaled conversion (the reference path). */
    byte[] rgb(int outW, int outH, boolean direct) {
        int w = frame.width(), h = frame.height(), pix = frame.format();
        if (!direct && (outW != w || outH != h) && scalesInYuv(pix)) {
            if (mid == null || mid.width() != outW || mid.height() != outH || mid.format() != pix) {
                if (mid != null) av_frame_free(mid);
                mid = av_frame_alloc();
                mid.width(outW);
                mid.height(outH);
                mid.format(pix);
                if (av_frame_get_buffer(mid, 64) < 0) throw new IllegalStateException(path + ": out of memory for a frame");
            }
            yuvScale = sws_getCachedContext(yuvScale, w, h, pix, outW, outH, pix, SWS_BILINEAR, null, null, (DoublePointer) null);
            if (yuvScale == null || yuvScale.isNull()) throw new IllegalStateException(path + ": swscale cannot scale pixel format " + pix);
            sws_scale(yuvScale, frame.data(), frame.linesize(), 0, h, mid.data(), mid.linesize());
            return toRgb(mid.data(), mid.linesize(), outW, outH, pix, outW, outH);
        }
        return toRgb(frame.data(), frame.linesize(), w, h, pix, outW, outH);
    }

    /** 8-bit planar YUV formats (and NV12) whose unscaled conversion to RGB24 has swscale's fast path. */
    private static boolean scalesInYuv(int pix) {
        return pix == AV_PIX_FMT_YUV420P || pix == AV_PIX_FMT_YUVJ420P || pix == AV_PIX_FMT_YUV422P
                || pix == AV_PIX_FMT_YUVJ422P || pix == AV_PIX_FMT_YUV444P || pix == AV_PIX_FMT_YUVJ444P
                || pix == AV_PIX_FMT_NV12;
    }

    /** swscale from {@code (w, h, pix)} planes to packed RGB24 {@code (outH, outW, 3)}, colour matrix and range of the frame. */
    private byte[] toRgb(PointerPointer<?> srcData, IntPointer srcStride, int w, int h, int pix, int outW, int outH) {
        sws = sws_getCachedContext(sws, w, h, pix, outW, outH, AV_PIX_FMT_RGB24, SWS_BILINEAR, null, null, (DoublePointer) null);
        if (sws == null || sws.isNull()) throw new IllegalStateException(path + ": swscale cannot convert pixel format " + pix);
        // a new context (other size or format) starts with swscale's default matrix: set ours again
        int key = java.util.Objects.hash(pix, frame.color_range(), frame.colorspace(), w, h, outW, outH);
        if (key != swsKey || sws.address() != swsAddress) {
            setColorspace(pix);
            swsKey = key;
            swsAddress = sws.address();
        }
        int stride = (outW * 3 + 63) & ~63;              // aligned rows for swscale's SIMD paths
        long need = (long) stride * outH + 64;
        if (dst == null || dstCapacity < need) {
            if (dst != null) dst.close();
            dst = new BytePointer(need);
            dstCapacity = need;
        }
        dstData.put(0, dst);
        dstStride.put(0, stride);
        sws_scale(sws, srcData, srcStride, 0, h, dstData, dstStride);
        ByteBuffer buf = dst.position(0).capacity(need).asByteBuffer();
        return Frames.copyPacked(buf, stride, outW, outH);
    }

    /** YUV sources: the frame's matrix (BT.709 or BT.601) and range (full for JPEG-range), as ffmpeg's scale filter does. */
    private void setColorspace(int pix) {
        AVPixFmtDescriptor d = av_pix_fmt_desc_get(pix);
        if (d == null || d.isNull() || (d.flags() & AV_PIX_FMT_FLAG_RGB) != 0 || d.nb_components() < 3) return;
        boolean full = frame.color_range() == AVCOL_RANGE_JPEG
                || pix == AV_PIX_FMT_YUVJ420P || pix == AV_PIX_FMT_YUVJ422P || pix == AV_PIX_FMT_YUVJ444P;
        IntPointer coeffs = sws_getCoefficients(frame.colorspace() == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_DEFAULT);
        sws_setColorspaceDetails(sws, coeffs, full ? 1 : 0, sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    }

    /** The first demuxer error other than end of file since opening (0 when none): the rest of the file is unreadable. */
    int readError() {
        return readError;
    }

    /**
     * Where the container's index says the stream's data ends: the largest {@code pos + size} of its entries
     * (mp4 lists every frame, so this is the end of the last frame's bytes); -1 without an index. A file shorter
     * than this was cut (a faststart mp4 keeps its index at the front). Only the last 4096 entries (by time) are
     * looked at, so that opening an hour-long mp4 per clip stays cheap: in any interleaving a muxer writes, the
     * last frames' data sits at the end of the file.
     */
    long indexedDataEnd() {
        int n = avformat_index_get_entries_count(st);
        long end = -1;
        for (int i = Math.max(0, n - 4096); i < n; i++) {
            AVIndexEntry e = avformat_index_get_entry(st, i);
            if (e != null && !e.isNull() && e.pos() >= 0) end = Math.max(end, e.pos() + Math.max(0, e.size()));
        }
        return end;
    }

    /** Entries in the container's index for the stream (mp4: one per frame). */
    int indexEntries() {
        return avformat_index_get_entries_count(st);
    }

    /** The container has no real timestamps (raw elementary streams): FFmpeg's {@code AVFMT_NOTIMESTAMPS}. */
    private boolean timestampsUnreliable() {
        return fmt.iformat() != null && !fmt.iformat().isNull() && (fmt.iformat().flags() & AVFMT_NOTIMESTAMPS) != 0;
    }

    /**
     * How long the current frame lasts, in the stream time base, by the rule the ffmpeg CLI uses for the
     * end-of-stream time it hands to its filters (so {@code -vf fps=R} ends where ffmpeg ends): the frame's own
     * duration (from the packet; trusted unless the container has no timestamps, or it is 1 while the frames
     * are further apart); for containers without timestamps the codec's frame rate; else the distance to
     * the previous frame; else the frame or codec duration; else 1/average fps; else the previous estimate.
     *
     * @param prevPts timestamp of the previous frame ({@code AV_NOPTS_VALUE} for the first)
     * @param prevEst the previous frame's estimate (0 for the first)
     */
    long durationEstimate(long prevPts, long prevEst) {
        long pts = pts(), d = frame.duration();
        long tsDiff = pts != AV_NOPTS_VALUE && prevPts != AV_NOPTS_VALUE ? pts - prevPts : -1;
        boolean tsUnreliable = timestampsUnreliable();
        boolean durationUnreliable = d == 1 && tsDiff > 2 * d;
        if (d > 0 && !tsUnreliable && !durationUnreliable) return d;
        long codecDuration = 0;
        AVRational fr = ctx.framerate();
        if (fr.num() > 0 && fr.den() > 0 && tbNum > 0) {           // (repeat_pict + 2) fields at 2 * framerate
            codecDuration = rescaleNear(frame.repeat_pict() + 2L, fr.den() * tbDen, 2L * fr.num() * tbNum);
        }
        if (codecDuration > 0 && tsUnreliable) return codecDuration;
        if (tsDiff > 0) return tsDiff;
        if (d > 0) return d;
        if (codecDuration > 0) return codecDuration;
        if (fpsNum > 0 && tbNum > 0) {
            long f = rescaleNear(1, fpsDen * tbDen, fpsNum * tbNum);
            if (f > 0) return f;
        }
        return Math.max(prevEst, 1);
    }

    /** {@code a * b / c} rounded to nearest (halves away from zero), as {@code av_rescale}. */
    private static long rescaleNear(long a, long b, long c) {
        try {
            long n = Math.multiplyExact(a, b);
            return (n + c / 2) / c;
        } catch (ArithmeticException e) {
            return 0;
        }
    }

    /** Keyframe timestamps from the container's index (stream time base), sorted; empty when there is no index. */
    long[] keyframeTimestamps() {
        int n = avformat_index_get_entries_count(st);
        long[] ts = new long[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            AVIndexEntry e = avformat_index_get_entry(st, i);
            if (e != null && !e.isNull() && (e.flags() & AVINDEX_KEYFRAME) != 0) ts[k++] = e.timestamp();
        }
        long[] out = Arrays.copyOf(ts, k);
        Arrays.sort(out);
        return out;
    }

    /**
     * True for a Matroska/WebM file whose index is not loaded yet: its demuxer reads the cues at the end of
     * the file only when asked to seek.
     */
    boolean deferredIndex() {
        String name = fmt.iformat() == null || fmt.iformat().isNull() ? "" : fmt.iformat().name().getString();
        return name.contains("matroska") && avformat_index_get_entries_count(st) <= 1;
    }

    /** The stream's first timestamp (0 when unknown). */
    long startPts() {
        return st.start_time() == AV_NOPTS_VALUE ? 0 : st.start_time();
    }

    /**
     * Seeks to the last keyframe at or before display time {@code ts} (stream time base) and resets the
     * decoder; where it really lands shows in the next frame's timestamp.
     */
    boolean seekKeyframe(long ts) {
        if (av_seek_frame(fmt, stream, ts, AVSEEK_FLAG_BACKWARD) < 0) return false;
        avcodec_flush_buffers(ctx);
        eofSent = false;
        finished = false;
        return true;
    }

    @Override
    public void close() {
        if (sws != null) sws_freeContext(sws);
        sws = null;
        if (yuvScale != null) sws_freeContext(yuvScale);
        yuvScale = null;
        if (mid != null) av_frame_free(mid);
        mid = null;
        if (dst != null) dst.close();
        dst = null;
        if (frame != null) av_frame_free(frame);
        frame = null;
        if (pkt != null) av_packet_free(pkt);
        pkt = null;
        if (ctx != null) avcodec_free_context(ctx);
        ctx = null;
        if (fmt != null && !fmt.isNull()) avformat_close_input(fmt);
        fmt = null;
        dstData.close();
        dstStride.close();
    }
}
