package io.timesformer4j.video;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes a video's frames as numbered images at a fixed rate, in-process: the equivalent of
 * {@code ffmpeg -i VIDEO -vf fps=30 DIR/frame%04d.png} (frames chosen by {@link FpsResampler}, images
 * encoded by FFmpeg's png/mjpeg encoders through the image2 muxer, numbering from 1, rotation applied).
 * Frames of odd width or height are written at their exact size with the JDK's image writers (FFmpeg's
 * recorder rounds the encoder size up to even: 321x241 came out 322x242).
 */
public final class FrameExtractor {
    /**
     * @param fps       output rate as {@code "30"}, {@code "29.97"} or {@code "30000/1001"}
     * @param format    {@code png} or {@code jpg}
     * @param shortSide resize so the short side is this (0 = native size)
     * @param pattern   file name pattern inside the output folder, {@code frame%04d}
     */
    public record Options(String fps, String format, int shortSide, String pattern) {
        public Options {
            format = format.toLowerCase(Locale.ROOT);
            if (!format.equals("png") && !format.equals("jpg")) throw new IllegalArgumentException("format must be png or jpg, got " + format);
            if (shortSide < 0) throw new IllegalArgumentException("short side must be >= 0");
            parseRate(fps);
        }

        public static Options defaults() {
            return new Options("30", "png", 0, "frame%04d");
        }
    }

    /**
     * What was written. {@code framesClaimed} is the container's frame count (0 when it has none); {@code damage}
     * says why the file looks truncated or damaged (fewer decoded frames than listed, an index reaching past the
     * end of the file, a demuxer error), null when nothing was noticed.
     */
    public record Result(Path dir, int framesDecoded, int framesWritten, int width, int height, int framesClaimed,
                         String damage) {
        /** A one-line warning naming the video when it looks truncated or damaged, else null. */
        public String truncationWarning(Path video) {
            return damage == null ? null : video + ": " + damage;
        }
    }

    private FrameExtractor() {}

    /** {@code "30"} → {30, 1}, {@code "29.97"} → {2997, 100}, {@code "30000/1001"} → {30000, 1001}. */
    static long[] parseRate(String fps) {
        try {
            String[] parts = fps.trim().split("/");
            if (parts.length == 2) {
                long n = Long.parseLong(parts[0].trim()), d = Long.parseLong(parts[1].trim());
                if (n > 0 && d > 0) return new long[] {n, d};
            } else if (parts.length == 1) {
                BigDecimal v = new BigDecimal(parts[0]).stripTrailingZeros();
                if (v.signum() > 0) {
                    int scale = Math.max(0, v.scale());
                    return new long[] {v.movePointRight(scale).longValueExact(), BigDecimal.TEN.pow(scale).longValueExact()};
                }
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // fall through
        }
        throw new IllegalArgumentException("fps must be a positive number or a ratio like 30000/1001, got '" + fps + "'");
    }

    /** Decodes {@code video} once and writes {@code outDir/frame0001.png}, ... */
    public static Result extract(Path video, Path outDir, Options options) throws IOException {
        long[] rate = parseRate(options.fps());
        double fps = (double) rate[0] / rate[1];
        Files.createDirectories(outDir);
        Path pattern = outDir.resolve(options.pattern() + "." + options.format());
        FpsResampler resampler = new FpsResampler(rate[0], rate[1]);
        VideoWriter.Codec codec = options.format().equals("png") ? VideoWriter.Codec.PNG : VideoWriter.Codec.JPEG;
        try (VideoSource source = VideoSource.open(video)) {
            if (!(source instanceof FileVideoSource file)) throw new VideoException(video, "extract needs a video file, not a folder");
            var sink = new ExtractSink(pattern, fps, codec, resampler);
            try {
                long[] end = file.forEachFrame(options.shortSide(), sink);
                sink.emit(resampler.finish(end[1], end[2]));
                return new Result(outDir, (int) end[0], sink.written, sink.w, sink.h, source.info().frameCountHint(),
                        file.damage(true, (int) end[0]));
            } finally {
                sink.close();
            }
        }
    }

    /** Holds one frame back: a frame is written (maybe several times) once the next one's time is known. */
    private static final class ExtractSink implements FileVideoSource.FrameSink {
        private final Path pattern;
        private final double fps;
        private final VideoWriter.Codec codec;
        private final FpsResampler resampler;
        private VideoWriter writer;
        private byte[] previous;
        int w, h, written;

        ExtractSink(Path pattern, double fps, VideoWriter.Codec codec, FpsResampler resampler) {
            this.pattern = pattern;
            this.fps = fps;
            this.codec = codec;
            this.resampler = resampler;
        }

        @Override
        public void frame(int index, long tNum, long tDen, byte[] rgb, int width, int height) throws IOException {
            emit(resampler.push(tNum, tDen));
            previous = rgb;
            w = width;
            h = height;
        }

        void emit(long copies) throws IOException {
            for (long i = 0; i < copies; i++) {
                if (w % 2 != 0 || h % 2 != 0) {
                    writeExact(previous, written + 1);
                } else {
                    if (writer == null) writer = new VideoWriter(pattern, w, h, fps, VideoWriter.Options.of(codec));
                    writer.write(previous);
                }
                written++;
            }
        }

        /** Frame {@code n} (from 1) as its own file at exactly {@code w x h}, with javax.imageio. */
        private void writeExact(byte[] rgb, int n) throws IOException {
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    row[x] = (rgb[o] & 0xff) << 16 | (rgb[o + 1] & 0xff) << 8 | (rgb[o + 2] & 0xff);
                }
                img.setRGB(0, y, w, 1, row, 0, w);
            }
            String name = pattern.getFileName().toString();
            Path file = pattern.resolveSibling(String.format(Locale.ROOT, name, n));
            String fmt = codec == VideoWriter.Codec.PNG ? "png" : "jpg";
            if (!javax.imageio.ImageIO.write(img, fmt, file.toFile())) throw new IOException("no " + fmt + " writer for " + file);
        }

        void close() throws IOException {
            if (writer != null) writer.close();
        }
    }
}
