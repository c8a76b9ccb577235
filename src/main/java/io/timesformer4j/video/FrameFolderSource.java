package io.timesformer4j.video;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * A folder of extracted frames, {@code prefix<number>.png|jpg} (e.g. {@code frame0001.png} as
 * {@code ffmpeg -vf fps=30 dir/frame%04d.png} writes them, or {@code img_00001.jpg}), ordered by the
 * number. Only the wanted images are decoded (each with FFmpeg's image decoders).
 */
final class FrameFolderSource implements VideoSource {
    static final Pattern FRAME_FILE = Pattern.compile("(.*?)(\\d+)\\.(png|jpe?g|bmp|tiff?|webp)", Pattern.CASE_INSENSITIVE);

    private final Path dir;
    private final List<Path> files;
    private final VideoInfo info;

    private FrameFolderSource(Path dir, List<Path> files, VideoInfo info) {
        this.dir = dir;
        this.files = files;
        this.info = info;
    }

    static FrameFolderSource open(Path dir, double fps) throws VideoException {
        if (!(fps > 0)) throw new IllegalArgumentException("frame folder fps must be > 0, got " + fps);
        List<Path> files = listFrames(dir);
        if (files.isEmpty()) {
            throw new VideoException(dir, "no frame images (prefix<number>.png|jpg, e.g. frame0001.png) in the folder");
        }
        int w, h;
        String codec;
        FFmpegFrameGrabber g = startImage(files.get(0));
        try {
            w = g.getImageWidth();
            h = g.getImageHeight();
            codec = g.getVideoCodecName();
        } finally {
            release(g);
        }
        VideoInfo info = new VideoInfo(dir, w, h, fps, files.size(), files.size() / fps,
                codec == null ? "image" : codec, 0);
        return new FrameFolderSource(dir, files, info);
    }

    /**
     * The frame images of a folder, sorted by number. When several naming groups exist (say
     * {@code frame*.png} and {@code thumb*.jpg}), the largest group wins.
     */
    static List<Path> listFrames(Path dir) throws VideoException {
        Map<String, List<Path>> groups = new HashMap<>();
        Map<Path, Long> numbers = new HashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = FRAME_FILE.matcher(p.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(p)) continue;
                String key = m.group(1) + "\u0000" + m.group(3).toLowerCase(Locale.ROOT);
                groups.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
                numbers.put(p, Long.parseLong(m.group(2).length() > 18 ? m.group(2).substring(m.group(2).length() - 18) : m.group(2)));
            }
        } catch (IOException e) {
            throw new VideoException(dir, "cannot list folder (" + e.getMessage() + ")", e);
        }
        List<Path> best = groups.values().stream().max(Comparator.comparingInt(List::size)).orElse(List.of());
        List<Path> sorted = new ArrayList<>(best);
        sorted.sort(Comparator.comparingLong(numbers::get));
        return sorted;
    }

    private static FFmpegFrameGrabber startImage(Path file) throws VideoException {
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
        g.setFormat("image2");
        g.setOption("pattern_type", "none");    // the name is a file, not a %d pattern
        g.setPixelFormat(AV_PIX_FMT_RGB24);
        try {
            if (Files.size(file) == 0) throw new VideoException(file, "empty image file (0 bytes)");
            g.start();
        } catch (IOException | RuntimeException e) {
            release(g);
            if (e instanceof VideoException ve) throw ve;
            throw new VideoException(file, "not a readable image (" + FileVideoSource.describe(e) + ")", e);
        }
        if (g.getImageWidth() <= 0) {
            release(g);
            throw new VideoException(file, "not a readable image");
        }
        return g;
    }

    private static void release(FFmpegFrameGrabber g) {
        try {
            g.release();
        } catch (Exception ignored) {
            // nothing more to do
        }
    }

    @Override
    public VideoInfo info() {
        return info;
    }

    @Override
    public DecodedClip read(FrameSampler sampler, int shortSide) throws VideoException {
        int n = files.size();
        ClipAssembler asm = new ClipAssembler(dir, sampler.indices(n), n);
        int[] size = Frames.scaledSize(info.width(), info.height(), shortSide);
        for (int i : asm.wantedSorted()) asm.put(i, decodeImage(files.get(i), size));
        return asm.build(dir, size[1], size[0], n);
    }

    private byte[] decodeImage(Path file, int[] size) throws VideoException {
        FFmpegFrameGrabber g = startImage(file);
        try {
            if (g.getImageWidth() != info.width() || g.getImageHeight() != info.height()) {
                throw new VideoException(file, "frame is " + g.getImageWidth() + "x" + g.getImageHeight()
                        + ", the folder's first frame is " + info.width() + "x" + info.height());
            }
            g.setImageWidth(size[0]);
            g.setImageHeight(size[1]);
            Frame f = g.grabImage();
            if (f == null || f.image == null) throw new VideoException(file, "image does not decode");
            return Frames.copyPacked((ByteBuffer) f.image[0], f.imageStride, f.imageWidth, f.imageHeight);
        } catch (FFmpegFrameGrabber.Exception e) {
            throw new VideoException(file, "image does not decode (" + FileVideoSource.describe(e) + ")", e);
        } finally {
            release(g);
        }
    }

    @Override
    public void close() {
        // nothing held between reads
    }
}
