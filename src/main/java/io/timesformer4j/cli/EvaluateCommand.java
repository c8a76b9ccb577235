package io.timesformer4j.cli;

import io.timesformer4j.app.VideoEvaluation;
import io.timesformer4j.data.FrameOrder;
import io.timesformer4j.data.SyntheticPairs;
import io.timesformer4j.eval.OrderDiagnostic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code timesformer evaluate}: accuracy report of a model dir on a labelled dataset. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a model on a labelled dataset: top-1, top-5, mean class accuracy, per-class table, "
                + "confusion matrix. Softmax scores are averaged over the test views.",
                "With --out: report.json, confusion.json, confusion.png, predictions.jsonl.",
                "--time-reversed / --shuffle-frames: does the model use time? The clips are evaluated again with their frames "
                        + "reversed / shuffled; the changed predictions are reported per class (and the partner-class rate with --pairs)."})
public final class EvaluateCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "<dir>", description = "Model: Hugging Face model dir (e.g. RUN/best) official .pyth, or Hub id org/name[@revision].")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "<dir>", description = "Dataset (same layouts as train); classes are mapped by name to the model's labels.")
    Path data;
    @Option(names = "--views", defaultValue = "1x1", paramLabel = "<views>", description = "Test views: temporal clips x spatial crops (1 or 3), e.g. 1x3 or 10x3 (default: ${DEFAULT-VALUE}).")
    String views;
    @Option(names = {"--out", "--output-dir"}, paramLabel = "<dir>", description = "Folder for the report files.")
    Path out;
    @Option(names = "--layout", paramLabel = "<layout>", defaultValue = "auto", description = "Dataset layout (default: auto).")
    String layout;
    @Option(names = "--batch-size", paramLabel = "<batch-size>", defaultValue = "4", description = "Videos per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--no-progress", description = "No progress output.")
    boolean noProgress;
    @Option(names = "--time-reversed", description = "Also evaluate every clip with its frames in reverse order and report how many "
            + "predictions change and into what (OUT/time_reversed.json), to see whether the model uses time.")
    boolean timeReversed;
    @Option(names = "--shuffle-frames", description = "Also evaluate every clip with its frames shuffled (seeded by --shuffle-seed) "
            + "and report how many predictions change and into what (OUT/shuffled.json).")
    boolean shuffleFrames;
    @Option(names = "--shuffle-seed", defaultValue = "1", paramLabel = "<seed>", description = "Seed of --shuffle-frames (default: ${DEFAULT-VALUE}).")
    long shuffleSeed;
    @Option(names = "--pairs", split = ",", paramLabel = "<pair>", description = "Class pairs that are each other's time reversal "
            + "(e.g. left:right,up:down), for the 'predicted as the partner class' rate. Default: the twins of a 'synth' "
            + "manifest.csv in the data folder or its parent, if there is one.")
    List<String> pairs;

    @picocli.CommandLine.Mixin
    ComputeOptions compute = new ComputeOptions();

    @picocli.CommandLine.Mixin
    PrecisionOption precision = new PrecisionOption();

    @Override
    public Integer call() throws Exception {
        int[] tv = parseViews(views);
        model = ModelArgs.resolve(model, spec);
        if (out != null) java.nio.file.Files.createDirectories(out);     // fail now, not after the whole evaluation
        List<FrameOrder> orders = new ArrayList<>();
        if (timeReversed) orders.add(FrameOrder.REVERSED);
        if (shuffleFrames) orders.add(FrameOrder.shuffled(shuffleSeed));
        Map<String, String> pairMap = pairs != null ? OrderDiagnostic.parsePairs(pairs) : orders.isEmpty() ? Map.of() : manifestPairs(data, spec.commandLine().getOut());
        VideoEvaluation.run(new VideoEvaluation.Options(model, data, layout, tv[0], tv[1], batchSize, compute.workers, compute.threads, precision.get(), out),
                orders, pairMap, !noProgress, spec.commandLine().getOut(), spec.commandLine().getErr());
        if (out != null) spec.commandLine().getOut().println("wrote " + out.resolve("report.json") + ", confusion.json, confusion.png, predictions.jsonl");
        return 0;
    }

    /** The twins recorded by a {@code synth} manifest next to the data ({@code DATA/manifest.csv} or {@code DATA/../manifest.csv}). */
    static Map<String, String> manifestPairs(Path data, java.io.PrintWriter out) throws java.io.IOException {
        Path dir = java.nio.file.Files.isDirectory(data) ? data : data.toAbsolutePath().getParent();
        for (Path m : new Path[] {dir.resolve("manifest.csv"), dir.toAbsolutePath().getParent() == null ? null
                : dir.toAbsolutePath().getParent().resolve("manifest.csv")}) {
            if (m != null && java.nio.file.Files.isRegularFile(m)) {
                Map<String, String> p = SyntheticPairs.pairsOf(SyntheticPairs.readManifest(m));
                out.println("class pairs from " + m + ": " + p);
                return p;
            }
        }
        return Map.of();
    }

    /** {@code "TxS"} → {T, S}; S must be 1 or 3. */
    static int[] parseViews(String s) {
        String[] p = s.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                int t = Integer.parseInt(p[0].trim()), sp = Integer.parseInt(p[1].trim());
                if (t >= 1 && (sp == 1 || sp == 3)) return new int[] {t, sp};
            }
        } catch (NumberFormatException ignored) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("--views must be TxS with T >= 1 and S = 1 or 3 (e.g. 1x3), got '" + s + "'");
    }
}
