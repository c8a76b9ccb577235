package io.timesformer4j.data;

import io.timesformer4j.video.VideoWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * The harder synthetic motion dataset: classes come in <b>time-reversal pairs</b> (left/right, up/down,
 * cw/ccw, grow/shrink) and each clip of a class is the frame-exact time reversal of its twin in the partner
 * class: same scene (textured or noisy background, clutter, object shape, size, colour), same codec,
 * container, size and frame rate, the same frames in the opposite order. Within a pair, time order is the
 * only cue; a model blind to frame order can tell at most the axis (pair) apart.
 *
 * <p>A <i>scene</i> is one background + object + motion; it gives one clip per selected class of its pair.
 * Scenes are split, not clips: a scene and its twin go to the same split, so validation scenes are unseen in
 * training. Output:
 * <pre>
 * out/train/&lt;class&gt;/&lt;class&gt;_&lt;scene&gt;.&lt;ext&gt;
 * out/val/&lt;class&gt;/&lt;class&gt;_&lt;scene&gt;.&lt;ext&gt;
 * out/manifest.csv   file,class,split,scene,twin,codec,container,width,height,fps,frames,shape,background
 * </pre>
 * Deterministic per seed: scene {@code i} of a pair depends only on (seed, pair, i), so a class subset or
 * another clip count gives the same scenes for the pairs and indices they share.
 */
public final class SyntheticPairs {
    /** The eight classes, partners adjacent. */
    public static final List<String> ALL_CLASSES = List.of("left", "right", "up", "down", "cw", "ccw", "grow", "shrink");
    /** Each pair as {forward, reversed}: the source frames are rendered for the first; the second gets them reversed. */
    static final List<List<String>> PAIRS = List.of(List.of("left", "right"), List.of("up", "down"),
            List.of("cw", "ccw"), List.of("grow", "shrink"));
    private static final List<String> PAIR_KEYS = List.of("lr", "ud", "rot", "gs");

    /** The other class of {@code cls}'s time-reversal pair. */
    public static String partner(String cls) {
        for (List<String> p : PAIRS) {
            if (p.get(0).equals(cls)) return p.get(1);
            if (p.get(1).equals(cls)) return p.get(0);
        }
        throw new IllegalArgumentException("unknown motion class '" + cls + "'; known: " + String.join(",", ALL_CLASSES));
    }

    /** A codec in a container, as {@link VideoWriter} writes it. */
    public enum Format {
        H264_MP4("h264", "mp4", VideoWriter.Codec.H264),
        MPEG4_MKV("mpeg4", "mkv", VideoWriter.Codec.MPEG4),
        MPEG4_AVI("mpeg4", "avi", VideoWriter.Codec.MPEG4),
        MJPEG_AVI("mjpeg", "avi", VideoWriter.Codec.MJPEG),
        VP9_WEBM("vp9", "webm", VideoWriter.Codec.VP9),
        /** Lossless (intra-only), not in the defaults: for tests that compare decoded frames exactly. */
        FFV1_MKV("ffv1", "mkv", VideoWriter.Codec.FFV1);

        public final String codec;
        public final String container;
        final VideoWriter.Codec writerCodec;

        Format(String codec, String container, VideoWriter.Codec writerCodec) {
            this.codec = codec;
            this.container = container;
            this.writerCodec = writerCodec;
        }

        /** {@code codec.container}, e.g. {@code h264.mp4}. */
        public String label() {
            return codec + "." + container;
        }

        /** The defaults: H.264 mp4, MPEG-4 mkv and avi, MJPEG avi, VP9 webm. */
        public static List<Format> defaults() {
            return List.of(H264_MP4, MPEG4_MKV, MPEG4_AVI, MJPEG_AVI, VP9_WEBM);
        }

