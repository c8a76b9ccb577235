package io.timesformer4j.video;

import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A video file decoded by {@link FfmpegDecoder}. Frames are numbered in decode (presentation) order from 0.
 * Only wanted frames are converted by swscale; the others are decoded and dropped.
 *
 * <p>Keyframe seeks: when the next wanted frame lies far ahead and the container's index has a keyframe
 * at least {@link #MIN_SEEK_GAIN} frames past the current position but not past the wanted frame, the
 * decoder jumps instead of decoding through: a non-exact {@code av_seek_frame} BACKWARD to the wanted
 * frame's display time, which lands on the last keyframe shown at or before it, then decoding forward.
 * (Index timestamps are decode times in mp4; with B-frames they run ahead of display times, so seeking to
 * an index timestamp lands on an earlier keyframe.) Seeking relies on timestamps to know which frame it
 * landed on, so it is used only while every frame so far had timestamp {@code pts0 + i/fps} (constant
 * frame rate); any irregularity turns it off and the read restarts sequentially.
 *
 * <p>Non-reference frames: after a seek, while timestamps are regular and the decoder runs on one thread,
 * packets whose display index is not wanted are handed to the decoder with {@code AVDISCARD_NONREF}, so it
 * drops the frames nothing refers to (most B-frames; no other frame changes) and they never come out: the
 * indices then jump over them. A gap that would cover a wanted frame, or the stream ending in a pass that
 * dropped frames (the frame count would come out short), restarts the read without dropping.
 *
 * <p>Bounds: a seek that does not move forward (it lands before the current position) turns seeking off
 * for this source and decoding goes on from where it landed; at most one seek per wanted frame and read;
 * and a read that decodes more than {@code 8 * (last wanted + 1) + 10000} frames stops with an error.
 */
final class FileVideoSource implements VideoSource {
    /** A seek must skip at least this many frames (below it, decoding through is as cheap). */
    static final int MIN_SEEK_GAIN = 16;

    private final Path path;
    private final Options options;
    private FfmpegDecoder dec;
    private final VideoInfo info;
    /** Index of the frame the next {@code dec.next()} returns. */
    private int next;
    /** Timestamp of frame 0, once decoded. */
    private long pts0 = AV_NOPTS_VALUE;
    /** True while every decoded frame's timestamp matched its index (constant frame rate). */
    private boolean regular = true;
    /** A seek happened since the last restart: indices now come from timestamps. */
    private boolean seeked;
    private long[] keyframes;
    private int seeks;
    /** A seek landed before the position it started from: the index cannot be trusted, no more seeks. */
    private boolean seeksOff;
    private final long fileSize;
    /** End of the frame data by the container's index ({@link FfmpegDecoder#indexedDataEnd}), once asked; -2 before. */
    private long indexedEnd = -2;
    /** Frames dropped as non-reference so far (for tests and the benchmark). */
    private long dropped;
    /** Dropping non-reference frames went wrong once: decode every frame from now on. */
    private boolean dropOff;

    private FileVideoSource(Path path, FfmpegDecoder dec, Options options, long fileSize) {
        this.path = path;
        this.fileSize = fileSize;
        this.dec = dec;
        this.options = options;
        int rotation = Frames.clockwiseFromDisplayAngle(dec.displayRotation);
        boolean swap = rotation == 90 || rotation == 270;
        double fps = dec.fpsNum > 0 ? (double) dec.fpsNum / dec.fpsDen : 0;
        long count = dec.nbFrames > 0 ? dec.nbFrames : Math.round(dec.durationSeconds * fps);
        this.info = new VideoInfo(path, swap ? dec.height : dec.width, swap ? dec.width : dec.height, fps,
                (int) Math.min(Integer.MAX_VALUE, Math.max(0, count)), dec.durationSeconds, dec.codecName, rotation);
    }

    static FileVideoSource open(Path path, Options options) throws VideoException {
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new VideoException(path, "cannot read file (" + e.getMessage() + ")", e);
        }
        if (size == 0) throw new VideoException(path, "empty file (0 bytes)");
        return new FileVideoSource(path, new FfmpegDecoder(path, options.decoderThreads()), options, size);
    }

    @Override
    public VideoInfo info() {
        return info;
    }

    /** Keyframe seeks done so far (for tests and the benchmark). */
    int seeks() {
        return seeks;
    }

    /** Non-reference frames the decoder dropped so far (for tests and the benchmark). */
    long droppedFrames() {
        return dropped;
    }

    @Override
    public DecodedClip read(FrameSampler sampler, int shortSide) throws VideoException {
        if (dec == null) throw new IllegalStateException(path + ": source is closed");
        int[] size = Frames.scaledSize(dec.width, dec.height, shortSide);
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
                    throw new VideoException(path, "frame " + asm.firstMissing() + " did not decode on a second pass");
                }
            }
        }
        boolean swap = info.rotationDegrees() == 90 || info.rotationDegrees() == 270;
        return asm.build(path, swap ? size[0] : size[1], swap ? size[1] : size[0], frameCount)
                .withWarning(damage(pass.reachedEnd, frameCount));
    }

    /**
     * Why the file looks truncated or damaged although frames decode, or null. Checked, in this order: the
     * container's index places frame data past the end of the file (a cut faststart mp4: known without decoding
     * to the end); the decode reached the end with fewer frames than the container lists (more than one frame
     * short when the container counts its frames, more than 2 % when the count comes from its duration); the
     * demuxer failed with an error other than end of file.
     *
     * @param reachedEnd the decode reached the end of the stream
     * @param decoded    frames decoded (meaningful when {@code reachedEnd})
     */
    String damage(boolean reachedEnd, int decoded) {
        int claimed = info.frameCountHint();
        if (indexedEnd == -2) indexedEnd = dec.indexedDataEnd();
        if (indexedEnd > fileSize) {
            return "truncated file: the container lists " + (claimed > 0 ? claimed + " frames" : "frame data") + " up to byte "
                    + indexedEnd + " but the file has " + fileSize + " bytes" + (reachedEnd ? "; " + decoded + " frames decode" : "");
        }
        int tolerance = dec.nbFrames > 0 ? 1 : Math.max(2, claimed / 50);
        if (reachedEnd && claimed > 0 && decoded < claimed - tolerance) {
            return "the container lists " + claimed + " frames but only " + decoded + " decode (truncated or damaged file)";
        }
        if (dec.readError() != 0) {
            return "reading stopped at unreadable data" + (reachedEnd ? " after " + decoded + " frames" : "") + " (FFmpeg: "
                    + FfmpegDecoder.errorText(dec.readError()) + "; truncated or damaged file)";
        }
        return null;
    }

    private record Pass(int decoded, boolean reachedEnd) {}

    /** Decodes forward until every wanted frame is in {@code asm} or the stream ends. */
    private Pass decode(ClipAssembler asm, int[] size) throws VideoException {
        try {
            return decodeDropping(asm, size);
        } finally {
            if (dec != null) dec.skipNonReference(null);
        }
    }

    /** Whether the frame shown at {@code pts} may be dropped when nothing refers to it: after a seek, not wanted. */
    private boolean droppable(ClipAssembler asm, long pts) {
        if (!seeked || !regular || seeksOff || dropOff) return false;
        long i = ptsIndex(pts, true);
        return i >= next && i <= Integer.MAX_VALUE && !asm.wants((int) i);
    }

    private Pass decodeDropping(ClipAssembler asm, int[] size) throws VideoException {
        if (asm.firstMissing() >= 0 && asm.firstMissing() < next) restart();
        if (next == 0 && options.keyframeSeeks() && dec.deferredIndex() && asm.lastWanted() >= 2 * MIN_SEEK_GAIN) {
            // Matroska/WebM read their cues (the keyframe index) on the first seek: seek to the start now, where
            // it costs nothing, so that later seeks know where the keyframes are.
            dec.seekKeyframe(dec.startPts());
            keyframes = null;
        }
        long steps = 0, maxSteps = 8L * (asm.lastWanted() + 1) + 10_000;
        int seeksLeft = asm.wantedSorted().length;
        long droppedBefore = dropped;
        boolean dropping = options.keyframeSeeks() && options.decoderThreads() == 1 && !dropOff;
        if (dropping) dec.skipNonReference(pts -> droppable(asm, pts));
        while (!asm.complete()) {
            if (++steps > maxSteps) {
                throw new VideoException(path, "decoding did not reach frame " + asm.firstMissing() + " after " + maxSteps + " frames");
            }
            int target = asm.firstMissing();
            int before = next;
            boolean justSeeked = seeksLeft > 0 && maybeSeek(target);
            if (justSeeked) seeksLeft--;
            if (!dec.next()) {
                if (dropped > droppedBefore) {
                    // the end came in a pass that dropped frames: count them by decoding through, without dropping
                    dropOff = true;
                    restart();
                    return decodeDropping(asm, size);
                }
                return new Pass(next, true);
            }
            int idx = indexOfCurrent(justSeeked, asm);
            if (idx < 0 || (justSeeked && idx > target)) {
                // Timestamps do not say where a seek landed: forget seeking, start again from frame 0.
                regular = false;
                restart();
                continue;
            }
            if (justSeeked && idx < before) seeksOff = true;   // it went backwards: decode through from here
            if (asm.wants(idx)) asm.put(idx, Frames.rotate(dec.rgb(size[0], size[1]), size[0], size[1], info.rotationDegrees()));
            next = idx + 1;
        }
        return new Pass(next, false);
    }

    /**
     * Index of the frame just decoded: its ordinal before any seek, its timestamp's index after one (-1 when
     * unusable). After a seek the index may jump forward over frames the decoder dropped, never over a wanted one.
     */
    private int indexOfCurrent(boolean justSeeked, ClipAssembler asm) {
        long pts = dec.pts();
        if (!seeked) {
            if (next == 0) pts0 = pts;
            if (regular && ptsIndex(pts, true) != next) regular = false;
            return next;
        }
        long i = ptsIndex(pts, true);
        if (i < 0 || i > Integer.MAX_VALUE) return -1;
        if (!justSeeked && i != next) {
            if (i < next || dropOff) return -1;
            int missing = asm.firstMissing();
            if (missing >= next && missing < i) {        // a wanted frame did not come out: stop dropping
                dropOff = true;
                return -1;
            }
            dropped += i - next;
        }
        return (int) i;
    }

    /**
     * Frame index of a timestamp at the average frame rate: {@code (pts - pts0) * tb * fps}. With
     * {@code exact}, -1 unless it is within a quarter frame of an integer.
     */
    private long ptsIndex(long pts, boolean exact) {
        if (pts == AV_NOPTS_VALUE || pts0 == AV_NOPTS_VALUE || dec.fpsNum <= 0 || dec.tbDen <= 0) return -1;
        try {
            long num = Math.multiplyExact(Math.multiplyExact(pts - pts0, dec.tbNum), dec.fpsNum);
            long den = Math.multiplyExact(dec.tbDen, dec.fpsDen);
            long idx = Math.floorDiv(2 * num + den, 2 * den);
            if (exact && Math.abs(num - idx * den) * 4 > den) return -1;
            return idx;
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    /**
     * Jumps to the last keyframe at or before {@code target} when the index says that skips at least
     * {@link #MIN_SEEK_GAIN} frames; true when it did.
     */
    private boolean maybeSeek(int target) {
        if (!options.keyframeSeeks() || !regular || seeksOff || next == 0 || target - next < MIN_SEEK_GAIN) return false;
        if (keyframes == null) keyframes = dec.keyframeTimestamps();
        for (int k = keyframes.length - 1; k >= 0; k--) {
            long ki = ptsIndex(keyframes[k], false);
            if (ki < 0 || ki > target) continue;
            if (ki - next < MIN_SEEK_GAIN) break;
            long ts = ptsOf(target);
            if (ts == AV_NOPTS_VALUE || !dec.seekKeyframe(ts)) return false;
            seeked = true;
            seeks++;
            return true;
        }
        return false;
    }

    /** Display timestamp of frame {@code index} at the average frame rate (inverse of {@link #ptsIndex}). */
    private long ptsOf(int index) {
        if (pts0 == AV_NOPTS_VALUE || dec.fpsNum <= 0 || dec.tbNum <= 0) return AV_NOPTS_VALUE;
        try {
            long num = Math.multiplyExact(Math.multiplyExact((long) index, dec.tbDen), dec.fpsDen);
            long den = Math.multiplyExact(dec.tbNum, dec.fpsNum);
            return Math.addExact(pts0, Math.floorDiv(2 * num + den, 2 * den));
        } catch (ArithmeticException e) {
            return AV_NOPTS_VALUE;
        }
    }

    /** Receives every decoded frame of {@link #forEachFrame}. */
    interface FrameSink {
        /**
         * @param index frame number, from 0
         * @param tNum  timestamp numerator: the frame is shown {@code tNum/tDen} seconds after the file's start
         * @param rgb   packed {@code (h, w, 3)} upright frame, owned by the callee
         */
        void frame(int index, long tNum, long tDen, byte[] rgb, int w, int h) throws IOException;
    }

    /**
     * Decodes the whole video from the start, in order, and hands each upright frame with its exact
     * timestamp to {@code sink}.
     *
     * @return {@code {frames, endNum, endDen}}: frame count and the end time in seconds as {@code endNum/endDen}:
     *         the last frame's timestamp plus its duration as the ffmpeg CLI estimates it
     *         ({@link FfmpegDecoder#durationEstimate}: the packet's duration when the container has one). The gap to
     *         the previous frame is not used when a duration is known: in a truncated file with B-frames the last
     *         frame decoded can be several frames after the one before it, and repeating that gap made
     *         {@code extract} write 2 frames (32, not ffmpeg's 29..31) past the end.
     */
    long[] forEachFrame(int shortSide, FrameSink sink) throws IOException {
        if (next > 0 || seeked) restart();
        int[] size = Frames.scaledSize(dec.width, dec.height, shortSide);
        boolean swap = info.rotationDegrees() == 90 || info.rotationDegrees() == 270;
        long tbNum = dec.tbNum, tbDen = dec.tbDen;
        long startTb = dec.startMicros * tbDen;                        // start time, in units of 1/(tbDen*1e6) s
        long den = tbDen * 1_000_000L;
        long lastPts = Long.MIN_VALUE, lastEstimate = 0;
        while (dec.next()) {
            long pts = dec.pts();
            if (pts == AV_NOPTS_VALUE) pts = lastPts == Long.MIN_VALUE ? 0 : lastPts + Math.max(1, lastEstimate);
            if (lastPts != Long.MIN_VALUE && pts <= lastPts) pts = lastPts + 1;   // broken timestamps: keep order
            byte[] rgb = Frames.rotate(dec.rgb(size[0], size[1]), size[0], size[1], info.rotationDegrees());
            sink.frame(next, pts * tbNum * 1_000_000L - startTb, den, rgb, swap ? size[1] : size[0], swap ? size[0] : size[1]);
            lastEstimate = dec.durationEstimate(lastPts == Long.MIN_VALUE ? AV_NOPTS_VALUE : lastPts, lastEstimate);
            lastPts = pts;
            next++;
        }
        if (next == 0) throw new VideoException(path, "no decodable video frames");
        long endNum = (lastPts + Math.max(1, lastEstimate)) * tbNum * 1_000_000L - startTb;
        return new long[] {next, endNum, den};
    }

    /** Counts the frames of a stream whose container gives neither a frame count nor a duration. */
    private int countFrames() throws VideoException {
        if (next > 0 || seeked) restart();
        while (dec.next()) {
            if (next == 0) pts0 = dec.pts();
            next++;
        }
        if (next == 0) throw new VideoException(path, "no decodable video frames");
        return next;
    }

    private void restart() throws VideoException {
        dec.close();
        dec = null;
        dec = new FfmpegDecoder(path, options.decoderThreads());
        next = 0;
        seeked = false;
    }

    @Override
    public void close() {
        if (dec != null) dec.close();
        dec = null;
    }
}
