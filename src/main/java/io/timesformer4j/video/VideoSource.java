package io.timesformer4j.video;

import io.timesformer4j.runtime.Natives;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One video file (mp4/avi/mkv/webm/mov..., decoded in-process by FFmpeg) or one folder of extracted
 * frames ({@code frame0001.png}, {@code img_00001.jpg}, any {@code prefix<number>.png|jpg}).
 *
 * <p>Not thread-safe: it owns one decoder. Open one per thread (or per clip) and close it.
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

    /** Opens a video file or frame folder (folders at {@value #DEFAULT_FOLDER_FPS} fps). */
    static VideoSource open(Path path) throws VideoException {
        return open(path, DEFAULT_FOLDER_FPS);
    }

    /**
     * Opens a video file or a frame folder.
     *
     * @param folderFps frame rate reported for a frame folder (ignored for video files)
     * @throws VideoException naming the file and the reason: missing, empty, not a video, no video
     *                        stream, a folder without frame images...
     */
    static VideoSource open(Path path, double folderFps) throws VideoException {
        Natives.ensureLoaded();
        if (!Files.exists(path)) throw new VideoException(path, "no such file or directory");
        if (Files.isDirectory(path)) return FrameFolderSource.open(path, folderFps);
        return FileVideoSource.open(path);
    }

    /** What the container claims (size after rotation, fps, frame count hint, codec, rotation). */
    VideoInfo info();

    /**
     * Decodes the frames the sampler picks, upright, with the short side resized to {@code shortSide}
     * (0 keeps the native size). Video files are decoded in one sequential pass that stops after the
     * last wanted frame. The sampler is asked with {@link VideoInfo#frameCountHint()}; when the stream
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
