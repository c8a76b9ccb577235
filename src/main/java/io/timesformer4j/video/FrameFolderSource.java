package io.timesformer4j.video;

import java.io.IOException;
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

/**
 * A folder of extracted frames, {@code prefix<number>.png|jpg} (e.g. {@code frame0001.png} as
 * {@code ffmpeg -vf fps=30 dir/frame%04d.png} writes them, or {@code img_00001.jpg}), ordered by the
 * number. Only the wanted images are decoded (each with FFmpeg's image decoders and swscale, like videos).
 */
final class FrameFolderSource implements VideoSource {
    static final Pattern FRAME_FILE = Pattern.compile("(.*?)(\\d+)\\.(png|jpe?g|bmp|tiff?|webp)", Pattern.CASE_INSENSITIVE);

    private final Path dir;
    private final List<Path> files;
    private final VideoInfo info;
    /** A gap in the numbering ({@link #numberingWarning}), null when none. */
    private final String warning;

    private FrameFolderSource(Path dir, List<Path> files, VideoInfo info, String warning) {
        this.dir = dir;
        this.files = files;
        this.info = info;
        this.warning = warning;
    }

    static FrameFolderSource open(Path dir, double fps) throws VideoException {
        if (!(fps > 0)) throw new IllegalArgumentException("frame folder fps must be > 0, got " + fps);
        List<Path> files = listFrames(dir);
        if (files.isEmpty()) {
            long videos = countVideos(dir);
            if (videos > 0) {
                throw new VideoException(dir, "a folder with " + videos + " video files, not a frame folder; pass the video "
                        + "files themselves (e.g. " + dir.resolve("*.mp4") + ")");
            }
            throw new VideoException(dir, "no frame images (prefix<number>.png|jpg, e.g. frame0001.png) in the folder");
        }
        String warning = numberingWarning(files);
        int w, h;
        String codec;
        try (FfmpegDecoder d = openImage(files.get(0))) {
            w = d.width;
            h = d.height;
            codec = d.codecName;
        }
        VideoInfo info = new VideoInfo(dir, w, h, fps, files.size(), files.size() / fps,
                codec == null ? "image" : codec, 0);
        return new FrameFolderSource(dir, files, info, warning);
    }

    /**
     * The frame images of a folder, sorted by number. When several naming groups exist (say
     * {@code frame*.png} and {@code thumb*.jpg}), the largest group wins.
     */
    static List<Path> listFrames(Path dir) throws VideoException {
        Map<String, List<Path>> groups = new java.util.TreeMap<>();   // sorted: ties between groups resolve the same way every time
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

    /** See {@link VideoSource#checkFrameFolder}. */
    static String check(Path dir) throws VideoException {
        List<Path> files = listFrames(dir);
        if (files.isEmpty()) throw new VideoException(dir, "no frame images (prefix<number>.png|jpg, e.g. frame0001.png) in the folder");
        int[] size = null;
        Path first = null;
        for (Path f : files) {
            int[] wh = ImageHeaders.check(f);
            if (wh == null) continue;
            if (size == null) {
                size = wh;
                first = f;
            } else if (wh[0] != size[0] || wh[1] != size[1]) {
                throw new VideoException(f, "frame is " + wh[0] + "x" + wh[1] + ", " + first.getFileName() + " is " + size[0] + "x" + size[1]);
            }
        }
        return numberingWarning(files);
    }

    /**
     * The frame numbers should run at one constant step (1 for {@code ffmpeg}'s output; a folder of every 5th
     * frame is fine). A missing frame is a warning, not an error: the frames present are used in number order,
     * so every later frame comes one step early (ffmpeg's image2 demuxer would stop reading at the gap).
     *
     * @return the first irregularity, naming the files on either side; null when evenly numbered
     */
    static String numberingWarning(List<Path> files) {
        if (files.size() < 3) return null;
        long[] n = new long[files.size()];
        for (int i = 0; i < n.length; i++) {
            Matcher m = FRAME_FILE.matcher(files.get(i).getFileName().toString());
            m.matches();
            String digits = m.group(2);
            n[i] = Long.parseLong(digits.length() > 18 ? digits.substring(digits.length() - 18) : digits);
        }
        long step = n[1] - n[0];
        for (int i = 1; i < n.length; i++) {
            long d = n[i] - n[i - 1];
            if (d == step) continue;
            long expected = n[i - 1] + step;
            return (d > step && step > 0 && (d % step) == 0 ? "frame number " + expected + " is missing" : "frame numbers are not evenly spaced")
                    + " (" + files.get(i - 1).getFileName() + " is followed by " + files.get(i).getFileName() + "); the "
                    + files.size() + " frames present are used in number order";
        }
        return null;
    }

    private static long countVideos(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p)
                    && p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(mp4|avi|mkv|webm|mov|m4v|mpe?g)")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static FfmpegDecoder openImage(Path file) throws VideoException {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new VideoException(file, "cannot read image (" + e.getMessage() + ")", e);
        }
        if (size == 0) throw new VideoException(file, "empty image file (0 bytes)");
        try {
            return new FfmpegDecoder(file, 1);
        } catch (VideoException e) {
            throw new VideoException(file, e.reason().replace("not a readable video", "not a readable image"), e);
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
        return asm.build(dir, size[1], size[0], n).withWarning(warning);
    }

    private byte[] decodeImage(Path file, int[] size) throws VideoException {
        try (FfmpegDecoder d = openImage(file)) {
            if (d.width != info.width() || d.height != info.height()) {
                throw new VideoException(file, "frame is " + d.width + "x" + d.height
                        + ", the folder's first frame is " + info.width() + "x" + info.height());
            }
            if (!d.next()) throw new VideoException(file, "image does not decode");
            return d.rgb(size[0], size[1]);
        }
    }

    @Override
    public void close() {
        // nothing held between reads
    }
}
