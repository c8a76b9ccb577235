package io.timesformer4j.data;

import io.timesformer4j.video.VideoWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic motion dataset whose classes can only be told apart over time: the same object, the same
 * colours and the same positions appear in every class; only the direction of motion differs.
 *
 * <ul>
 *   <li>{@code left} / {@code right}: a square slides horizontally;</li>
 *   <li>{@code up} / {@code down}: a square slides vertically;</li>
 *   <li>{@code cw} / {@code ccw}: a bar rotates about the centre.</li>
 * </ul>
 * Every clip gets a random start, speed, colours and pixel noise from a seeded RNG, so a dataset is
 * reproducible. Videos are written with FFmpeg's encoders into one folder per class.
 */
public final class SyntheticMotion {
    public static final List<String> ALL_CLASSES = List.of("ccw", "cw", "down", "left", "right", "up");

    /** What to generate. */
    public record Spec(List<String> classes, int clipsPerClass, int frames, int width, int height, double fps,
                       String extension, long seed) {
        public Spec {
            for (String c : classes) {
                if (!ALL_CLASSES.contains(c)) throw new IllegalArgumentException("unknown motion class " + c + "; known: " + ALL_CLASSES);
            }
            if (frames < 2) throw new IllegalArgumentException("frames must be >= 2");
        }

        public static Spec demo() {
            return new Spec(ALL_CLASSES, 24, 16, 64, 64, 15, "mp4", 7);
        }
    }

    private SyntheticMotion() {}

    /** Writes {@code root/<class>/<class>_<nnnn>.<ext>} and returns the written paths. */
    public static List<Path> generate(Path root, Spec spec) throws IOException {
        Random rnd = new Random(spec.seed());
        List<Path> out = new ArrayList<>();
        for (String cls : spec.classes()) {
            Path dir = Files.createDirectories(root.resolve(cls));
            for (int i = 0; i < spec.clipsPerClass(); i++) {
                Path p = dir.resolve(String.format("%s_%04d.%s", cls, i, spec.extension()));
                writeClip(p, cls, spec, new Random(rnd.nextLong()));
                out.add(p);
            }
        }
        return out;
    }

    /** Writes one clip of motion class {@code cls}. */
    public static void writeClip(Path path, String cls, Spec spec, Random rnd) throws IOException {
        int w = spec.width(), h = spec.height(), n = spec.frames();
        int[] bg = {rnd.nextInt(80), rnd.nextInt(80), rnd.nextInt(80)};
        int[] fg = {150 + rnd.nextInt(106), 150 + rnd.nextInt(106), 150 + rnd.nextInt(106)};
        int size = Math.max(4, Math.min(w, h) / 5 + rnd.nextInt(Math.max(1, Math.min(w, h) / 10)));
        double travel = (0.45 + 0.25 * rnd.nextDouble());                // fraction of the frame crossed
        double cx0 = w * (0.3 + 0.4 * rnd.nextDouble()), cy0 = h * (0.3 + 0.4 * rnd.nextDouble());
        double angle0 = rnd.nextDouble() * Math.PI, turn = (0.6 + 0.6 * rnd.nextDouble()) * Math.PI;
        try (VideoWriter vw = new VideoWriter(path, w, h, spec.fps())) {
            byte[] rgb = new byte[w * h * 3];
            for (int t = 0; t < n; t++) {
                double s = (double) t / (n - 1) - 0.5;                   // -0.5 .. 0.5 over the clip
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        boolean on = switch (cls) {
                            case "left", "right" -> square(x, y, cx0 + (cls.equals("right") ? 1 : -1) * s * travel * w, cy0, size);
                            case "up", "down" -> square(x, y, cx0, cy0 + (cls.equals("down") ? 1 : -1) * s * travel * h, size);
                            default -> bar(x, y, w / 2.0, h / 2.0, angle0 + (cls.equals("cw") ? 1 : -1) * s * turn,
                                    Math.min(w, h) * 0.4, Math.max(2, size / 3.0));
                        };
                        int o = (y * w + x) * 3;
                        for (int c = 0; c < 3; c++) {
                            int v = (on ? fg[c] : bg[c]) + rnd.nextInt(17) - 8;
                            rgb[o + c] = (byte) Math.max(0, Math.min(255, v));
                        }
                    }
                }
                vw.write(rgb);
            }
        }
    }

    private static boolean square(int x, int y, double cx, double cy, int size) {
        return Math.abs(x + 0.5 - cx) <= size / 2.0 && Math.abs(y + 0.5 - cy) <= size / 2.0;
    }

    private static boolean bar(int x, int y, double cx, double cy, double angle, double halfLen, double halfWidth) {
        double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
        double along = dx * Math.cos(angle) + dy * Math.sin(angle);
        double across = -dx * Math.sin(angle) + dy * Math.cos(angle);
        return Math.abs(along) <= halfLen && Math.abs(across) <= halfWidth;
    }
}
