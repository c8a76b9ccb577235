package io.timesformer4j.cli;

import io.timesformer4j.data.Batch;
import io.timesformer4j.data.ClipDecoder;
import io.timesformer4j.data.ClipLoader;
import io.timesformer4j.data.ClipSpec;
import io.timesformer4j.data.Mode;
import io.timesformer4j.data.Sample;
import io.timesformer4j.data.SyntheticMotion;
import io.timesformer4j.data.VideoDataset;
import io.timesformer4j.runtime.Natives;
import io.timesformer4j.video.FrameSampler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code timesformer benchmark loading}: clips/s of the training loader (TSN sampling, random-resized crop,
 * normalisation) with 1..N worker threads, next to the raw decode rate (frames/s, one thread, one pass).
 */
@Command(name = "loading", mixinStandardHelpOptions = true,
        description = "Clips/s of loading T x S training clips from a folder with 1..N decode threads, next to raw frames/s decoded.")
public final class BenchLoadCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    @Option(names = "--data", paramLabel = "<data>", description = "Dataset folder or list (any layout). Default: generate --clips synthetic clips.")
    Path data;

    @Option(names = "--clips", paramLabel = "<clips>", defaultValue = "24", description = "Clips to generate when --data is not given (default: ${DEFAULT-VALUE}).")
    int clips;

    @Option(names = "--gen-size", paramLabel = "<gen-size>", defaultValue = "320x240", description = "WxH of generated clips (default: ${DEFAULT-VALUE}).")
    String genSize;

    @Option(names = "--gen-seconds", paramLabel = "<gen-seconds>", defaultValue = "3", description = "Length of generated clips at 30 fps, H.264 mp4 (default: ${DEFAULT-VALUE}).")
    double genSeconds;

    @Option(names = {"--frames", "--num-frames"}, paramLabel = "<frames>", defaultValue = "8", description = "Frames per clip T (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = {"--image-size", "--size"}, paramLabel = "<image-size>", defaultValue = "224", description = "Crop size and decode short side (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = {"--batch-size", "--batch"}, paramLabel = "<batch-size>", defaultValue = "8", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--workers", paramLabel = "<workers>", split = ",", description = "Worker counts to try (default 1..cores, at least 1,2).")
    List<Integer> workers;

    @Option(names = "--epochs", paramLabel = "<epochs>", defaultValue = "3", description = "Passes over the data per worker count (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Natives.ensureLoaded();
        Path tmp = null;
        Path root = data;
        if (root == null) {
            tmp = Files.createTempDirectory("bench-loading");
            root = tmp;
            generate(root);
        }
        try {
            return run(root, tmp != null);
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
    }

    private void generate(Path root) throws IOException {
        String[] wh = genSize.toLowerCase(Locale.ROOT).split("x");
        if (wh.length != 2) throw new IllegalArgumentException("--gen-size must be WxH, got " + genSize);
        int perClass = Math.max(1, (clips + SyntheticMotion.ALL_CLASSES.size() - 1) / SyntheticMotion.ALL_CLASSES.size());
        int n = Math.max(2, (int) Math.round(genSeconds * 30));
        if (!json) commandSpec.commandLine().getOut().printf("generating %d clips %sx%s, %d frames, H.264 mp4 ...%n", perClass * SyntheticMotion.ALL_CLASSES.size(), wh[0], wh[1], n);
        SyntheticMotion.generate(root, new SyntheticMotion.Spec(SyntheticMotion.ALL_CLASSES, perClass, n,
                Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim()), 30, "mp4", 1));
    }

    private int run(Path root, boolean generated) throws Exception {
        VideoDataset ds = VideoDataset.scan(root);
        List<Sample> samples = ds.samples();
        ClipSpec spec = ClipSpec.forModel(frames, size, null, null);
        ClipDecoder decoder = ClipLoader.defaultDecoder();

        // raw decode: one thread, one sequential pass over every frame of each video; only the last frame is
        // kept (and resized), so this is the decoder's own rate
        FrameSampler lastOnly = n -> new int[] {n - 1};
        decoder.decode(samples.get(0).path(), lastOnly, size);   // warm-up
        long totalFrames = 0;
        long t0 = System.nanoTime();
        for (Sample s : samples) {
            totalFrames += decoder.decode(s.path(), lastOnly, size).frameCount();
        }
        double decodeSec = (System.nanoTime() - t0) / 1e9;

        List<Integer> ws = workers;
        if (ws == null || ws.isEmpty()) {
            ws = new ArrayList<>();
            for (int w = 1; w <= Math.max(2, Runtime.getRuntime().availableProcessors()); w++) ws.add(w);
        }
        try (ClipLoader warm = new ClipLoader(samples, spec, Mode.TRAIN, batch, 1, 0, 99)) {   // JIT warm-up, untimed
            warm.iterator().next();
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        int skipped = 0;
        for (int w : ws) {
            int loaded = 0, batches = 0;
            long start = System.nanoTime();
            for (int e = 0; e < epochs; e++) {
                try (ClipLoader loader = new ClipLoader(samples, spec, Mode.TRAIN, batch, w, 1, e)) {
                    for (Batch b : loader) {
                        loaded += b.batch();
                        batches++;
                    }
                    skipped = loader.skipped().size();
                }
            }
            double sec = (System.nanoTime() - start) / 1e9;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("workers", w);
            row.put("clips", loaded);
            row.put("batches", batches);
            row.put("seconds", round(sec));
            row.put("clips_per_s", round(loaded / sec));
            row.put("clip_frames_per_s", round(loaded * (double) frames / sec));
            row.put("source_frames_decoded_per_s", round(totalFrames * (double) epochs / sec));
            rows.add(row);
        }

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("data", generated ? "generated: " + samples.size() + " clips " + genSize + " H.264, " + genSeconds + " s at 30 fps" : root.toString());
        out.put("videos", samples.size());
        out.put("scan_problems", ds.problems().size());
        out.put("skipped_while_loading", skipped);
        out.put("clip", frames + "x" + size + " TSN train, random-resized crop, normalised, batch " + batch);
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("decode_1_thread_frames_per_s", round(totalFrames / decodeSec));
        out.put("decode_1_thread_videos_per_s", round(samples.size() / decodeSec));
        out.put("loader", rows);
        if (json) {
            commandSpec.commandLine().getOut().println(io.timesformer4j.run.Json.pretty().writeValueAsString(out));
        } else {
            commandSpec.commandLine().getOut().printf("data: %s (%d videos, %d frames in all, %d scan problems, %d skipped while loading)%n",
                    out.get("data"), samples.size(), totalFrames, ds.problems().size(), skipped);
            commandSpec.commandLine().getOut().printf("clip: %s; %d cores%n", out.get("clip"), Runtime.getRuntime().availableProcessors());
            commandSpec.commandLine().getOut().printf("raw decode, 1 thread, every frame, one pass: %.0f frames/s (%.2f videos/s)%n",
                    totalFrames / decodeSec, samples.size() / decodeSec);
            commandSpec.commandLine().getOut().printf("%8s %10s %12s %16s %20s%n", "workers", "clips/s", "seconds", "clip frames/s", "source frames/s");
            for (Map<String, Object> r : rows) {
                commandSpec.commandLine().getOut().printf("%8d %10.2f %12.2f %16.0f %20.0f%n", r.get("workers"), r.get("clips_per_s"), r.get("seconds"),
                        r.get("clip_frames_per_s"), r.get("source_frames_decoded_per_s"));
            }
            commandSpec.commandLine().getOut().println("(a loaded clip decodes its video up to the last sampled frame in one pass; source frames/s assumes whole videos;"
                    + " timings vary with other load on the machine)");
        }
        return 0;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
