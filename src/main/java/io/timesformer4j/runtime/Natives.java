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
            boolean mkl = chooseMkl();
            if (mkl) loadIntelOpenMpGlobally();
            Loader.load(org.bytedeco.pytorch.global.torch.class);
            if (mkl) useGnuOpenMp();
            // one pool by default, all cores: libtorch's default thread count, BLAS sized to match
            int t = org.bytedeco.pytorch.global.torch.get_num_threads();
            org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(detectBlas() == Blas.MKL && MKL_THREADED ? t : 1);
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

    /** System property or environment variable {@code TIMESFORMER_BLAS}: {@code mkl} (default on x86-64) or {@code openblas}. */
    public static final String BLAS_PROPERTY = "timesformer.blas";

    private static final String LOAD_PROPERTY = "org.bytedeco.openblas.load";

    /**
     * Decides whether MKL replaces OpenBLAS as libtorch's BLAS and, if so, sets
     * {@code org.bytedeco.openblas.load=mkl_rt} before libtorch loads: the openblas preset then maps a copy of
     * {@code libmkl_rt} as {@code libopenblas.so.0}, the library {@code libtorch_cpu.so} links against.
     * MKL is used on x86-64 when its redist jar is on the class path, unless {@code -Dtimesformer.blas=openblas}
     * (or {@code TIMESFORMER_BLAS=openblas}) says otherwise; an explicit {@code org.bytedeco.openblas.load}
     * is left alone.
     */
    private static boolean chooseMkl() {
        String explicit = System.getProperty(LOAD_PROPERTY);
        if (explicit != null) return explicit.toLowerCase(java.util.Locale.ROOT).startsWith("mkl");
        String want = System.getProperty(BLAS_PROPERTY, System.getenv().getOrDefault("TIMESFORMER_BLAS", "auto"))
                .trim().toLowerCase(java.util.Locale.ROOT);
        if (want.equals("openblas")) return false;
        boolean x86 = Loader.getPlatform().endsWith("-x86_64");
        boolean present = Natives.class.getResource("/org/bytedeco/mkl/" + Loader.getPlatform() + "/libmkl_rt.so.2") != null;
        if (!x86 || !present) {
            if (want.equals("mkl"))
                System.err.println("warning: MKL requested but " + (x86 ? "its redist jar is not on the class path"
                        : "this CPU is not x86-64") + "; using OpenBLAS");
            return false;
        }
        System.setProperty(LOAD_PROPERTY, "mkl_rt");
        return true;
    }

    /**
     * Makes Intel OpenMP's symbols global before MKL loads. JavaCPP loads {@code libiomp5} like every library, with
     * {@code RTLD_LOCAL}, but {@code libmkl_intel_thread} does not list it as a dependency and expects its
     * {@code __kmpc_*} symbols in the global scope. On Intel Xeons (not on the AMD EPYC this was first measured on)
     * the first multi-threaded GEMM went through {@code libmkl_intel_thread} despite the GNU threading layer and
     * killed the JVM with "symbol lookup error: ... undefined symbol: __kmpc_global_thread_num".
     */
    private static void loadIntelOpenMpGlobally() {
        try {
            java.io.File iomp = Loader.cacheResource("/org/bytedeco/mkl/" + Loader.getPlatform() + "/libiomp5.so");
            if (iomp != null) Loader.loadGlobal(iomp.getAbsolutePath());
        } catch (java.io.IOException | UnsatisfiedLinkError e) {
            System.err.println("warning: cannot load Intel OpenMP for MKL (" + e.getMessage() + "); multi-threaded "
                    + "fp32 GEMMs may fail: set TIMESFORMER_BLAS=openblas");
        }
    }

    /**
     * Puts MKL on GNU OpenMP (libgomp), the runtime libtorch's own pool uses, instead of its default Intel
     * OpenMP: one pool, not two ({@code MKL_THREADING_LAYER=GNU} does the same from the environment). Must run
     * before the first MKL call. {@code MKL_Set_Threading_Layer} is {@code int(int)}, the signature of the
     * preset's own {@code MKL_Set_Num_Threads_Local} pointer type, which is reused to call it.
     */
    private static void useGnuOpenMp() {
        if (System.getenv("MKL_THREADING_LAYER") != null) return;
        org.bytedeco.javacpp.Pointer f = Loader.addressof("MKL_Set_Threading_Layer");
        if (f == null || f.isNull()) return;
        final int mklThreadingGnu = 3;              // mkl_service.h: MKL_THREADING_GNU
        int layer = new org.bytedeco.openblas.presets.openblas_nolapack.MklSetNumThreadsLocal() {}.put(f).call(mklThreadingGnu);
        if (layer != mklThreadingGnu)
            System.err.println("warning: MKL kept threading layer " + layer + " (not GNU OpenMP): set MKL_THREADING_LAYER=GNU");
    }

    /**
     * Sets libtorch's intra-op thread count and sizes the BLAS to match: one thread pool.
     *
     * <p>Under MKL (the default on x86-64) the GEMMs run on the same OpenMP runtime as libtorch, so MKL gets
     * {@code n} threads too. This OpenBLAS build has its own pthread pool; with both pools at 2+ threads they
     * spin against each other (a step got 5-15x slower, docs/performance.md), so OpenBLAS stays at one thread.
     */
    public static void setTorchThreads(int n) {
        ensureLoaded();
        int t = Math.max(1, n);
        org.bytedeco.pytorch.global.torch.set_num_threads(t);
        setBlasThreads(blas() == Blas.MKL ? t : 1);
    }

    /**
     * {@code -Dtimesformer.mkl.threaded=false}: keep MKL's GEMMs on one thread (libtorch's own pool still
     * parallelises everything else). On by default: MKL then runs its GEMMs on as many threads as libtorch.
     * In this build MKL's threaded kernels go through {@code libmkl_intel_thread} whatever the threading layer
     * says (libtorch's {@code sgemm_} binds to the preloaded {@code libmkl_intel_lp64}, not to {@code mkl_rt}),
     * i.e. on Intel OpenMP beside libtorch's GNU OpenMP; {@link #loadIntelOpenMpGlobally} makes that work (without
     * it the first threaded GEMM killed the JVM on Intel Xeons). Two OpenMP runtimes in one process are a known
     * source of trouble; this switch is the way out if one shows up.
     */
    public static final String MKL_THREADED_PROPERTY = "timesformer.mkl.threaded";

    private static final boolean MKL_THREADED = Boolean.parseBoolean(System.getProperty(MKL_THREADED_PROPERTY, "true"));

    /**
     * Sets the BLAS library's thread count through the preset's vendor-neutral call (MKL or OpenBLAS;
     * {@code openblas_set_num_threads} does not exist in MKL and kills the JVM with a symbol lookup error).
     */
    public static void setBlasThreads(int n) {
        ensureLoaded();
        if (blas() == Blas.MKL && !MKL_THREADED) n = 1;          // see MKL_THREADED_PROPERTY
        org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(Math.max(1, n));
    }

    /** The BLAS library's current thread count. */
    public static int blasThreads() {
        ensureLoaded();
        return org.bytedeco.openblas.global.openblas_nolapack.blas_get_num_threads();
    }

    /** The BLAS library libtorch's fp32 GEMMs run in. */
    public enum Blas {
        MKL("MKL"), OPENBLAS("OpenBLAS"), OTHER("other");

        private final String label;

        Blas(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** Which BLAS was mapped as libtorch's (see {@link #ensureLoaded()}). */
    public static Blas blas() {
        ensureLoaded();
        return detectBlas();
    }

    private static Blas detectBlas() {
        if (present("MKL_Set_Num_Threads")) return Blas.MKL;
        if (present("openblas_set_num_threads")) return Blas.OPENBLAS;
        return Blas.OTHER;
    }

    private static boolean present(String symbol) {
        org.bytedeco.javacpp.Pointer p = Loader.addressof(symbol);
        return p != null && !p.isNull();
    }

    /** One line for {@code info}/{@code benchmark}: BLAS, its threads, libtorch's threads. */
    public static String describe() {
        ensureLoaded();
        return String.format(java.util.Locale.ROOT, "BLAS %s (%d threads), libtorch %d threads",
                blas(), blasThreads(), org.bytedeco.pytorch.global.torch.get_num_threads());
    }
}
