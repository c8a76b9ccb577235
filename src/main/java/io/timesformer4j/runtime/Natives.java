package io.timesformer4j.runtime;

import org.bytedeco.javacpp.Loader;

/**
 * Loads the native libraries (libtorch, OpenBLAS, FFmpeg) safely.
 *
 * <p>With an empty JavaCPP cache (a fresh CI machine) the first libtorch load crashes the JVM inside
 * {@code System.load}. Extracting the resources first, without loading them, avoids it. Every entry
 * point (CLI main, test session) calls {@link #ensureLoaded()} before touching a tensor.
 */
public final class Natives {
    private static volatile boolean loaded;

    private Natives() {}

    /** Extracts natives into the JavaCPP cache, then loads libtorch and FFmpeg. Idempotent, thread-safe. */
    public static void ensureLoaded() {
        if (loaded) return;
        synchronized (Natives.class) {
            if (loaded) return;
            try {
                String p = Loader.getPlatform();
                for (String r : new String[] {
                        "/org/bytedeco/javacpp/" + p + "/",
                        "/org/bytedeco/openblas/" + p + "/",
                        "/org/bytedeco/pytorch/" + p + "/",
                        "/org/bytedeco/ffmpeg/" + p + "/"}) {
                    Loader.cacheResources(r);
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot extract native libraries into the JavaCPP cache: "
                        + e.getMessage(), e);
            }
            Loader.load(org.bytedeco.pytorch.global.torch.class);
            Loader.load(org.bytedeco.ffmpeg.global.avcodec.class);
            Loader.load(org.bytedeco.ffmpeg.global.avformat.class);
            Loader.load(org.bytedeco.ffmpeg.global.swscale.class);
            // FFmpeg's own log lines (one per damaged packet) would drown our per-file reports; the decoder
            // reports failures itself, naming the file. TIMESFORMER_FFMPEG_LOG=1 shows FFmpeg's errors again.
            org.bytedeco.ffmpeg.global.avutil.av_log_set_level(System.getenv("TIMESFORMER_FFMPEG_LOG") != null
                    ? org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR : org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET);
            loaded = true;
        }
    }

    /**
     * Sets libtorch's intra-op thread count and keeps OpenBLAS's own pool at one thread.
     *
     * <p>This libtorch build runs fp32 matmuls in OpenBLAS, whose pthread pool is separate from libtorch's
     * OpenMP pool; with both at 2+ threads they spin against each other and a training step got 5-15x slower
     * (docs/performance.md). One pool, libtorch's, sized by {@code n}, is what the benchmarks support.
     */
    public static void setTorchThreads(int n) {
        ensureLoaded();
        org.bytedeco.pytorch.global.torch.set_num_threads(Math.max(1, n));
        setBlasThreads(1);
    }

    /** Sets OpenBLAS's thread count (see {@link #setTorchThreads}). */
    public static void setBlasThreads(int n) {
        ensureLoaded();
        Loader.load(org.bytedeco.openblas.global.openblas_full.class);
        org.bytedeco.openblas.global.openblas_full.openblas_set_num_threads(Math.max(1, n));
    }

    /** OpenBLAS's current thread count. */
    public static int blasThreads() {
        ensureLoaded();
        Loader.load(org.bytedeco.openblas.global.openblas_full.class);
        return org.bytedeco.openblas.global.openblas_full.openblas_get_num_threads();
    }
}
