package io.timesformer4j.runtime;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Loader;

/**
 * Loads the native libraries (libtorch, OpenBLAS or MKL, FFmpeg, Gloo) safely, also when several JVMs start
 * at once on one JavaCPP cache (the ranks of a data-parallel job).
 *
 * <p>With an empty JavaCPP cache (a fresh CI machine) the first libtorch load crashes the JVM inside
 * {@code System.load}. Extracting the library folders first, without loading them, avoids it. Every entry
 * point (CLI main, test session) calls {@link #ensureLoaded()} before touching a tensor.
 *
 * <p>Concurrent starts: the extraction is atomic and the first start that writes the cache holds a
 * cross-process lock until it has loaded everything ({@link NativeCache}). With MKL, the OpenBLAS folder's
 * {@code libopenblas.so.0} is not extracted: JavaCPP replaces it with a link to its MKL copy, and
 * extracting it back at every start (as a plain {@code Loader.cacheResources} of the folder does) made
 * another JVM loading at that moment fail with "libopenblas.so.0: cannot open shared object file" (then
 * "no jniopenblas in java.library.path") or a SIGBUS in {@code ld.so}.
 */
public final class Natives {
    private static volatile boolean loaded;

    private Natives() {}

    /** Extracts natives into the JavaCPP cache, then loads libtorch, Gloo and FFmpeg. Idempotent, thread-safe. */
    public static void ensureLoaded() {
        if (loaded) return;
        synchronized (Natives.class) {
            if (loaded) return;
            boolean mkl = chooseMkl();
            String p = Loader.getPlatform();
            List<NativeCache.Folder> folders = new ArrayList<>();
            folders.add(new NativeCache.Folder("/org/bytedeco/javacpp/" + p + "/", n -> false));
            // under MKL JavaCPP links libopenblas*.so.0 to its copy of libmkl_rt: leave those names to it
            folders.add(new NativeCache.Folder("/org/bytedeco/openblas/" + p + "/", n -> mkl && n.startsWith("libopenblas")));
            if (mkl) folders.add(new NativeCache.Folder("/org/bytedeco/mkl/" + p + "/", n -> false));
            folders.add(new NativeCache.Folder("/org/bytedeco/pytorch/" + p + "/", n -> false));
            folders.add(new NativeCache.Folder("/org/bytedeco/ffmpeg/" + p + "/", n -> false));
            try {
                NativeCache.prepareAndLoad(folders, p + " blas=" + (mkl ? "mkl" : "openblas"), () -> load(mkl));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot extract native libraries into the JavaCPP cache: "
                        + e.getMessage(), e);
            }
            loaded = true;
        }
    }

    /** Every native library the project uses, loaded while the cache lock is held (nothing loads later). */
    private static void load(boolean mkl) {
        if (mkl) intelOpenMpGlobal();
        Loader.load(org.bytedeco.pytorch.global.torch.class);
        if (mkl) useGnuOpenMp();
        // one pool by default, all cores: libtorch's default thread count, BLAS sized to match
        int t = org.bytedeco.pytorch.global.torch.get_num_threads();
        org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(blasThreadsFor(detectBlas(), t));
        try {
            Loader.load(org.bytedeco.pytorch.global.torch_gloo.class);      // data-parallel training (dist)
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            // a platform jar without Gloo: everything else works, and dist.DdpGroup reports it when it is used
        }
        Loader.load(org.bytedeco.ffmpeg.global.avcodec.class);
        Loader.load(org.bytedeco.ffmpeg.global.avformat.class);
        Loader.load(org.bytedeco.ffmpeg.global.swscale.class);
        // FFmpeg's own log lines (one per damaged packet) would drown our per-file reports; the decoder
        // reports failures itself, naming the file. TIMESFORMER_FFMPEG_LOG=1 shows FFmpeg's errors again.
        org.bytedeco.ffmpeg.global.avutil.av_log_set_level(System.getenv("TIMESFORMER_FFMPEG_LOG") != null
                ? org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR : org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET);
    }

    /**
     * Loads MKL's {@code libiomp5} with {@code RTLD_GLOBAL} before MKL itself. JavaCPP loads every library
     * {@code RTLD_LOCAL}; {@code libmkl_intel_thread} does not name {@code libiomp5} as a dependency, yet on Intel
     * CPUs a multi-threaded GEMM reached it even on the GNU threading layer and the JVM died with "symbol lookup
     * error: ... libmkl_intel_thread.so.2: undefined symbol: __kmpc_global_thread_num".
     */
    private static void intelOpenMpGlobal() {
        try {
            java.io.File f = Loader.cacheResource("/org/bytedeco/mkl/" + Loader.getPlatform() + "/libiomp5.so");
            if (f != null) Loader.loadGlobal(f.getPath());
        } catch (java.io.IOException | UnsatisfiedLinkError e) {
            System.err.println("warning: Intel OpenMP could not be loaded for MKL (" + e.getMessage()
                    + "); a multi-threaded GEMM may fail: TIMESFORMER_BLAS=openblas avoids MKL");
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
        setBlasThreads(blasThreadsFor(blas(), t));
    }

    /**
     * {@code -Dtimesformer.mkl.threaded=false}: keep MKL's GEMMs on one thread (libtorch's own pool still
     * parallelises everything else). On by default: MKL then runs its GEMMs on as many threads as libtorch.
     * In this build MKL's threaded kernels go through {@code libmkl_intel_thread} whatever the threading layer
     * says (libtorch's {@code sgemm_} binds to the preloaded {@code libmkl_intel_lp64}, not to {@code mkl_rt}),
     * i.e. on Intel OpenMP beside libtorch's GNU OpenMP; {@link #intelOpenMpGlobal} makes that work (without
     * it the first threaded GEMM killed the JVM on Intel Xeons). Two OpenMP runtimes in one process are a known
     * source of trouble; this switch is the way out if one shows up.
     */
    public static final String MKL_THREADED_PROPERTY = "timesformer.mkl.threaded";

    private static final boolean MKL_THREADED = Boolean.parseBoolean(System.getProperty(MKL_THREADED_PROPERTY, "true"));

    /** The one pool rule: MKL follows libtorch's {@code torchThreads} (unless switched off), OpenBLAS stays at one. */
    private static int blasThreadsFor(Blas blas, int torchThreads) {
        return blas == Blas.MKL && MKL_THREADED ? torchThreads : 1;
    }

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
