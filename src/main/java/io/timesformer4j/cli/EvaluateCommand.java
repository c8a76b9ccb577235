package io.timesformer4j.cli;

import io.timesformer4j.app.VideoEvaluation;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code timesformer evaluate}: accuracy report of a model dir on a labelled dataset. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a model on a labelled dataset: top-1, top-5, mean class accuracy, per-class table, "
                + "confusion matrix. Softmax scores are averaged over the test views.",
                "With --out: report.json, confusion.json, confusion.png, predictions.jsonl."})
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model: Hugging Face model dir (e.g. RUN/best) or official .pyth.")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Dataset (same layouts as train); classes are mapped by name to the model's labels.")
    Path data;
    @Option(names = "--views", defaultValue = "1x1", paramLabel = "TxS", description = "Test views: temporal clips x spatial crops (1 or 3), e.g. 1x3 or 10x3 (default: ${DEFAULT-VALUE}).")
    String views;
    @Option(names = "--out", paramLabel = "DIR", description = "Folder for the report files.")
    Path out;
    @Option(names = "--layout", defaultValue = "auto", description = "Dataset layout (default: auto).")
    String layout;
    @Option(names = "--batch-size", defaultValue = "4", description = "Videos per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--no-progress", description = "No progress output.")
    boolean noProgress;

    @picocli.CommandLine.Mixin
    ComputeOptions compute = new ComputeOptions();

    @Override
    public Integer call() throws Exception {
        int[] tv = parseViews(views);
        if (out != null) java.nio.file.Files.createDirectories(out);     // fail now, not after the whole evaluation
        VideoEvaluation.run(new VideoEvaluation.Options(model, data, layout, tv[0], tv[1], batchSize, compute.workers, compute.threads, out),
                !noProgress, System.out);
        if (out != null) System.out.println("wrote " + out.resolve("report.json") + ", confusion.json, confusion.png, predictions.jsonl");
        return 0;
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
