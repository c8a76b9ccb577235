package io.timesformer4j.cli;

import io.timesformer4j.api.VideoClassifier;
import io.timesformer4j.model.SafeTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code timesformer features}: one embedding per video into a safetensors file. */
@Command(name = "features", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write each video's embedding (the final-LayerNorm CLS token that feeds the classifier, averaged "
                + "over the views) to a safetensors file: tensor 'features' F32 (videos, hidden_size), one row per "
                + "video that could be read; metadata 'paths' = JSON array of those videos in row order, 'model'.",
                "A video that cannot be read gets an 'error: PATH: reason' line on stderr and no row; the exit code is "
                + "1 when no video could be read."})
public final class FeaturesCommand extends PrintingCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "<model>",
            description = "Model dir (e.g. RUN/best), .pyth file, or Hugging Face Hub id org/name[@revision].")
    Path model;
    @Option(names = "--out", required = true, paramLabel = "<file>", description = "Safetensors file to write (tensor features, metadata paths).")
    Path out;
    @Parameters(arity = "1..*", paramLabel = "<video>", description = "Video files or frame folders.")
    List<Path> videos;
    @Option(names = "--views", defaultValue = "1x1", paramLabel = "<views>", description = "Test views averaged per video (default: ${DEFAULT-VALUE}).")
    String views;

    @picocli.CommandLine.Mixin
    ComputeOptions compute = new ComputeOptions();

    @Override
    public Integer call() throws Exception {
        int[] tv = EvaluateCommand.parseViews(views);
        VideoClassifier.Options o = VideoClassifier.Options.defaults().withHubProgress(ModelArgs.progress(spec)).withViews(tv[0], tv[1]).withThreads(compute.threads);
        List<String> paths = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        int d;
        try (VideoClassifier c = VideoClassifier.load(model.toString(), o)) {
            d = c.featureSize();
            for (PerVideo.Outcome<float[]> r : PerVideo.map(videos, compute.workers, c::features)) {
                if (r.error() != null) {
                    err().println("error: " + r.error().getMessage());
                    continue;
                }
                rows.add(r.value());
                paths.add(r.video().toString());
            }
        }
        if (rows.isEmpty()) return ExitCode.NOTHING_READ.code;
        float[] flat = new float[rows.size() * d];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, flat, i * d, d);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("paths", PredictCommand.JSON.writeValueAsString(paths));
        meta.put("model", model.toString());
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> t = new LinkedHashMap<>();
            t.put("features", Tensor.create(flat, rows.size(), d));
            if (out.toAbsolutePath().getParent() != null) java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent());
            SafeTensors.write(out, t, meta);
        }
        out().println("wrote " + out + ": features (" + rows.size() + ", " + d + ")");
        return ExitCode.OK.code;
    }
}
