package io.timesformer4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.timesformer4j.model.Autocast;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.train.OptimizerSpec;
import io.timesformer4j.train.Optimizers;
import io.timesformer4j.train.TrainOptimizer;
import io.timesformer4j.model.TimesformerConfig;
import io.timesformer4j.runtime.Natives;
import org.bytedeco.javacpp.PointerScope;
import io.timesformer4j.eval.Precision;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.concurrent.Callable;

import static org.bytedeco.pytorch.global.torch.cross_entropy;
import static org.bytedeco.pytorch.global.torch.get_num_threads;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.randint;
import static org.bytedeco.pytorch.global.torch.randn;

/**
 * {@code timesformer benchmark model}: training-step throughput (forward + backward + Adam) of a preset on
 * random clips, with the analytic FLOP count, next to this machine's measured matmul peak.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Time forward+backward+Adam steps of a TimeSformer preset and compare with the matmul peak.")
public final class BenchModelCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--preset", paramLabel = "<preset>", defaultValue = "base", description = "tiny, seed, base, hr, l (default: ${DEFAULT-VALUE}).") String preset;
    @Option(names = {"--batch-size", "--batch"}, paramLabel = "<batch-size>", defaultValue = "2", description = "Clips per step (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = {"--frames", "--num-frames"}, paramLabel = "<frames>", description = "Frames per clip (default: the preset's).") Integer frames;
    @Option(names = "--image-size", paramLabel = "<image-size>", description = "Input size (default: the preset's).") Integer imageSize;
    @Option(names = "--hidden-size", paramLabel = "<hidden-size>", description = "Override the preset's width (intermediate = 4x).") Integer hiddenSize;
    @Option(names = "--layers", paramLabel = "<layers>", description = "Override the preset's depth.") Integer layers;
    @Option(names = "--heads", paramLabel = "<heads>", description = "Override the preset's attention heads.") Integer heads;
    @Option(names = "--threads", paramLabel = "<threads>", description = "libtorch intra-op threads (default: libtorch's choice).") Integer threads;
    @Option(names = "--blas-threads", paramLabel = "<blas-threads>", description = "BLAS threads for fp32 matmuls (default: MKL as many as --threads, on "
            + "libtorch's OpenMP pool; OpenBLAS 1, so that only libtorch's pool runs; see docs/performance.md).") Integer blasThreads;
    @Option(names = "--iters", paramLabel = "<iters>", defaultValue = "5", description = "Timed steps (default: ${DEFAULT-VALUE}).") int iters;
    @Option(names = "--warmup", paramLabel = "<warmup>", defaultValue = "1", description = "Untimed steps first (default: ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--precision", paramLabel = "<precision>", defaultValue = "fp32", description = "fp32, bf16 (CPU autocast) or auto (bf16 where the CPU runs it natively) (default: ${DEFAULT-VALUE}).") String precision;
    @Option(names = "--mode", paramLabel = "<mode>", defaultValue = "train", description = "What to time: train (forward + backward + Adam) or eval (no-grad forward, as evaluate/predict) (default: ${DEFAULT-VALUE}).") String mode;
    @Option(names = "--matmul-size", paramLabel = "<matmul-size>", defaultValue = "2048", description = "N for the n x n matmul peak (0 = skip).") int matmulSize;
    @Option(names = "--json", description = "Also print a one-line JSON summary.") boolean json;

    @Override
    public Integer call() throws Exception {
        Natives.ensureLoaded();
        if (threads != null) Natives.setTorchThreads(threads);
        if (blasThreads != null) Natives.setBlasThreads(blasThreads);
        long rssRuntime = peakRssMiB();               // JVM + natives loaded (the reference: interpreter + torch)
        Precision prec = Precision.parse(precision);
        boolean bf16 = prec == Precision.BF16;
        boolean train = switch (mode) {
            case "train" -> true;
            case "eval" -> false;
            default -> throw new IllegalArgumentException("--mode must be train or eval, not " + mode);
        };
        if (batch < 1 || iters < 1 || warmup < 0) throw new IllegalArgumentException("--batch and --iters must be >= 1");
        TimesformerConfig c = Presets.get(preset, null);
        if (frames != null) c = c.withFrames(frames);
        if (imageSize != null) c = c.withImageSize(imageSize);
        if (hiddenSize != null || layers != null || heads != null) {
            int d = hiddenSize != null ? hiddenSize : c.hiddenSize();
            c = TimesformerConfig.of(c.imageSize(), c.patchSize(), c.numFrames(), d,
                    layers != null ? layers : c.numHiddenLayers(), heads != null ? heads : c.numAttentionHeads(),
                    hiddenSize != null ? 4 * d : c.intermediateSize(), c.attentionType(), c.labels());
        }
        manual_seed(0);
        TimeSformer model = new TimeSformer(c);
        model.train(train);
        if (!train) prec.forInference(model);        // as evaluate and predict run it
        TrainOptimizer opt = train ? Optimizers.create(model, OptimizerSpec.seedDefault()) : null;   // as `train`: Adam 1e-4
        long rssModel = peakRssMiB();
        spec.commandLine().getOut().printf("benchmark model: preset %s (%s, %d frames x %d px, %,d params), %s, batch %d, %s, %d threads%n",
                preset, c.attentionType().hfName(), c.numFrames(), c.imageSize(), c.parameterCount(), mode, batch, prec.label(),
                get_num_threads());
        spec.commandLine().getOut().printf("  %s%n", Natives.describe());
        int packed = model.packedLinears();
        if (packed > 0) spec.commandLine().getOut().printf("  %d Linear layers packed for oneDNN bf16 inference%n", packed);
        double[] ms = new double[iters];
        for (int i = -warmup; i < iters; i++) {
            long t0 = System.nanoTime();
            try (PointerScope scope = new PointerScope()) {
                Tensor x = randn(batch, c.numFrames(), c.numChannels(), c.imageSize(), c.imageSize());
                Tensor y = randint(c.numLabels(), new long[] {batch});
                if (train) {
                    Tensor logits;
                    try (Autocast.Scope ps = prec.enter()) {
                        logits = model.forward(x);
                    }
                    Tensor loss = cross_entropy(logits.to(ScalarType.Float), y);
                    opt.zeroGrad();                  // set_to_none, as the Trainer
                    loss.backward();
                    opt.step();
                    loss.item_double();
                } else {
                    try (NoGradGuard ng = new NoGradGuard(); Autocast.Scope ps = prec.enter()) {
                        model.forward(x).to(ScalarType.Float).sum().item_double();
                    }
                }
            }
            double dt = (System.nanoTime() - t0) / 1e6;
            if (i >= 0) ms[i] = dt;
            spec.commandLine().getOut().printf("  step %s: %.0f ms%n", i < 0 ? "warm-up" : Integer.toString(i + 1), dt);
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = iters % 2 == 1 ? sorted[iters / 2] : (sorted[iters / 2 - 1] + sorted[iters / 2]) / 2, mean = Arrays.stream(ms).average().orElse(0);
        double fwd = c.forwardFlopsPerClip();
        double clipsPerS = batch * 1000.0 / median;
        double achieved = (train ? 3 : 1) * fwd * clipsPerS / 1e9;
        long rss = peakRssMiB();                      // the model's step, before the matmul probe (as bench/pytorch_reference.py)
        double peak32 = matmulSize > 0 ? matmulPeak(matmulSize, ScalarType.Float) : Double.NaN;
        double peak16 = matmulSize > 0 ? matmulPeak(matmulSize, ScalarType.BFloat16) : Double.NaN;
        spec.commandLine().getOut().printf("step: median %.1f ms, mean %.1f ms  ->  %.3f clips/s%n", median, mean, clipsPerS);
        spec.commandLine().getOut().printf("model FLOPs: %.3f GFLOP forward per clip, ~%.3f GFLOP per training clip (3x)%n",
                fwd / 1e9, 3 * fwd / 1e9);
        spec.commandLine().getOut().printf("achieved: %.2f GFLOP/s (%s FLOPs)%n", achieved, train ? "3x forward" : "forward");
        spec.commandLine().getOut().printf("peak RSS: %d MiB (runtime loaded: %d MiB, model built: %d MiB)%n", rss, rssRuntime, rssModel);
        if (matmulSize > 0)
            spec.commandLine().getOut().printf("matmul %dx%d peak: fp32 %.1f GFLOP/s, bf16 %.1f GFLOP/s -> model at %.1f%% of the %s peak%n",
                    matmulSize, matmulSize, peak32, peak16, 100 * achieved / (bf16 ? peak16 : peak32), bf16 ? "bf16" : "fp32");
        if (json) {
            ObjectMapper om = io.timesformer4j.run.Json.MAPPER;
            ObjectNode o = om.createObjectNode();
            o.put("benchmark", "model").put("preset", preset).put("attention", c.attentionType().hfName())
                    .put("frames", c.numFrames()).put("image_size", c.imageSize()).put("hidden_size", c.hiddenSize())
                    .put("layers", c.numHiddenLayers()).put("batch", batch)
                    .put("precision", prec.label()).put("mode", mode).put("adam", train ? "fused" : "none").put("linear", packed > 0 ? "onednn_packed" : "aten").put("peak_rss_mib", rss).put("rss_runtime_mib", rssRuntime).put("rss_model_mib", rssModel).put("threads", get_num_threads()).put("blas", Natives.blas().toString()).put("blas_threads", Natives.blasThreads()).put("iters", iters)
                    .put("parameters", c.parameterCount()).put("ms_per_step_median", median).put("ms_per_step_mean", mean)
                    .put("clips_per_s", clipsPerS).put("forward_gflop_per_clip", fwd / 1e9)
                    .put("achieved_gflops", achieved).put("matmul_fp32_gflops", peak32).put("matmul_bf16_gflops", peak16);
            spec.commandLine().getOut().println(om.writeValueAsString(o));
        }
        return 0;
    }


    /** The process's peak resident set ({@code VmHWM} in /proc/self/status), MiB; -1 where unknown. */
    static long peakRssMiB() {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")))
                if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** Best-of-several n x n x n matmul rate in GFLOP/s (about a second of work). */
    static double matmulPeak(int n, ScalarType type) {
        try (PointerScope scope = new PointerScope()) {
            Tensor a = randn(n, n).to(type), b = randn(n, n).to(type);
            matmul(a, b);
            double best = 0;
            long start = System.nanoTime();
            for (int r = 0; r < 10 && (r < 3 || System.nanoTime() - start < 1_000_000_000L); r++) {
                long t0 = System.nanoTime();
                try (PointerScope step = new PointerScope()) {         // each product freed at once, as in PyTorch
                    matmul(a, b).sum().item_double();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, 2.0 * n * n * n / s / 1e9);
            }
            return best;
        }
    }
}
