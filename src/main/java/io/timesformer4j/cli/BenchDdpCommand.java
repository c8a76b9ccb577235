package io.timesformer4j.cli;

import io.timesformer4j.dist.DdpGroup;
import io.timesformer4j.dist.DistEnv;
import io.timesformer4j.dist.Launcher;
import io.timesformer4j.model.Presets;
import io.timesformer4j.runtime.Natives;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code timesformer benchmark ddp}: the gradient all-reduce of data-parallel training on its own. Each rank holds
 * a preset's fp32 gradient (base: 121,566,352 values, 486 MB) cut into DDP's buckets (25 MB), and all-reduces
 * them through the Gloo process group the trainer uses, all buckets in flight at once as the Reducer issues
 * them. Rank 0 prints the time per all-reduce, the algorithm bandwidth (bytes / time) and the bus bandwidth
 * ({@code algbw * 2 (N-1) / N}, what each link carries in a ring).
 */
@Command(name = "ddp", mixinStandardHelpOptions = true,
        description = "All-reduce a preset's gradient across N local ranks through Gloo, in DDP's 25 MB buckets; prints s, GB/s.")
public final class BenchDdpCommand implements Callable<Integer> {
    @Option(names = "--preset", paramLabel = "<preset>", defaultValue = "base", description = "Whose gradient size: tiny, seed, base, hr, l (default: ${DEFAULT-VALUE}).")
    String preset;
    @Option(names = "--nproc", paramLabel = "<n>", defaultValue = "2", description = "Local ranks to start (default: ${DEFAULT-VALUE}).")
    int nproc;
    @Option(names = "--iters", paramLabel = "<n>", defaultValue = "3", description = "Timed all-reduces after one warm-up (default: ${DEFAULT-VALUE}).")
    int iters;
    @Option(names = "--bucket-mb", paramLabel = "<mb>", defaultValue = "25", description = "Bucket size in MiB (default: ${DEFAULT-VALUE}).")
    int bucketMb;
    @Option(names = "--dist-timeout", paramLabel = "<seconds>", defaultValue = "600", description = "How long a rank waits for the others (default: ${DEFAULT-VALUE}).")
    int distTimeout;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Natives.ensureLoaded();
        if (iters < 1 || bucketMb < 1) throw new IllegalArgumentException("--iters and --bucket-mb must be >= 1");
        Optional<DistEnv> env = DistEnv.from(System.getenv());
        PrintWriter out = spec.commandLine().getOut();
        if (env.isEmpty()) {
            if (nproc < 2) throw new IllegalArgumentException("--nproc must be >= 2 (an all-reduce needs two ranks)");
            List<String> args = TrainCommand.withoutOption(spec.commandLine().getParseResult().originalArgs(), "--nproc");
            if (!args.contains("ddp")) args.addAll(0, List.of("benchmark", "ddp"));  // originalArgs: the whole command line
            return Launcher.run(Main.class.getName(), args, nproc, Duration.ofSeconds(distTimeout), out, spec.commandLine().getErr());
        }
        long n = Presets.get(preset, null).parameterCount();
        long per = Math.max(1, (long) bucketMb * (1 << 20) / 4);
        Natives.setTorchThreads(1);
        try (DdpGroup g = DdpGroup.open(env.get(), Duration.ofSeconds(distTimeout))) {
            List<Tensor> buckets = new ArrayList<>();
            for (long off = 0; off < n; off += per) buckets.add(torch.ones(Math.min(per, n - off)));
            g.allreduce(buckets);                                                        // warm-up (connections, pages)
            double best = Double.MAX_VALUE, sum = 0;
            for (int i = 0; i < iters; i++) {
                g.barrier("the start of iteration " + (i + 1));
                long t0 = System.nanoTime();
                g.allreduce(buckets);
                double s = (System.nanoTime() - t0) / 1e9;
                best = Math.min(best, s);
                sum += s;
            }
            double expect = Math.pow(g.worldSize(), iters + 1);                         // ones summed iters+1 times
            double got = buckets.get(0).get(0).item_double();
            if (Math.abs(got - expect) > 1e-3 * expect) throw new IllegalStateException("all-reduce gave " + got + ", expected " + expect);
            if (g.rank() == 0) {
                double bytes = n * 4.0, mean = sum / iters, w = g.worldSize();
                out.printf(Locale.ROOT, "all-reduce of %s's gradient (%,d fp32 = %.1f MB) in %d buckets of %d MiB, %d ranks, gloo:%n",
                        preset, n, bytes / 1e6, buckets.size(), bucketMb, g.worldSize());
                out.printf(Locale.ROOT, "  best %.3f s, mean %.3f s over %d; algbw %.2f GB/s (best) %.2f GB/s (mean); busbw %.2f GB/s (best)%n",
                        best, mean, iters, bytes / best / 1e9, bytes / mean / 1e9, bytes / best / 1e9 * 2 * (w - 1) / w);
                out.flush();
            }
        }
        return 0;
    }
}