        /**
         * Parses {@code h264,mpeg4.avi,vp9,...}: a codec name alone selects every container it is written in
         * (ffv1 only when named), {@code codec.container} one format.
         */
        public static List<Format> parse(List<String> names) {
            LinkedHashSet<Format> out = new LinkedHashSet<>();
            for (String raw : names) {
                String n = raw.trim().toLowerCase(Locale.ROOT);
                if (n.equals("all")) {
                    out.addAll(defaults());
                    continue;
                }
                boolean found = false;
                for (Format f : values()) {
                    if (f.label().equals(n) || f.codec.equals(n)) {
                        out.add(f);
                        found = true;
                    }
                }
                if (!found) {
                    List<String> known = new ArrayList<>();
                    for (Format f : values()) known.add(f.label());
                    throw new IllegalArgumentException("--codecs: unknown codec '" + raw + "'; known: h264, mpeg4, mjpeg, vp9, ffv1 or "
                            + String.join(", ", known));
                }
            }
            return List.copyOf(out);
        }
    }

    /** A frame size. Both sides even (4:2:0 chroma), 32..3840. */
    public record Size(int width, int height) {
        public Size {
            if (width < 32 || height < 32 || width > 3840 || height > 3840) {
                throw new IllegalArgumentException("size " + width + "x" + height + ": each side must be 32..3840");
            }
            if (width % 2 != 0 || height % 2 != 0) {
                throw new IllegalArgumentException("size " + width + "x" + height + ": both sides must be even");
            }
        }

