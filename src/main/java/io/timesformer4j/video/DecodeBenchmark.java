package io.timesformer4j.video;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Decode throughput of {@link VideoSource}: frames per second through the decoder, swscale and the
 * copy to the Java heap, for one decoder thread and for one decoder per core.
 */
public final class DecodeBenchmark {
    /** How a video is read in one measurement. */
    public enum Mode {
        /** every frame at its native size */
        NATIVE,
        /** every frame, short side resized to 224 */
        SHORT224,
        /** {@code read(FrameSampler.uniform(8), 224)}: one training clip (decode stops after the last wanted frame) */
        CLIP8,
        /** the same with keyframe seeks turned off: decode through every frame up to the last wanted one */
        CLIP8_NOSEEK,
        /**
         * the RGB conversion alone at short side 224, both orders on the same decoded frames, alternating per
         * frame (so machine load hits both alike): two rows, {@code convert224} (resize in YUV, then convert,
         * the decoder's order) and {@code convert224_direct} (one scaled YUV-to-RGB call, the old order);
         * frames/s = frames / conversion time, one thread
         */
        CONVERT224
    }

    /**
     * @param minSeconds each measurement repeats whole passes until this much time has passed
     * @param threads    thread counts to measure (1 = single decoder thread; each thread owns one decoder)
     */
    public record Options(double minSeconds, List<Integer> threads, List<Mode> modes) {
        public static Options defaults() {
            int cores = Runtime.getRuntime().availableProcessors();
            return new Options(1.0, cores > 1 ? List.of(1, cores) : List.of(1), List.of(Mode.values()));
        }
    }

    /**
     * One measurement.
     *
     * @param framesPerSecond frames per second, all threads together (clip modes: the frames up to the last
     *                        wanted one, whether decoded or skipped by a seek, so the figures compare with native)
     * @param msPerPass       wall time of one pass over the video (one clip for CLIP8), per thread
     */
    public record Row(String video, int width, int height, String codec, int frames, String mode, int threads,
                      int passes, double framesPerSecond, double msPerPass) {}

    private DecodeBenchmark() {}

    public static List<Row> run(List<Path> videos, Options options) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (Path v : videos) {
            VideoInfo info;
            try (VideoSource s = VideoSource.open(v)) {
                info = s.info();
            }
            pass(v, Mode.SHORT224);                               // warm-up: page cache, JIT
            for (Mode m : options.modes()) {
                if (m == Mode.CONVERT224) {
                    rows.addAll(conversion(v, info, options.minSeconds()));
                    continue;
                }
                for (int threads : options.threads()) rows.add(measure(v, info, m, threads, options.minSeconds()));
            }
        }
        return rows;
    }

    private static Row measure(Path video, VideoInfo info, Mode mode, int threads, double minSeconds) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            long deadline = start + (long) (minSeconds * 1e9);
            List<Future<long[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    long frames = 0, passes = 0;
                    do {
                        frames += pass(video, mode);
                        passes++;
                    } while (System.nanoTime() < deadline);
                    return new long[] {frames, passes};
                }));
            }
            long frames = 0, passes = 0;
            for (Future<long[]> f : futures) {
                long[] r = f.get();
                frames += r[0];
                passes += r[1];
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Row(video.getFileName().toString(), info.width(), info.height(), info.codec(), info.frameCountHint(),
                    mode.name().toLowerCase(java.util.Locale.ROOT), threads, (int) passes, frames / seconds,
                    seconds * 1000 * threads / passes);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            throw new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@link Mode#CONVERT224}: both conversion orders timed on the same frames, alternating. */
    private static List<Row> conversion(Path video, VideoInfo info, double minSeconds) throws IOException {
        long[] ns = new long[2];
        long frames = 0, passes = 0;
        long deadline = System.nanoTime() + (long) (minSeconds * 1e9);
        do {
            try (FfmpegDecoder d = new FfmpegDecoder(video, 1)) {
                int[] size = null;
                while (d.next()) {
                    if (size == null) size = Frames.scaledSize(d.width, d.height, 224);
                    for (int k = 0; k < 2; k++) {
                        boolean direct = ((frames + k) & 1) == 1;    // alternate which order goes first
                        long t0 = System.nanoTime();
                        d.rgb(size[0], size[1], direct);
                        ns[direct ? 1 : 0] += System.nanoTime() - t0;
                    }
                    frames++;
                }
            }
            passes++;
        } while (System.nanoTime() < deadline);
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            double seconds = ns[k] / 1e9;
            rows.add(new Row(video.getFileName().toString(), info.width(), info.height(), info.codec(), info.frameCountHint(),
                    k == 0 ? "convert224" : "convert224_direct", 1, (int) passes, frames / seconds, seconds * 1000 / passes));
        }
        return rows;
    }

    /** One pass; returns the frames that went through the decoder. */
    private static long pass(Path video, Mode mode) throws IOException {
        var open = VideoSource.Options.defaults().withKeyframeSeeks(mode != Mode.CLIP8_NOSEEK);
        try (VideoSource s = VideoSource.open(video, open)) {
            if (mode == Mode.CLIP8 || mode == Mode.CLIP8_NOSEEK) {
                DecodedClip c = s.read(FrameSampler.uniform(8), 224);
                return c.indices()[c.indices().length - 1] + 1L;     // frames up to the last wanted one
            }
            if (!(s instanceof FileVideoSource f)) {
                return s.read(FrameSampler.all(), mode == Mode.NATIVE ? 0 : 224).frames();
            }
            long[] r = f.forEachFrame(mode == Mode.NATIVE ? 0 : 224, (i, tn, td, rgb, w, h) -> { });
            return r[0];
        }
    }
}
