package io.timesformer4j.video;

import java.nio.file.Path;

/**
 * Frames decoded from one video, upright and resized, as packed RGB on the Java heap.
 *
 * @param frames     number of frames in {@code rgb} (= {@code indices.length})
 * @param height     frame height after rotation and resizing
 * @param width      frame width after rotation and resizing
 * @param rgb        {@code (frames, height, width, 3)} uint8, row-major, no padding
 * @param frameCount frames the video really has: counted while decoding when the decode reached the
 *                   end of the stream; when every wanted frame came before the end, decoding stops early
 *                   and this is the container's count (the sampler was then happy with it)
 * @param indices    the frame index of each output frame, in output order (may repeat)
 * @param warning    why the source looks damaged although these frames decoded (a truncated file: the
 *                   container lists more frames or bytes than there are; a frame folder with a gap in its
 *                   numbering), one line without the path; null when nothing was noticed
 */
public record DecodedClip(Path path, int frames, int height, int width, byte[] rgb, int frameCount, int[] indices,
                          String warning) {
    /** A clip without a warning. */
    public DecodedClip(Path path, int frames, int height, int width, byte[] rgb, int frameCount, int[] indices) {
        this(path, frames, height, width, rgb, frameCount, indices, null);
    }

    /** This clip with {@code w} as its warning. */
    public DecodedClip withWarning(String w) {
        return new DecodedClip(path, frames, height, width, rgb, frameCount, indices, w);
    }

    /** Bytes of one frame: {@code height*width*3}. */
    public int frameBytes() {
        return height * width * 3;
    }

    /** Offset of output frame {@code t} in {@link #rgb()}. */
    public int offset(int t) {
        return t * frameBytes();
    }
}
