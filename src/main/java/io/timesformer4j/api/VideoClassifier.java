package io.timesformer4j.api;

import io.timesformer4j.data.ClipSpec;
import io.timesformer4j.data.ClipTransform;
import io.timesformer4j.data.FrameSampling;
import io.timesformer4j.data.Mode;
import io.timesformer4j.hub.HubClient;
import io.timesformer4j.hub.HubException;
import io.timesformer4j.hub.HubId;
import io.timesformer4j.hub.HubSettings;
import io.timesformer4j.model.Autocast;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.run.RunDir;
import io.timesformer4j.runtime.Natives;
import io.timesformer4j.video.DecodedClip;
import io.timesformer4j.video.VideoException;
import io.timesformer4j.video.VideoInfo;
import io.timesformer4j.video.VideoSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A trained TimeSformer ready to classify videos: load once, call many times, from any number of threads.
 *
 * <pre>{@code
 * try (VideoClassifier c = VideoClassifier.load("facebook/timesformer-base-finetuned-k400", VideoClassifier.Options.defaults())) {
 *     Prediction p = c.classify(Path.of("clip.mp4"));          // p.best().label(), p.best().probability()
 * }
 * }</pre>
 *
 * <p>The model is a Hugging Face model directory ({@code config.json} + {@code model.safetensors} or
 * {@code pytorch_model.bin} + {@code preprocessor_config.json}, e.g. {@code RUN/best} of a training run), an
 * official {@code .pyth} checkpoint, or a Hub id {@code org/name[@revision]} downloaded into the
 * {@code huggingface_hub} cache (see {@link HubClient}). Preprocessing is the model's own
 * ({@code preprocessor_config.json}): decode with FFmpeg, sample {@code num_frames} frames evenly (TSN
 * segment centres, {@code temporalViews} clips), resize the short side, crop the centre (or 3 crops),
 * normalise. Class probabilities are the softmax averaged over the views, as in the TimeSformer test protocol.
 *
 * <p>Thread safety: every method may be called concurrently. Videos are decoded in the calling threads in
 * parallel; forward passes are serialised (each already uses libtorch's {@link Options#threads()} threads).
 * Native memory of each call is freed when it returns. Failures are {@link ClassifierException}s whose message
 * names the file and the reason.
 */
public final class VideoClassifier implements AutoCloseable {
    /** Windows decoded in one pass by {@link #timeline}. */
    private static final int TIMELINE_CHUNK = 16;

    /**
     * How the classifier runs.
     *
     * @param threads        libtorch intra-op threads; 0 = one per core. libtorch's pool is process-wide, so
     *                       the last classifier loaded sets it
     * @param topK           labels per prediction (clamped to the number of classes)
     * @param temporalViews  clips per video, evenly spaced in time (TimeSformer's test protocol uses 1 or 3)
     * @param spatialViews   crops per clip: 1 (centre) or 3 (along the long side)
     * @param decodeThreads  videos decoded in parallel by {@link #classify(List)}
     * @param hubProgress    where Hub downloads report progress (null for silence)
     * @param precision      forward precision: {@link Precision#FP32} (default, the official numbers),
     *                       {@link Precision#BF16} (CPU autocast; about 2x faster with AVX512-BF16/AMX, logits
     *                       within 2 % of their range, docs/model.md) or {@link Precision#AUTO} (bf16 where the
     *                       CPU runs it natively)
     */
    public record Options(int threads, int topK, int temporalViews, int spatialViews, int decodeThreads,
                          PrintStream hubProgress, Precision precision) {
        /** Validates the values. */
        public Options {
            if (threads < 0) throw new IllegalArgumentException("threads must be >= 0 (0 = one per core), got " + threads);
            if (topK < 1) throw new IllegalArgumentException("topK must be >= 1, got " + topK);
            if (temporalViews < 1) throw new IllegalArgumentException("temporalViews must be >= 1, got " + temporalViews);
            if (spatialViews != 1 && spatialViews != 3)
                throw new IllegalArgumentException("spatialViews must be 1 or 3, got " + spatialViews);
            if (decodeThreads < 1) throw new IllegalArgumentException("decodeThreads must be >= 1, got " + decodeThreads);
            if (precision == null) throw new IllegalArgumentException("precision must not be null");
        }

        /** The pre-precision constructor: fp32. */
        public Options(int threads, int topK, int temporalViews, int spatialViews, int decodeThreads, PrintStream hubProgress) {
            this(threads, topK, temporalViews, spatialViews, decodeThreads, hubProgress, Precision.FP32);
        }

        /** With forward precision {@code p}. */
        public Options withPrecision(Precision p) {
            return new Options(threads, topK, temporalViews, spatialViews, decodeThreads, hubProgress, p);
        }

        /** One thread per core, top 5, one centre view, 2 decode threads, Hub progress on stderr. */
        public static Options defaults() {
            return new Options(0, 5, 1, 1, 2, System.err);
        }

        /** With {@code n} libtorch threads. */
        public Options withThreads(int n) {
            return new Options(n, topK, temporalViews, spatialViews, decodeThreads, hubProgress, precision);
        }

        /** With {@code k} labels per prediction. */
        public Options withTopK(int k) {
            return new Options(threads, k, temporalViews, spatialViews, decodeThreads, hubProgress, precision);
        }

        /** With {@code temporal x spatial} views per video. */
        public Options withViews(int temporal, int spatial) {
            return new Options(threads, topK, temporal, spatial, decodeThreads, hubProgress, precision);
        }

        /** With {@code n} parallel decodes in {@link #classify(List)}. */
        public Options withDecodeThreads(int n) {
            return new Options(threads, topK, temporalViews, spatialViews, n, hubProgress, precision);
        }

        /** With Hub download progress going to {@code out} (null: none). */
        public Options withHubProgress(PrintStream out) {
            return new Options(threads, topK, temporalViews, spatialViews, decodeThreads, out, precision);
        }
    }

    /** Forward precision of {@link Options#precision()}. */
    public enum Precision {
        FP32, BF16, AUTO;

        /** AUTO resolved for this machine: BF16 where /proc/cpuinfo lists avx512_bf16 or amx_bf16. */
        public boolean bf16() {
            return this == BF16 || (this == AUTO && io.timesformer4j.runtime.CpuFeatures.nativeBf16());
        }
    }

    private final Path source;
    private final Options options;
    private final boolean bf16;
    private final List<String> labels;
    private final ClipSpec spec;
    private final int hiddenSize;
    private final ReentrantLock forwardLock = new ReentrantLock();
    private final ExecutorService decoders;
    private volatile TimeSformer model;

    private VideoClassifier(Path source, ModelDir.LoadedModel lm, Options options) {
        this.source = source;
        this.options = options;
        this.bf16 = options.precision().bf16();
        this.model = lm.model();
        if (bf16) model.prepareBf16Inference();            // as eval.Precision.forInference: less time and memory
        this.labels = List.copyOf(lm.config().labels());
        this.hiddenSize = lm.config().hiddenSize();
        var pre = lm.preprocessing();
        this.spec = ClipSpec.forModel(lm.config().numFrames(), pre.cropSize(), pre.mean(), pre.std())
                .withShortSide(pre.shortSide()).withViews(options.temporalViews(), options.spatialViews());
        this.decoders = Executors.newFixedThreadPool(options.decodeThreads(), r -> {
            Thread t = new Thread(r, "timesformer4j-decode");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Loads a model directory or weights file.
     *
     * @throws ClassifierException naming the path and the reason (missing, no config.json, bad weights...)
     */
    public static VideoClassifier load(Path model, Options options) {
        Natives.ensureLoaded();
        Natives.setTorchThreads(options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors());
        try {
            return new VideoClassifier(model, ModelDir.load(RunDir.modelPath(model)), options);
        } catch (IOException | IllegalArgumentException e) {
            throw new ClassifierException(model, e.getMessage(), e);
        }
    }

    /**
     * Loads a local path, or, when {@code pathOrHubId} is not an existing path and reads as
     * {@code org/name[@revision]}, the model from the Hugging Face Hub through the shared cache (environment:
     * {@code HF_HOME}, {@code HF_HUB_CACHE}, {@code HF_ENDPOINT}, {@code HF_TOKEN}, {@code HF_HUB_OFFLINE}).
     */
    public static VideoClassifier load(String pathOrHubId, Options options) {
        if (!HubId.looksLike(pathOrHubId)) return load(Path.of(pathOrHubId), options);
        Path snapshot;
        try {
            snapshot = new HubClient(HubSettings.fromEnvironment(), options.hubProgress())
                    .modelOrLocalHint(HubId.parse(pathOrHubId), pathOrHubId);
        } catch (HubException e) {
            throw new ClassifierException(e.getMessage(), e);
        }
        return load(snapshot, options);
    }

    /** The class names, by index. */
    public List<String> labels() {
        return labels;
    }

    /** The options in use. */
    public Options options() {
        return options;
    }

    /** Frames per clip ({@code num_frames} of the model). */
    public int numFrames() {
        return spec.numFrames();
    }

    /** Length of {@link #features} vectors (the hidden size). */
    public int featureSize() {
        return hiddenSize;
    }

    /**
     * The top-k classes of one video file or frame folder.
     *
     * @throws ClassifierException naming the video and the reason when it cannot be decoded
     */
    public Prediction classify(Path video) {
        Decoded d = decode(video);
        float[] probs = run(video, d.pixels(), spec.views(Mode.TEST), false);
        return new Prediction(video, top(probs), d.warning());
    }

    /**
     * The top-k classes of several videos, in the same order, decoded {@link Options#decodeThreads()} at a time.
     *
     * @throws ClassifierException for the first video (in list order) that cannot be decoded
     */
    public List<Prediction> classify(List<Path> videos) {
        List<Future<Prediction>> futures = new ArrayList<>();
        for (Path v : videos) futures.add(decoders.submit(() -> classify(v)));
        List<Prediction> out = new ArrayList<>();
        for (Future<Prediction> f : futures) out.add(join(f));
        return out;
    }

    /**
     * Class probabilities of one video, indexed like {@link #labels()} (softmax averaged over the views).
     *
     * @throws ClassifierException naming the video and the reason
     */
    public float[] probabilities(Path video) {
        float[] pixels = decode(video).pixels();
        return run(video, pixels, spec.views(Mode.TEST), false);
    }

    /**
     * The video's embedding: the final-LayerNorm CLS token that feeds the classifier head (official
     * {@code forward_features}), averaged over the views; length {@link #featureSize()}.
     *
     * @throws ClassifierException naming the video and the reason
     */
    public float[] features(Path video) {
        float[] pixels = decode(video).pixels();
        return run(video, pixels, spec.views(Mode.TEST), true);
    }

    /**
     * Per-window predictions for a long video: windows of {@code window} length every {@code stride}, from the
     * start, as long as a window fits (a video shorter than one window gives one window over all of it). Each
     * window is one clip of {@link #numFrames()} frames spread evenly over it, with the spatial views of the
     * options. The video is decoded in one pass per 16 windows (with keyframe seeks in between).
     *
     * @throws ClassifierException naming the video and the reason
     */
    public List<TimelineWindow> timeline(Path video, Duration window, Duration stride) {
        if (window == null || window.isNegative() || window.isZero())
            throw new IllegalArgumentException("window must be > 0, got " + window);
        if (stride == null || stride.isNegative() || stride.isZero())
            throw new IllegalArgumentException("stride must be > 0, got " + stride);
        VideoInfo info;
        try (VideoSource v = VideoSource.open(video)) {
            info = v.info();
        } catch (VideoException e) {
            throw new ClassifierException(video, reasonOf(e, video), e);
        }
        double fps = info.fps();
        if (!(fps > 0)) throw new ClassifierException(video, "unknown frame rate: cannot place time windows", null);
        int n = info.frameCountHint() > 0 ? info.frameCountHint() : (int) Math.round(info.durationSeconds() * fps);
        if (n < 1) throw new ClassifierException(video, "no frames", null);
        int wf = (int) Math.max(1, Math.round(window.toNanos() / 1e9 * fps));
        int sf = (int) Math.max(1, Math.round(stride.toNanos() / 1e9 * fps));
        List<int[]> windows = new ArrayList<>();                       // {startFrame, frames}
        for (int s = 0; s + wf <= n; s += sf) windows.add(new int[] {s, wf});
        if (windows.isEmpty()) windows.add(new int[] {0, n});
        ClipSpec one = spec.withViews(1, spec.spatialViews());
        int t = spec.numFrames(), views = one.views(Mode.TEST);
        ClipTransform transform = new ClipTransform(one, Mode.TEST);
        List<TimelineWindow> out = new ArrayList<>();
        for (int c0 = 0; c0 < windows.size(); c0 += TIMELINE_CHUNK) {
            List<int[]> chunk = windows.subList(c0, Math.min(windows.size(), c0 + TIMELINE_CHUNK));
            DecodedClip clip;
            try (VideoSource v = VideoSource.open(video)) {
                clip = v.read(count -> {
                    int[] idx = new int[chunk.size() * t];
                    for (int w = 0; w < chunk.size(); w++) {
                        int[] in = FrameSampling.tsnView(chunk.get(w)[1], t, 0, 1);
                        for (int f = 0; f < t; f++) idx[w * t + f] = Math.min(count - 1, chunk.get(w)[0] + in[f]);
                    }
                    return idx;
                }, spec.shortSide());
            } catch (VideoException e) {
                throw new ClassifierException(video, reasonOf(e, video), e);
            }
            int frameBytes = clip.height() * clip.width() * 3, perWindow = transform.outputLength();
            float[] pixels = new float[chunk.size() * perWindow];
            for (int w = 0; w < chunk.size(); w++) {
                byte[] rgb = Arrays.copyOfRange(clip.rgb(), w * t * frameBytes, (w + 1) * t * frameBytes);
                System.arraycopy(transform.apply(rgb, t, clip.height(), clip.width(), null), 0, pixels, w * perWindow, perWindow);
            }
            float[] probs = run(video, pixels, views, false);          // (windows, K) flattened
            int k = labels.size();
            for (int w = 0; w < chunk.size(); w++) {
                float[] row = Arrays.copyOfRange(probs, w * k, (w + 1) * k);
                int[] win = chunk.get(w);
                out.add(new TimelineWindow(win[0] / fps, (win[0] + win[1]) / fps, top(row), clip.warning()));
            }
        }
        return out;
    }

    /** Releases the decode threads; the model's native memory is freed with it. Idempotent. */
    @Override
    public void close() {
        decoders.shutdownNow();
        forwardLock.lock();
        try {
            model = null;
        } finally {
            forwardLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "VideoClassifier[" + source + ", " + labels.size() + " classes, " + spec.numFrames() + " frames, views "
                + spec.temporalViews() + "x" + spec.spatialViews() + "]";
    }

    // ----------------------------------------------------------------------------------------------------

    /** {@code (V, T, C, S, S)} normalised floats of one video, and the decoder's warning (null when none). */
    private record Decoded(float[] pixels, String warning) {}

    private Decoded decode(Path video) {
        if (model == null) throw new IllegalStateException("VideoClassifier is closed");
        try (VideoSource v = VideoSource.open(video)) {
            DecodedClip c = v.read(count -> FrameSampling.indices(spec, Mode.TEST, count, 0), spec.shortSide());
            return new Decoded(new ClipTransform(spec, Mode.TEST).apply(c.rgb(), c.frames(), c.height(), c.width(), null), c.warning());
        } catch (VideoException e) {
            throw new ClassifierException(video, reasonOf(e, video), e);
        } catch (RuntimeException e) {
            throw new ClassifierException(video, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    /**
     * Forward of {@code pixels} = {@code (B*views, T, C, S, S)}: probabilities {@code (B, K)} or features
     * {@code (B, D)}, averaged over each group of {@code views} rows, flattened.
     */
    private float[] run(Path video, float[] pixels, int views, boolean features) {
        int s = spec.cropSize(), t = spec.numFrames();
        long rows = pixels.length / ((long) t * 3 * s * s);
        forwardLock.lock();
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            TimeSformer m = model;
            if (m == null) throw new IllegalStateException("VideoClassifier is closed");
            Tensor x = Tensor.create(pixels, rows, t, 3, s, s);                                    // (B*V, T, C, S, S)
            Tensor y;
            try (Autocast.Scope ps = bf16 ? Autocast.bf16() : () -> {}) {                   // as evaluate and predict run it
                y = features ? m.features(x) : torch.softmax(m.forward(x).to(torch.ScalarType.Float), 1);  // (B*V, K or D)
            }
            long width = y.size(1);
            Tensor mean = y.to(torch.ScalarType.Float).reshape(rows / views, views, width)
                    .mean(new long[] {1}, false, new ScalarTypeOptional()).contiguous();        // (B, K or D)
            float[] out = new float[(int) (rows / views * width)];
            mean.data_ptr_float().get(out);
            return out;
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException) throw e;
            throw new ClassifierException(video, "model forward failed: " + e.getMessage(), e);
        } finally {
            forwardLock.unlock();
        }
    }

    private List<Label> top(float[] probs) {
        Integer[] idx = new Integer[probs.length];
        for (int c = 0; c < probs.length; c++) idx[c] = c;
        // ties go to the lower class index, as torch.topk/argmax do in practice
        Arrays.sort(idx, (a, b) -> probs[a] != probs[b] ? Float.compare(probs[b], probs[a]) : Integer.compare(a, b));
        List<Label> out = new ArrayList<>();
        for (int j = 0; j < Math.min(options.topK(), probs.length); j++) out.add(new Label(labels.get(idx[j]), probs[idx[j]]));
        return out;
    }

    private static String reasonOf(Exception e, Path video) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        String p = video.toString() + ": ";
        return m.startsWith(p) ? m.substring(p.length()) : m;
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }
}
