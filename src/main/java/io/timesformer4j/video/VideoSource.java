package io.timesformer4j.video;

import io.timesformer4j.runtime.Natives;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One video file (mp4/avi/mkv/webm/mov..., decoded in-process by FFmpeg) or one folder of extracted
 * frames ({@code frame0001.png}, {@code img_00001.jpg}, any {@code prefix<number>.png|jpg}).
 *
 * <p>Not thread-safe: it owns one decoder. Open one per thread (or per clip) and close it. Native memory
 * stays inside the source; clips come back as Java arrays.
 *
 * <pre>{@code
 * try (VideoSource v = VideoSource.open(path)) {
 *     DecodedClip c = v.read(FrameSampler.uniform(8), 224);   // (8, 224, W, 3) uint8, upright
 * }
 * }</pre>
 */
public interface VideoSource extends AutoCloseable {
    /** Frame rate assumed for frame folders when none is given. */
    double DEFAULT_FOLDER_FPS = 30;

    /**
     * How to open a source.
     *
     * @param folderFps      frame rate reported for a frame folder (ignored for video files)
     * @param keyframeSeeks  let {@link #read} jump to a keyframe when that skips many unwanted frames
     *                       (long videos, sparse indices); off = always decode through
     * @param decoderThreads FFmpeg decoder threads per source (1 = parallelise across sources instead)
     */
    record Options(double folderFps, boolean keyframeSeeks, int decoderThreads) {
        public Options {
            if (!(folderFps > 0)) throw new IllegalArgumentException("folder fps must be > 0, got " + folderFps);
            if (decoderThreads < 0) throw new IllegalArgumentException("decoder threads must be >= 0 (0 = auto)");
        }

        /** 30 fps folders, keyframe seeks on, one decoder thread. */
        public static Options defaults() {
            return new Options(DEFAULT_FOLDER_FPS, true, 1);
        }

        public Options withKeyframeSeeks(boolean on) {
            return new Options(folderFps, on, decoderThreads);
        }
    }

    /** Opens a video file or frame folder with {@link Options#defaults()}. */
    static VideoSource open(Path path) throws VideoException {
        return open(path, Options.defaults());
    }

    /**
     * Opens a video file or a frame folder.
     *
     * @param folderFps frame rate reported for a frame folder (ignored for video files)
     * @throws VideoException naming the file and the reason: missing, empty, not a video, no video
     *                        stream, a folder without frame images...
     */
    static VideoSource open(Path path, double folderFps) throws VideoException {
        return open(path, new Options(folderFps, true, 1));
    }

    /** Opens a video file or a frame folder with the given options. */
    static VideoSource open(Path path, Options options) throws VideoException {
        Natives.ensureLoaded();
        if (!Files.exists(path)) throw new VideoException(path, "no such file or directory");
        if (Files.isDirectory(path)) return FrameFolderSource.open(path, options.folderFps());
        return FileVideoSource.open(path, options);
    }

    /**
     * Checks a frame folder without decoding it: frame images present, none empty, each complete by its
     * header and trailer (PNG: signature, IHDR and IEND chunks and every chunk's CRC; JPEG: start and end
     * markers; BMP/TIFF/WebP: signature and declared size), all of one size (PNG, from the headers).
     *
     * @return a warning when the frames are not numbered at one constant step (a missing frame: the folder is
     *         still used), null when they are
     * @throws VideoException naming the image (or the folder) and the reason, when the folder cannot be used
     */
    static String checkFrameFolder(Path dir) throws VideoException {
        return FrameFolderSource.check(dir);
    }

    /** What the container claims (size after rotation, fps, frame count hint, codec, rotation). */
    VideoInfo info();

    /**
     * Decodes the frames the sampler picks, upright, with the short side resized to {@code shortSide}
     * (0 keeps the native size). Video files are decoded in one sequential pass that stops after the
     * last wanted frame (jumping to a keyframe instead of decoding through long unwanted stretches, see
     * {@link Options#keyframeSeeks()}). The sampler is asked with {@link VideoInfo#frameCountHint()}; when the stream
     * ends before that (damaged file, lying container) it is asked again with the real count and the
     * clip is built from the frames that really exist.
     *
     * @throws VideoException when no frame decodes at all
     */
    DecodedClip read(FrameSampler sampler, int shortSide) throws VideoException;

    /** Frees the decoder. Idempotent. */
    @Override
    void close();
}
