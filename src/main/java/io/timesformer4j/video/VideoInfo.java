package io.timesformer4j.video;

import java.nio.file.Path;

/**
 * What the container (or frame folder) says about a video, read at {@link VideoSource#open}.
 *
 * @param width            displayed width in pixels, i.e. after rotation (a 1920x1080 stream tagged
 *                         90° reports 1080x1920)
 * @param height           displayed height in pixels, after rotation
 * @param fps              average frame rate (frame folders: the fps given at open, default 30)
 * @param frameCountHint   the container's frame count, or duration*fps when it has none; it can lie on
 *                         damaged files ({@link DecodedClip#frameCount()} is the real one)
 * @param durationSeconds  container duration (0 when unknown)
 * @param codec            decoder name, e.g. {@code h264}, {@code vp9}, {@code png}
 * @param rotationDegrees  clockwise rotation applied to decoded frames so they come out upright:
 *                         0, 90, 180 or 270 (from the display matrix side data)
 */
public record VideoInfo(Path path, int width, int height, double fps, int frameCountHint,
                        double durationSeconds, String codec, int rotationDegrees) {}
