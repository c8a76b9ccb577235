package io.timesformer4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.data.Batch;
import io.timesformer4j.data.ClipLoader;
import io.timesformer4j.data.ClipSpec;
import io.timesformer4j.data.Mode;
import io.timesformer4j.data.Sample;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.Preprocessing;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.video.VideoWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API on a tiny model with non-trivial weights and real encoded videos. */
class VideoClassifierTest {
    static final List<String> LABELS = List.of("a", "b", "c", "d", "e");
    @TempDir static Path dir;
    static Path model, red, ramp;
    static VideoClassifier classifier;

    @BeforeAll
    static void setUp() throws IOException {
        model = tinyModel(dir.resolve("model"), 7);
        red = video(dir.resolve("red.avi"), 0, 12, 10);
        ramp = video(dir.resolve("ramp.avi"), 0, 40, 10);
        classifier = VideoClassifier.load(model, VideoClassifier.Options.defaults().withThreads(1).withTopK(3));
    }

    @AfterAll
    static void tearDown() {
        classifier.close();
    }

    /** The tiny preset (32 px, 4 frames, 5 classes) with weights scaled up so the classes differ clearly. */
    static Path tinyModel(Path out, long seed) throws IOException {
        torch.manual_seed(seed);
        TimeSformer m = new TimeSformer(Presets.get("tiny", LABELS));
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Tensor p : m.stateDict().values()) p.add_(torch.randn_like(p).mul(new org.bytedeco.pytorch.Scalar(0.3)));
        }
        ModelDir.save(m, Preprocessing.defaults(32), out);
        return out;
    }

    /** Frames {@code from..from+frames-1} of a clip whose colour and a moving bar change with the frame index. */
    static Path video(Path p, int from, int frames, double fps) throws IOException {
        int w = 48, h = 40;
        try (VideoWriter vw = new VideoWriter(p, w, h, fps, VideoWriter.Codec.forFile(p), 0)) {
            for (int t = from; t < from + frames; t++) {
                byte[] rgb = new byte[w * h * 3];
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int o = (y * w + x) * 3;
                        boolean bar = Math.abs(x - (t * 3) % w) < 4;
                        rgb[o] = (byte) (bar ? 250 : (t * 23) % 256);
                        rgb[o + 1] = (byte) (bar ? 250 : (x * 5 + t * 7) % 256);
                        rgb[o + 2] = (byte) ((y * 6) % 256);
                    }
                }
                vw.write(rgb);
            }
        }
        return p;
    }

    /** What the training/evaluation pipeline (ClipLoader, TEST mode) and the eager model give for one video. */
    static float[] reference(Path video, int temporal, int spatial, boolean features) throws IOException {
        ModelDir.LoadedModel lm = ModelDir.load(model);
        var pre = lm.preprocessing();
        ClipSpec spec = ClipSpec.forModel(lm.config().numFrames(), pre.cropSize(), pre.mean(), pre.std())
                .withShortSide(pre.shortSide()).withViews(temporal, spatial);
        try (ClipLoader loader = new ClipLoader(List.of(new Sample(video, 0)), spec, Mode.TEST, 1, 1, 0, 0);
             PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Batch b = loader.iterator().next();
            Tensor x = b.pixelValues();
            Tensor y = features ? lm.model().features(x) : torch.softmax(lm.model().forward(x), 1);
            Tensor mean = y.mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).contiguous();
            float[] out = new float[(int) mean.numel()];
            mean.data_ptr_float().get(out);
            return out;
        }
    }

    @Test
    void classifyMatchesTheEvaluationPipeline() throws IOException {
        float[] want = reference(red, 1, 1, false);
        assertArrayEquals(want, classifier.probabilities(red), 1e-6f);
        Prediction p = classifier.classify(red);
        assertEquals(3, p.top().size());
        int best = 0;
        for (int c = 1; c < want.length; c++) if (want[c] > want[best]) best = c;
        assertEquals(LABELS.get(best), p.best().label());
        assertEquals(want[best], p.best().probability(), 1e-6f);
        assertTrue(p.top().get(0).probability() >= p.top().get(1).probability());
        assertTrue(want[best] > 0.3f, "weights make a clear winner: " + want[best]);

        try (VideoClassifier views = VideoClassifier.load(model.toString(), VideoClassifier.Options.defaults()
                .withThreads(1).withViews(2, 3))) {
            assertArrayEquals(reference(ramp, 2, 3, false), views.probabilities(ramp), 1e-6f);
        }
        List<Prediction> both = classifier.classify(List.of(red, ramp));
        assertEquals(List.of(red, ramp), both.stream().map(Prediction::video).toList());
        assertEquals(classifier.classify(ramp), both.get(1));
    }

    @Test
    void featuresAreTheClsEmbedding() throws IOException {
        float[] f = classifier.features(ramp);
        assertEquals(64, f.length);
        assertEquals(64, classifier.featureSize());
        assertArrayEquals(reference(ramp, 1, 1, true), f, 1e-5f);
        assertNotEquals(0f, f[0]);
    }

    @Test
    void bf16PrecisionGivesTheSameAnswerWithinTheStatedBound() throws IOException {
        Prediction fp32 = classifier.classify(ramp);
        try (VideoClassifier c = VideoClassifier.load(model, VideoClassifier.Options.defaults().withThreads(1).withTopK(5)
                .withPrecision(VideoClassifier.Precision.BF16))) {
            Prediction bf16 = c.classify(ramp);
            assertEquals(fp32.top().get(0).label(), bf16.top().get(0).label());
            assertEquals(fp32.top().get(0).probability(), bf16.top().get(0).probability(), 0.02);
            // bf16 really ran: the last probability bits differ from fp32's
            assertNotEquals(fp32.top().get(1).probability(), bf16.top().get(1).probability());
        }
        assertEquals(VideoClassifier.Precision.FP32, VideoClassifier.Options.defaults().precision());
    }

    @Test
    void timelineWindowsEqualClassifyingTheCutClips() throws IOException {
        // 40 frames at 10 fps; windows of 2 s every 1 s: [0,2) [1,3) [2,4)
        List<TimelineWindow> tl = classifier.timeline(ramp, Duration.ofSeconds(2), Duration.ofSeconds(1));
        assertEquals(3, tl.size());
        try (VideoClassifier all = VideoClassifier.load(model, VideoClassifier.Options.defaults().withThreads(1).withTopK(5))) {
            List<TimelineWindow> full = all.timeline(ramp, Duration.ofSeconds(2), Duration.ofSeconds(1));
            for (int w = 0; w < 3; w++) {
                assertEquals(w, full.get(w).startSeconds(), 1e-9);
                assertEquals(w + 2, full.get(w).endSeconds(), 1e-9);
                // MJPEG is intra-only: the same frames encoded alone decode identically
                Path cut = video(dir.resolve("cut" + w + ".avi"), w * 10, 20, 10);
                Prediction p = all.classify(cut);
                // same labels in the same order; probabilities to float rounding (MKL's GEMM blocking
                // depends on the batch: a window batch and a single clip differ in the last bits)
                assertEquals(p.top().size(), full.get(w).top().size(), "window " + w);
                for (int k = 0; k < p.top().size(); k++) {
                    assertEquals(p.top().get(k).label(), full.get(w).top().get(k).label(), "window " + w);
                    assertEquals(p.top().get(k).probability(), full.get(w).top().get(k).probability(), 1e-6, "window " + w);
                }
            }
            assertNotEquals(full.get(0).top(), full.get(2).top(), "windows see different frames");
            // a video shorter than the window: one window over all of it
            List<TimelineWindow> one = all.timeline(red, Duration.ofSeconds(5), Duration.ofSeconds(1));
            assertEquals(1, one.size());
            assertEquals(1.2, one.get(0).endSeconds(), 1e-9);
            assertEquals(all.classify(red).top(), one.get(0).top());
        }
    }

    @Test
    void safeFromSeveralThreads() throws Exception {
        Prediction r = classifier.classify(red), m = classifier.classify(ramp);
        float[] f = classifier.features(ramp);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> fs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int k = i;
                fs.add(pool.submit(() -> switch (k % 3) {
                    case 0 -> classifier.classify(red).equals(r);
                    case 1 -> classifier.classify(ramp).equals(m);
                    default -> java.util.Arrays.equals(classifier.features(ramp), f);
                }));
            }
            for (Future<Boolean> x : fs) assertTrue(x.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void errorsNameTheFileAndReason() throws IOException {
        Path missing = dir.resolve("missing.mp4");
        ClassifierException e = assertThrows(ClassifierException.class, () -> classifier.classify(missing));
        assertEquals(missing + ": no such file or directory", e.getMessage());
        assertEquals(missing, e.path());
        Path text = Files.writeString(dir.resolve("notes.mp4"), "not a video");
        ClassifierException t = assertThrows(ClassifierException.class, () -> classifier.classify(text));
        assertTrue(t.getMessage().startsWith(text + ": "), t.getMessage());
        ClassifierException inList = assertThrows(ClassifierException.class, () -> classifier.classify(List.of(red, text)));
        assertTrue(inList.getMessage().startsWith(text + ": "), inList.getMessage());
        ClassifierException nomodel = assertThrows(ClassifierException.class,
                () -> VideoClassifier.load(dir.resolve("nomodel"), VideoClassifier.Options.defaults()));
        assertTrue(nomodel.getMessage().startsWith(dir.resolve("nomodel") + ": no such file"), nomodel.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VideoClassifier.Options.defaults().withViews(1, 2));
        VideoClassifier closed = VideoClassifier.load(model, VideoClassifier.Options.defaults().withThreads(1));
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.classify(red));
    }

    @Test
    void publicSignaturesHaveNoNativeTypes() {
        for (Class<?> c : List.of(VideoClassifier.class, VideoClassifier.Options.class, Prediction.class, Label.class,
                TimelineWindow.class, ClassifierException.class)) {
            for (Method m : c.getMethods()) {
                List<Class<?>> types = new ArrayList<>(List.of(m.getParameterTypes()));
                types.add(m.getReturnType());
                for (Class<?> t : types) assertTrue(!t.getName().startsWith("org.bytedeco"), c + "." + m.getName() + " uses " + t);
            }
        }
    }

    /** examples/ClassifyVideo.java compiles against the API and runs. */
    @Test
    void exampleProgramCompilesAndRuns(@TempDir Path classes) throws Exception {
        Path src = Path.of("examples/ClassifyVideo.java");
        assertTrue(Files.isRegularFile(src), "run from the repository root");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                src.toString());
        assertEquals(0, rc, diag.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try (var loader = new java.net.URLClassLoader(new java.net.URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
             PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            loader.loadClass("ClassifyVideo").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {model.toString(), ramp.toString()});
        } finally {
            System.setOut(old);
        }
        String s = out.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith(ramp + ": " + classifier.classify(ramp).best().label() + " "), s);
        assertTrue(s.contains("embedding: 64 floats"), s);
        assertTrue(s.contains("0.0-2.0 s: ") && s.contains("2.0-4.0 s: "), s);
    }
}
