package io.timesformer4j.data;

import io.timesformer4j.video.DecodedClip;
import io.timesformer4j.video.VideoException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loads batches of clips with {@code workers} parallel decode threads and bounded prefetch.
 *
 * <p><b>Determinism.</b> The sample order (shuffled in TRAIN) and every random choice for a sample (temporal
 * jitter, crop, flip) derive from {@code (seed, epoch, sample index)} only, never from thread timing: the
 * same arguments give the same batches with 1 or N workers. VAL and TEST keep the list order.
 *
 * <p><b>Memory.</b> At most {@link #prefetch()} clips ({@code max(2*batchSize, workers)}) are decoded or being
 * decoded ahead of the consumer, plus the batch being assembled.
 *
 * <p><b>Bad inputs.</b> A video that fails to decode (not a video, truncated beyond use, no frame) is
 * skipped and listed in {@link #skipped()}; its batch has one sample fewer (no replacement, so batches stay
 * deterministic). A batch whose samples all failed is left out, so {@link #size()} is an upper bound, unless
 * {@link #withEmptyBatches()} asks for an empty batch ({@code batch() == 0}) in its place (a data-parallel
 * rank must still take part in that step).
 * Videos shorter than the clip are used with repeated frames.
 *
 * <p><b>Threads.</b> Each iteration owns a fixed pool of daemon threads, shut down when the iteration ends
 * or when {@link #close()} is called (use try-with-resources when a loop may exit early). Worker threads only
 * decode and transform Java arrays; tensors are made by the consumer ({@link Batch#pixelValues()}).
 */
public final class ClipLoader implements Iterable<Batch>, AutoCloseable {
    private static final AtomicInteger LOADER_IDS = new AtomicInteger();

    private final List<Sample> samples;
    private final ClipSpec spec;
    private final Mode mode;
    private final int batchSize;
    private final int workers;
    private final long seed;
    private final int epoch;
    private final ClipDecoder decoder;
    private final ClipTransform transform;
    private final int id = LOADER_IDS.incrementAndGet();
    private final List<BadInput> skipped = new CopyOnWriteArrayList<>();
    private final List<BadInput> warnings = new CopyOnWriteArrayList<>();
    private final List<BatchIterator> open = new ArrayList<>();
    private final int[] fixedOrder;
    private final boolean emptyBatches;

    /** Loader decoding with FFmpeg ({@code video.VideoSource}). */
    public ClipLoader(List<Sample> samples, ClipSpec spec, Mode mode, int batchSize, int workers, long seed, int epoch) {
        this(samples, spec, mode, batchSize, workers, seed, epoch, VideoSourceDecoder.INSTANCE);
    }

    /** Loader with a custom decoder (tests, other sources). */
    public ClipLoader(List<Sample> samples, ClipSpec spec, Mode mode, int batchSize, int workers, long seed, int epoch,
                      ClipDecoder decoder) {
        this(samples, null, spec, mode, batchSize, workers, seed, epoch, decoder, false);
    }

    /**
     * Loader over the given positions of {@code samples} in this order (a {@link DistributedSampler} shard; an
     * index may repeat, as padding does). A sample's random choices stay those of {@code (seed, epoch, index)},
     * so a sample is augmented the same way whichever rank loads it; a repeated copy gets its own draw.
     */
    public ClipLoader(List<Sample> samples, int[] order, ClipSpec spec, Mode mode, int batchSize, int workers, long seed,
                      int epoch, ClipDecoder decoder) {
        this(samples, order.clone(), spec, mode, batchSize, workers, seed, epoch, decoder, false);
    }

    /**
     * {@code order} null = every sample, shuffled per epoch in TRAIN mode; otherwise these positions in this order.
     * {@code emptyBatches}: a batch whose samples all failed comes as an empty batch instead of being left out.
     */
    private ClipLoader(List<Sample> samples, int[] order, ClipSpec spec, Mode mode, int batchSize, int workers, long seed,
                       int epoch, ClipDecoder decoder, boolean emptyBatches) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1: " + batchSize);
        if (workers < 1) throw new IllegalArgumentException("workers must be >= 1: " + workers);
        if (order != null)
            for (int i : order) if (i < 0 || i >= samples.size()) throw new IllegalArgumentException("sample index " + i + " out of range");
        this.samples = List.copyOf(samples);
        this.spec = spec;
        this.mode = mode;
        this.batchSize = batchSize;
        this.workers = workers;
        this.seed = seed;
        this.epoch = epoch;
        this.decoder = decoder;
        this.transform = new ClipTransform(spec, mode);
        this.fixedOrder = order;
        this.emptyBatches = emptyBatches;
    }

    /**
     * The same loader, but a batch whose samples all failed to load comes as an empty batch
     * ({@code batch() == 0}, no pixels) instead of being left out: exactly {@link #size()} batches per pass.
     * A data-parallel rank needs this to take part in every step the other ranks take.
     */
    public ClipLoader withEmptyBatches() {
        return new ClipLoader(samples, fixedOrder, spec, mode, batchSize, workers, seed, epoch, decoder, true);
    }

    /** The FFmpeg decoder the loader uses by default ({@code video.VideoSource}, one pass per video). */
    public static ClipDecoder defaultDecoder() {
        return VideoSourceDecoder.INSTANCE;
    }

    /** Batches per pass: {@code ceil(samples / batchSize)} (fewer only if every sample of a batch is skipped). */
    public int size() {
        int n = fixedOrder != null ? fixedOrder.length : samples.size();
        return (n + batchSize - 1) / batchSize;
    }

    /** Clips decoded ahead of the consumer at most. */
    public int prefetch() {
        return Math.max(2 * batchSize, workers);
    }

    /** Inputs skipped during the latest iteration, each with file and reason, in sample order. */
    public List<BadInput> skipped() {
        return List.copyOf(skipped);
    }

    /**
     * Inputs of the latest iteration that were used although damaged ({@link BadInput#warning()}: a truncated
     * video, a frame folder with a gap in its numbering), in sample order.
     */
    public List<BadInput> warnings() {
        return List.copyOf(warnings);
    }

    /** The sample order of this epoch: a seeded permutation in TRAIN, the list order otherwise. */
    public int[] order() {
        if (fixedOrder != null) return fixedOrder.clone();
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) idx.add(i);
        if (mode == Mode.TRAIN) Collections.shuffle(idx, new Random(mix(seed, epoch, -1)));
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public Iterator<Batch> iterator() {
        skipped.clear();
        warnings.clear();
        return new BatchIterator();
    }

    /** Stops all decode threads of this loader; an iteration in progress then ends. */
    @Override
    public void close() {
        List<BatchIterator> its;
        synchronized (open) {
            its = new ArrayList<>(open);
            open.clear();
        }
        for (BatchIterator it : its) it.cancel();
    }

    /** A well-mixed 64-bit seed from several values (SplitMix64 finaliser on a running hash). */
    static long mix(long... values) {
        long h = 0x9E3779B97F4A7C15L;
        for (long v : values) {
            h ^= v + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2);
            h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
            h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
            h ^= h >>> 31;
        }
        return h;
    }

    /** For each position, how many earlier positions hold the same sample (0 for a first occurrence). */
    private static int[] copies(int[] order) {
        java.util.Map<Integer, Integer> seen = new java.util.HashMap<>();
        int[] c = new int[order.length];
        for (int i = 0; i < order.length; i++) c[i] = seen.merge(order[i], 1, Integer::sum) - 1;
        return c;
    }

    private record Result(int index, float[] pixels, BadInput bad, BadInput warning) {
        Result(int index, float[] pixels, BadInput bad) {
            this(index, pixels, bad, null);
        }
    }

    private Result load(int index, int copy) {
        Sample s = samples.get(index);
        long sampleSeed = copy == 0 ? mix(seed, epoch, index) : mix(seed, epoch, index, copy);
        try {
            DecodedClip f = decoder.decode(s.path(), n -> FrameSampling.indices(spec, mode, n, sampleSeed), spec.shortSide());
            if (f == null || f.frames() == 0 || f.frameCount() < 1) return new Result(index, null, new BadInput(s.path(), "no decodable frames"));
            float[] px = transform.apply(f.rgb(), f.frames(), f.height(), f.width(), new Random(mix(sampleSeed, 1)));
            return new Result(index, px, null, f.warning() == null ? null : BadInput.warning(s.path(), f.warning()));
        } catch (VideoException e) {
            return new Result(index, null, new BadInput(s.path(), reason(s.path(), e)));
        } catch (Exception e) {
            String msg = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            return new Result(index, null, new BadInput(s.path(), msg));
        }
    }

    /** The decoder's reason; when a file inside the sample failed (an image of a frame folder), its name first. */
    static String reason(java.nio.file.Path sample, VideoException e) {
        java.nio.file.Path failed = e.path();
        if (failed == null || failed.equals(sample) || !failed.startsWith(sample)) return e.reason();
        return sample.relativize(failed) + ": " + e.reason();
    }

    private final class BatchIterator implements Iterator<Batch> {
        private final int[] order = order();
        private final int[] copies = copies(order);
        private final ExecutorService pool;
        private final ConcurrentLinkedDeque<Future<Result>> inFlight = new ConcurrentLinkedDeque<>();
        private int submitted;
        private Batch next;
        private boolean finished;

        BatchIterator() {
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, "clip-loader-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            synchronized (open) {
                open.add(this);
            }
            fill();
        }

        private void fill() {
            while (inFlight.size() < prefetch() && submitted < order.length && !pool.isShutdown()) {
                int index = order[submitted], copy = copies[submitted];
                try {
                    inFlight.add(pool.submit(() -> load(index, copy)));
                } catch (RejectedExecutionException e) {
                    return;                                                 // closed meanwhile
                }
                submitted++;
            }
        }

        @Override
        public boolean hasNext() {
            if (next == null && !finished) next = advance();
            return next != null;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            Batch b = next;
            next = null;
            return b;
        }

        private Batch advance() {
            while (!inFlight.isEmpty() && !pool.isShutdown()) {     // shut down = closed by close()
                List<Result> ok = new ArrayList<>();
                for (int k = 0; k < batchSize && !inFlight.isEmpty(); k++) {
                    Result r = await(inFlight.peek());   // stays in inFlight while waiting, so cancel() reaches it
                    if (r == null) return stop();
                    inFlight.poll();
                    fill();
                    if (r.bad() != null) skipped.add(r.bad());
                    else ok.add(r);
                    if (r.warning() != null) warnings.add(r.warning());
                }
                if (!ok.isEmpty() || emptyBatches) return assemble(ok);
            }
            return stop();
        }

        /** The clip, or null when the loader was closed (or the consumer interrupted) before it was made. */
        private Result await(Future<Result> f) {
            while (true) {
                try {
                    return f.get(200, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (pool.isTerminated() && !f.isDone()) return null;   // closed: a queued task will never run
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                } catch (CancellationException e) {
                    return null;                                            // closed by close()
                } catch (ExecutionException e) {                            // only Errors get here (load() catches Exceptions)
                    stop();
                    throw new IllegalStateException("clip loader worker failed: " + e.getCause(), e.getCause());
                }
            }
        }

        private Batch stop() {
            finished = true;
            pool.shutdownNow();
            synchronized (open) {
                open.remove(this);
            }
            inFlight.clear();
            return null;
        }

        /** From {@link #close()}, possibly on another thread: stop the threads and wake a blocked consumer. */
        void cancel() {
            pool.shutdownNow();
            for (Future<Result> f : inFlight) f.cancel(true);
        }

        private Batch assemble(List<Result> ok) {
            int per = transform.outputLength();
            float[] pixels = new float[ok.size() * per];
            int[] labels = new int[ok.size()];
            List<Sample> batchSamples = new ArrayList<>();
            for (int i = 0; i < ok.size(); i++) {
                System.arraycopy(ok.get(i).pixels(), 0, pixels, i * per, per);
                Sample s = samples.get(ok.get(i).index());
                labels[i] = s.label();
                batchSamples.add(s);
            }
            if (inFlight.isEmpty() && submitted == order.length) stop();   // last batch: release threads now
            int sz = spec.cropSize();
            return new Batch(pixels, ok.size(), spec.views(mode), spec.numFrames(), sz, sz, labels, batchSamples);
        }
    }
}
