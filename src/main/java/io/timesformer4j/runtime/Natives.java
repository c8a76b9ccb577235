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

    /** Sets libtorch's intra-op thread count (see notes: oversubscription with decoder threads is slow). */
    public static void setTorchThreads(int n) {
        ensureLoaded();
        org.bytedeco.pytorch.global.torch.set_num_threads(Math.max(1, n));
    }
}