        /** Parses {@code WxH}. */
        public static Size parse(String s) {
            String[] p = s.trim().toLowerCase(Locale.ROOT).split("x");
            try {
                if (p.length == 2) return new Size(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("size '" + s + "': expected WIDTHxHEIGHT, e.g. 320x240");
        }

        public boolean fitsIn(Size max) {
            return width <= max.width && height <= max.height;
        }

        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    /** Default sizes: QCIF up to 720p. */
    public static final List<Size> DEFAULT_SIZES = List.of(new Size(176, 144), new Size(320, 240), new Size(480, 360),
            new Size(640, 360), new Size(640, 480), new Size(960, 540), new Size(1280, 720));
    /** Default frame rates. */
    public static final List<Double> DEFAULT_FPS = List.of(10.0, 12.0, 15.0, 24.0, 25.0, 30.0);

    /**
     * What to generate.
     *
     * @param classes       classes (any subset of {@link #ALL_CLASSES}); a class whose partner is not selected
     *                      still gets its clips (without a twin on disk)
     * @param clipsPerClass clips per class, train + val (= scenes per pair)
     * @param valFraction   fraction of each pair's scenes that go to {@code val/} (0 = none; at least one scene
     *                      when above 0 and there are 2+ scenes; at least one stays in train)
     * @param sizes         frame sizes, taken in turn over a pair's scenes
     * @param fps           frame rates, drawn per scene
     * @param minSeconds    shortest clip
     * @param maxSeconds    longest clip (length drawn uniformly per scene; at least 2 frames)
     * @param formats       codecs/containers, taken in turn over a pair's scenes
     * @param noise         scale of the per-frame pixel noise and of the noisy backgrounds (0 = clean, 1 = default)
     * @param workers       clips encoded in parallel (does not change the output)
     * @param seed          everything random comes from it
     */
    public record Options(List<String> classes, int clipsPerClass, double valFraction, List<Size> sizes, List<Double> fps,
                          double minSeconds, double maxSeconds, List<Format> formats, double noise, int workers, long seed) {
        public Options {
            classes = List.copyOf(classes);
            if (classes.isEmpty()) throw new IllegalArgumentException("--classes: no class given; known: " + String.join(",", ALL_CLASSES));
            for (String c : classes) {
                if (!ALL_CLASSES.contains(c)) {
                    throw new IllegalArgumentException("--classes: unknown class '" + c + "'; known: " + String.join(",", ALL_CLASSES));
                }
            }
            if (new LinkedHashSet<>(classes).size() != classes.size()) throw new IllegalArgumentException("--classes: a class is listed twice: " + classes);
            if (clipsPerClass < 1) throw new IllegalArgumentException("--clips-per-class must be >= 1, got " + clipsPerClass);
            if (!(valFraction >= 0 && valFraction < 1)) throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + valFraction);
            sizes = List.copyOf(sizes);
            if (sizes.isEmpty()) throw new IllegalArgumentException("--sizes: no frame size left (is --max-size below every size?)");
            fps = List.copyOf(fps);
            if (fps.isEmpty()) throw new IllegalArgumentException("--fps: no frame rate given");
            for (double f : fps) if (!(f >= 1 && f <= 240)) throw new IllegalArgumentException("--fps: frame rate must be 1..240, got " + f);
            if (!(minSeconds > 0) || !(maxSeconds >= minSeconds) || maxSeconds > 60) {
                throw new IllegalArgumentException("--seconds: need 0 < min <= max <= 60, got " + minSeconds + "-" + maxSeconds);
            }
            formats = List.copyOf(formats);
            if (formats.isEmpty()) throw new IllegalArgumentException("--codecs: no codec given");
            if (!(noise >= 0 && noise <= 4)) throw new IllegalArgumentException("--noise must be in [0, 4], got " + noise);
            if (workers < 1) throw new IllegalArgumentException("--workers must be >= 1, got " + workers);
        }

        /** All 8 classes, 40 clips per class, 20 % validation scenes, every default size, rate and format, 2-4 s. */
        public static Options defaults() {
            return new Options(ALL_CLASSES, 40, 0.2, DEFAULT_SIZES, DEFAULT_FPS, 2, 4, Format.defaults(), 1.0, 1, 42);
        }

        public Options withClasses(List<String> c) {
            return new Options(c, clipsPerClass, valFraction, sizes, fps, minSeconds, maxSeconds, formats, noise, workers, seed);
        }

        public Options withClipsPerClass(int n) {
            return new Options(classes, n, valFraction, sizes, fps, minSeconds, maxSeconds, formats, noise, workers, seed);
        }

        public Options withValFraction(double f) {
            return new Options(classes, clipsPerClass, f, sizes, fps, minSeconds, maxSeconds, formats, noise, workers, seed);
        }

        public Options withSizes(List<Size> s) {
            return new Options(classes, clipsPerClass, valFraction, s, fps, minSeconds, maxSeconds, formats, noise, workers, seed);
        }

        /** Keeps the sizes that fit in {@code max}. */
        public Options withMaxSize(Size max) {
            return withSizes(sizes.stream().filter(s -> s.fitsIn(max)).toList());
        }

        public Options withFps(List<Double> f) {
            return new Options(classes, clipsPerClass, valFraction, sizes, f, minSeconds, maxSeconds, formats, noise, workers, seed);
        }

        public Options withSeconds(double min, double max) {
            return new Options(classes, clipsPerClass, valFraction, sizes, fps, min, max, formats, noise, workers, seed);
        }

        public Options withFormats(List<Format> f) {
            return new Options(classes, clipsPerClass, valFraction, sizes, fps, minSeconds, maxSeconds, f, noise, workers, seed);
        }

        public Options withNoise(double n) {
            return new Options(classes, clipsPerClass, valFraction, sizes, fps, minSeconds, maxSeconds, formats, n, workers, seed);
        }

        public Options withWorkers(int w) {
            return new Options(classes, clipsPerClass, valFraction, sizes, fps, minSeconds, maxSeconds, formats, noise, w, seed);
        }

        public Options withSeed(long s) {
            return new Options(classes, clipsPerClass, valFraction, sizes, fps, minSeconds, maxSeconds, formats, noise, workers, s);
        }

        /** Scenes of each pair that go to validation. */
        public int valScenes() {
            if (valFraction == 0 || clipsPerClass < 2) return 0;
            return (int) Math.max(1, Math.min(clipsPerClass - 1, Math.round(clipsPerClass * valFraction)));
        }
    }

    /**
     * One written clip = one manifest row.
     *
     * @param file  path relative to the output folder ({@code train/left/left_lr-0003.mp4})
     * @param twin  the partner class's clip of the same scene (relative), or null when that class was not selected
     */
    public record Clip(String file, String label, String split, String scene, String twin, String codec, String container,
                       int width, int height, double fps, int frames, String shape, String background) {}

    /** What {@link #generate} wrote. */
    public record Result(Path root, Path manifest, List<Clip> clips) {
        public long count(String split) {
            return clips.stream().filter(c -> c.split().equals(split)).count();
        }
    }

    static final String[] MANIFEST_HEADER = {"file", "class", "split", "scene", "twin", "codec", "container", "width", "height",
            "fps", "frames", "shape", "background"};

    private SyntheticPairs() {}

    /**
     * Writes the dataset under {@code out} (created if missing). Refuses when {@code out/train}, {@code out/val}
     * or {@code out/manifest.csv} already exists.
     *
     * @param log progress lines (one per scene) or null
     */
    public static Result generate(Path out, Options o, PrintWriter log) throws IOException {
        for (String p : List.of("train", "val", "manifest.csv")) {
            if (Files.exists(out.resolve(p))) throw new IOException(out.resolve(p) + ": exists; choose an empty --out folder (or --overwrite)");
        }
        List<Scene> scenes = new ArrayList<>();
        int nVal = o.valScenes();
        for (int pi = 0; pi < PAIRS.size(); pi++) {
            List<String> pair = PAIRS.get(pi);
            if (!o.classes().contains(pair.get(0)) && !o.classes().contains(pair.get(1))) continue;
            for (int i = 0; i < o.clipsPerClass(); i++) {
                scenes.add(Scene.create(o, pi, i, i >= o.clipsPerClass() - nVal ? "val" : "train"));
            }
        }
        Files.createDirectories(out);
        List<Clip> clips = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(o.workers(), r -> {
            Thread t = new Thread(r, "synth");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<List<Clip>>> futures = new ArrayList<>();
            for (Scene s : scenes) futures.add(pool.submit(() -> s.write(out, o.classes())));
            int done = 0;
            for (Future<List<Clip>> f : futures) {
                List<Clip> written = get(f);
                clips.addAll(written);
                done++;
                if (log != null) {
                    Clip c = written.get(0);
                    log.printf(Locale.ROOT, "[%d/%d] %s %s %s %dx%d %.0f fps %d frames%n", done, scenes.size(), c.scene(),
                            c.split(), Format.valueOf(formatName(c)).label(), c.width(), c.height(), c.fps(), c.frames());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Path manifest = out.resolve("manifest.csv");
        writeManifest(manifest, clips);
        return new Result(out, manifest, List.copyOf(clips));
    }

    private static String formatName(Clip c) {
        for (Format f : Format.values()) if (f.codec.equals(c.codec()) && f.container.equals(c.container())) return f.name();
        throw new IllegalStateException(c.codec() + "." + c.container());
    }

    private static List<Clip> get(Future<List<Clip>> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof UncheckedIOException u) throw u.getCause();
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IOException(e.getCause());
        }
    }

    static void writeManifest(Path manifest, List<Clip> clips) throws IOException {
        Path tmp = manifest.resolveSibling(manifest.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
             CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(MANIFEST_HEADER).get())) {
            for (Clip c : clips) {
                csv.printRecord(c.file(), c.label(), c.split(), c.scene(), c.twin() == null ? "" : c.twin(), c.codec(), c.container(),
                        c.width(), c.height(), String.format(Locale.ROOT, "%.3f", c.fps()), c.frames(), c.shape(), c.background());
            }
        }
        Files.move(tmp, manifest, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads a manifest written by {@link #generate}. */
    public static List<Clip> readManifest(Path manifest) throws IOException {
        List<Clip> out = new ArrayList<>();
        try (var r = Files.newBufferedReader(manifest, StandardCharsets.UTF_8);
             var parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            for (CSVRecord rec : parser) {
                try {
                    String twin = rec.get("twin");
                    out.add(new Clip(rec.get("file"), rec.get("class"), rec.get("split"), rec.get("scene"), twin.isEmpty() ? null : twin,
                            rec.get("codec"), rec.get("container"), Integer.parseInt(rec.get("width")), Integer.parseInt(rec.get("height")),
                            Double.parseDouble(rec.get("fps")), Integer.parseInt(rec.get("frames")), rec.get("shape"), rec.get("background")));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new IOException(manifest + " line " + rec.getRecordNumber() + ": not a synthetic-pairs manifest row (" + e.getMessage() + ")");
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(manifest + ": not a synthetic-pairs manifest (" + e.getMessage() + ")");
        }
        return out;
    }

    /** Class → partner class, from the twins a manifest records (classes without a written twin left out). */
    public static Map<String, String> pairsOf(List<Clip> clips) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> labelOfFile = new LinkedHashMap<>();
        for (Clip c : clips) labelOfFile.put(c.file(), c.label());
        for (Clip c : clips) {
            if (c.twin() != null && labelOfFile.containsKey(c.twin())) out.putIfAbsent(c.label(), labelOfFile.get(c.twin()));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Scenes

    /** Object shapes; the rotation pair uses only those that look different when turned. */
    enum Shape { SQUARE, RECT, DISC, RING, TRIANGLE, CROSS, BAR, ELLIPSE, ARROW }

    private static final Shape[] ROTATABLE = {Shape.SQUARE, Shape.RECT, Shape.TRIANGLE, Shape.CROSS, Shape.BAR, Shape.ELLIPSE, Shape.ARROW};

    enum Background { GRATINGS, CLOUDS, CHECKERS, STRIPES, NOISE }

    /**
     * One scene: its background, clutter, object and the forward motion of its pair. {@link #frame} renders
     * any frame of either class on demand (no clip is held in memory); the reversed class's frame {@code t}
     * is the forward class's frame {@code n-1-t}, bit for bit.
     */
    static final class Scene {
        final int pair;
        final String id;
        final String split;
        final int width, height, frames;
        final double fps;
        final Format format;
        final Shape shape;
        final Background backgroundKind;
        final long noiseSeed;
        final int noiseAmp;
        final int[] colour;
        final byte[] background;
        // forward motion: centre, angle and radius at the clip's start (a) and end (b), linear in between
        final double ax, ay, bx, by, angleA, angleB, radiusA, radiusB;

        private Scene(int pair, String id, String split, int width, int height, int frames, double fps, Format format, Shape shape,
                      Background backgroundKind, long noiseSeed, int noiseAmp, int[] colour, byte[] background,
                      double ax, double ay, double bx, double by, double angleA, double angleB, double radiusA, double radiusB) {
            this.pair = pair;
            this.id = id;
            this.split = split;
            this.width = width;
            this.height = height;
            this.frames = frames;
            this.fps = fps;
            this.format = format;
            this.shape = shape;
            this.backgroundKind = backgroundKind;
            this.noiseSeed = noiseSeed;
            this.noiseAmp = noiseAmp;
            this.colour = colour;
            this.background = background;
            this.ax = ax;
            this.ay = ay;
            this.bx = bx;
            this.by = by;
            this.angleA = angleA;
            this.angleB = angleB;
            this.radiusA = radiusA;
            this.radiusB = radiusB;
        }

        static long sceneSeed(long seed, int pair, int index) {
            long z = seed * 0x9E3779B97F4A7C15L + (pair + 1) * 0xBF58476D1CE4E5B9L + (index + 1) * 0x94D049BB133111EBL;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        static Scene create(Options o, int pair, int index, String split) {
            Random rnd = new Random(sceneSeed(o.seed(), pair, index));
            int nf = o.formats().size(), ns = o.sizes().size();
            Format format = o.formats().get((index + pair) % nf);
            Size size = o.sizes().get((index + index / nf + pair) % ns);          // every (format, size) pair over nf*ns scenes
            double fps = o.fps().get(rnd.nextInt(o.fps().size()));
            double seconds = o.minSeconds() + (o.maxSeconds() - o.minSeconds()) * rnd.nextDouble();
            int frames = Math.max(2, (int) Math.round(seconds * fps));
            int w = size.width(), h = size.height(), m = Math.min(w, h);

            Background bgKind = Background.values()[rnd.nextInt(Background.values().length)];
            byte[] bg = new byte[w * h * 3];
            int[] bgMean = renderBackground(bg, w, h, bgKind, o.noise(), rnd);
            // clutter: static shapes that belong to the background
            int clutter = rnd.nextInt(4);
            for (int k = 0; k < clutter; k++) {
                Shape s = Shape.values()[rnd.nextInt(Shape.values().length)];
                int[] c = {rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)};
                drawShape(bg, w, h, s, rnd.nextDouble() * w, rnd.nextDouble() * h, rnd.nextDouble() * Math.PI * 2,
                        m * (0.04 + 0.08 * rnd.nextDouble()), c);
            }

            List<String> pairClasses = PAIRS.get(pair);
            String fwd = pairClasses.get(0);
            Shape shape = fwd.equals("cw") ? ROTATABLE[rnd.nextInt(ROTATABLE.length)] : Shape.values()[rnd.nextInt(Shape.values().length)];
            int[] colour = contrasting(bgMean, rnd);
            double radius = m * (0.08 + 0.10 * rnd.nextDouble());
            double angle = rnd.nextDouble() * Math.PI * 2;
            double ax, ay, bx, by, angleA = angle, angleB = angle, radiusA = radius, radiusB = radius;
            switch (fwd) {
                case "left", "up" -> {
                    boolean horizontal = fwd.equals("left");
                    int along = horizontal ? w : h, across = horizontal ? h : w;
                    double d = along * (0.3 + 0.3 * rnd.nextDouble());                 // distance travelled
                    double margin = radius * 1.05;
                    double c = margin + d / 2 + (along - 2 * margin - d) * rnd.nextDouble();
                    double q = margin + (across - 2 * margin) * rnd.nextDouble();
                    // forward = towards smaller x (left) / smaller y (up)
                    if (horizontal) {
                        ax = c + d / 2; bx = c - d / 2; ay = q; by = q;
                    } else {
                        ay = c + d / 2; by = c - d / 2; ax = q; bx = q;
                    }
                }
                case "cw" -> {
                    ax = bx = radius * 1.1 + (w - 2.2 * radius) * rnd.nextDouble();
                    ay = by = radius * 1.1 + (h - 2.2 * radius) * rnd.nextDouble();
                    // image y points down, so a growing angle turns clockwise on screen; 90-225 degrees in all
                    angleB = angle + Math.PI * (0.5 + 0.75 * rnd.nextDouble());
                    radiusA = radiusB = radius * 1.3;
                }
                default -> {   // grow
                    double big = Math.min(m * 0.35, radius * (1.6 + 0.8 * rnd.nextDouble()));
                    double small = big / (1.8 + 1.0 * rnd.nextDouble());
                    radiusA = small;
                    radiusB = big;
                    ax = bx = big * 1.05 + (w - 2.1 * big) * rnd.nextDouble();
                    ay = by = big * 1.05 + (h - 2.1 * big) * rnd.nextDouble();
                }
            }
            int noiseAmp = (int) Math.round(o.noise() * (bgKind == Background.NOISE ? 20 + rnd.nextInt(20) : rnd.nextInt(13)));
            String id = PAIR_KEYS.get(pair) + String.format(Locale.ROOT, "-%04d", index);
            return new Scene(pair, id, split, w, h, frames, fps, format, shape, bgKind, rnd.nextLong(), noiseAmp, colour, bg,
                    ax, ay, bx, by, angleA, angleB, radiusA, radiusB);
        }

        /** Relative file of class {@code cls}'s clip. */
        String file(String cls) {
            return split + "/" + cls + "/" + cls + "_" + id + "." + format.container;
        }

        /** Frame {@code t} of class {@code cls} (one of this scene's pair): packed RGB24. */
        byte[] frame(String cls, int t) {
            List<String> p = PAIRS.get(pair);
            if (!p.contains(cls)) throw new IllegalArgumentException(cls + " is not in pair " + p);
            return source(cls.equals(p.get(0)) ? t : frames - 1 - t);
        }

        /** Source (forward) frame {@code t}: background, moving object, per-frame pixel noise. */
        byte[] source(int t) {
            if (t < 0 || t >= frames) throw new IndexOutOfBoundsException("frame " + t + " of " + frames);
            byte[] rgb = background.clone();
            double s = (double) t / (frames - 1);
            drawShape(rgb, width, height, shape, ax + (bx - ax) * s, ay + (by - ay) * s, angleA + (angleB - angleA) * s,
                    radiusA + (radiusB - radiusA) * s, colour);
            if (noiseAmp > 0) {
                long x = noiseSeed ^ (0x9E3779B97F4A7C15L * (t + 1));
                int span = 2 * noiseAmp + 1;
                for (int i = 0; i < rgb.length; i++) {
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                    int v = (rgb[i] & 0xff) + (int) ((x >>> 33) % span) - noiseAmp;
                    rgb[i] = (byte) (v < 0 ? 0 : Math.min(255, v));
                }
            }
            return rgb;
        }

        List<Clip> write(Path root, List<String> selected) throws IOException {
            List<String> pair = PAIRS.get(this.pair);
            List<Clip> out = new ArrayList<>();
            for (String cls : pair) {
                if (!selected.contains(cls)) continue;
                Path p = root.resolve(file(cls));
                Files.createDirectories(p.getParent());
                try (VideoWriter vw = new VideoWriter(p, width, height, fps, VideoWriter.Options.of(format.writerCodec))) {
                    for (int t = 0; t < frames; t++) vw.write(frame(cls, t));
                }
                String other = partner(cls);
                out.add(new Clip(file(cls), cls, split, id, selected.contains(other) ? file(other) : null, format.codec, format.container,
                        width, height, fps, frames, shape.name().toLowerCase(Locale.ROOT), backgroundKind.name().toLowerCase(Locale.ROOT)));
            }
            return out;
        }
    }

    private static int[] contrasting(int[] mean, Random rnd) {
        int[] best = null;
        int bestDist = -1;
        for (int k = 0; k < 20; k++) {
            int[] c = {rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)};
            int d = Math.abs(c[0] - mean[0]) + Math.abs(c[1] - mean[1]) + Math.abs(c[2] - mean[2]);
            if (d > bestDist) {
                best = c;
                bestDist = d;
            }
            if (d >= 180) break;
        }
        return best;
    }

    /** Fills {@code bg} with a random texture of the given kind; returns its mean colour. */
    private static int[] renderBackground(byte[] bg, int w, int h, Background kind, double noise, Random rnd) {
        int[] c0 = {rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)};
        int[] c1 = {rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)};
        int m = Math.min(w, h);
        // per kind: a scalar field f(x, y) in [0, 1] that mixes c0 and c1
        double[] fx = new double[3], fy = new double[3], ph = new double[3];
        for (int k = 0; k < 3; k++) {
            double a = rnd.nextDouble() * Math.PI, f = (1.5 + 10 * rnd.nextDouble()) * 2 * Math.PI / m;
            fx[k] = f * Math.cos(a);
            fy[k] = f * Math.sin(a);
            ph[k] = rnd.nextDouble() * 2 * Math.PI;
        }
        int cell = Math.max(2, (int) (m * (0.03 + 0.12 * rnd.nextDouble())));
        int gw = w / cell + 2, gh = h / cell + 2;
        double[] grid = new double[gw * gh];
        for (int i = 0; i < grid.length; i++) grid[i] = rnd.nextDouble();
        double stripeA = rnd.nextDouble() * Math.PI;
        int amp = (int) Math.round(noise * (30 + rnd.nextInt(40)));
        long x = rnd.nextLong() | 1;
        long[] sum = new long[3];
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                double f = switch (kind) {
                    case GRATINGS -> (Math.sin(fx[0] * xx + fy[0] * y + ph[0]) + Math.sin(fx[1] * xx + fy[1] * y + ph[1])
                            + 0.5 * Math.sin(fx[2] * xx + fy[2] * y + ph[2])) / 5 + 0.5;
                    case CLOUDS -> {
                        double gx = (double) xx / cell, gy = (double) y / cell;
                        int ix = (int) gx, iy = (int) gy;
                        double u = gx - ix, v = gy - iy;
                        u = u * u * (3 - 2 * u);
                        v = v * v * (3 - 2 * v);
                        yield (grid[iy * gw + ix] * (1 - u) + grid[iy * gw + ix + 1] * u) * (1 - v)
                                + (grid[(iy + 1) * gw + ix] * (1 - u) + grid[(iy + 1) * gw + ix + 1] * u) * v;
                    }
                    case CHECKERS -> ((xx / cell + y / cell) % 2 == 0) ? 0.2 : 0.8;
                    case STRIPES -> 0.5 + 0.5 * Math.signum(Math.sin((xx * Math.cos(stripeA) + y * Math.sin(stripeA)) * Math.PI / cell));
                    case NOISE -> 0.5;
                };
                int o = (y * w + xx) * 3;
                for (int c = 0; c < 3; c++) {
                    int v = (int) Math.round(c0[c] + (c1[c] - c0[c]) * f);
                    if (kind == Background.NOISE && amp > 0) {
                        x ^= x << 13;
                        x ^= x >>> 7;
                        x ^= x << 17;
                        v += (int) ((x >>> 33) % (2 * amp + 1)) - amp;
                    }
                    v = v < 0 ? 0 : Math.min(255, v);
                    bg[o + c] = (byte) v;
                    sum[c] += v;
                }
            }
        }
        long n = (long) w * h;
        return new int[] {(int) (sum[0] / n), (int) (sum[1] / n), (int) (sum[2] / n)};
    }

    /** Draws a filled shape of radius {@code r} centred at (cx, cy), turned by {@code angle} (clockwise on screen). */
    static void drawShape(byte[] rgb, int w, int h, Shape shape, double cx, double cy, double angle, double r, int[] colour) {
        int x0 = Math.max(0, (int) Math.floor(cx - r * 1.5)), x1 = Math.min(w - 1, (int) Math.ceil(cx + r * 1.5));
        int y0 = Math.max(0, (int) Math.floor(cy - r * 1.5)), y1 = Math.min(h - 1, (int) Math.ceil(cy + r * 1.5));
        double cos = Math.cos(angle), sin = Math.sin(angle);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                double u = (dx * cos + dy * sin) / r, v = (-dx * sin + dy * cos) / r;
                if (!inside(shape, u, v)) continue;
                int o = (y * w + x) * 3;
                rgb[o] = (byte) colour[0];
                rgb[o + 1] = (byte) colour[1];
                rgb[o + 2] = (byte) colour[2];
            }
        }
    }

    /** Shape membership in object coordinates (u along the object's axis, radius 1). */
    static boolean inside(Shape s, double u, double v) {
        double au = Math.abs(u), av = Math.abs(v);
        return switch (s) {
            case SQUARE -> au <= 0.75 && av <= 0.75;
            case RECT -> au <= 1 && av <= 0.5;
            case DISC -> u * u + v * v <= 1;
            case RING -> {
                double rr = u * u + v * v;
                yield rr <= 1 && rr >= 0.36;
            }
            case TRIANGLE -> u >= -0.8 && u <= 1 && av <= (1 - u) * 0.5;
            case CROSS -> (au <= 1 && av <= 0.28) || (av <= 1 && au <= 0.28);
            case BAR -> au <= 1 && av <= 0.22;
            case ELLIPSE -> u * u + v * v / 0.3 <= 1;
            case ARROW -> (u >= -1 && u <= 0.2 && av <= 0.2) || (u > 0.2 && u <= 1 && av <= (1 - u) * 0.75);
        };
    }
}
