package io.timesformer4j.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.timesformer4j.api.ClassifierException;
import io.timesformer4j.api.Label;
import io.timesformer4j.api.Prediction;
import io.timesformer4j.api.TimelineWindow;
import io.timesformer4j.api.VideoClassifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code timesformer predict}: top-k labels of individual videos, or a timeline of windows for long videos. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the top-k labels and probabilities of each video, or with --window a timeline: "
                + "the labels of every window of a long video (CSV: path,start,end,label,probability with the top "
                + "label; --json: the top-k of every window).",
                "A video that cannot be read gets an 'error: PATH: reason' line on stderr; the exit code is 1 only "
                + "when no video could be read. A truncated video is predicted from the frames that decode, with a "
                + "'warning: PATH: reason' line on stderr."})
public final class PredictCommand extends PrintingCommand implements Callable<Integer> {
    /** One video's answer in {@code --json} (evaluate's predictions.jsonl uses the same fields plus the true label). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Result(String path, List<Label> top, String error) {}

    /** One window of a timeline in {@code --json}. */
    record Window(double start, double end, List<Label> top) {}

    /** One video's timeline in {@code --json}. */
    record Timeline(String path, List<Window> windows, String error) {}

    @Option(names = "--model", required = true, paramLabel = "<model>",
            description = "Model dir (e.g. RUN/best), .pyth file, or Hugging Face Hub id org/name[@revision].")
    Path model;
    @Parameters(arity = "1..*", paramLabel = "<video>", description = "Video files or frame folders.")
    List<Path> videos;
    @Option(names = "--top-k", paramLabel = "<top-k>", defaultValue = "5", description = "Labels per video (default: ${DEFAULT-VALUE}).")
    int topK;
    @Option(names = "--views", defaultValue = "1x1", paramLabel = "<views>", description = "Test views, as in evaluate (default: ${DEFAULT-VALUE}).")
    String views;
    @Option(names = "--window", paramLabel = "<duration>", description = "Timeline: window length, e.g. 2s, 1500ms, 0.5m.")
    String window;
    @Option(names = "--stride", paramLabel = "<duration>", description = "Timeline: distance between window starts (default: the window).")
    String stride;
    @Option(names = "--json", description = "One JSON array with every video's result (probabilities as float32).")
    boolean json;

    @picocli.CommandLine.Mixin
    ComputeOptions compute = new ComputeOptions();

    @picocli.CommandLine.Mixin
    PrecisionOption precision = new PrecisionOption();

    static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (topK < 1) throw new IllegalArgumentException("--top-k must be >= 1");
        int[] tv = EvaluateCommand.parseViews(views);
        if (stride != null && window == null) throw new IllegalArgumentException("--stride needs --window");
        Duration w = window == null ? null : parseDuration("--window", window);
        Duration s = stride == null ? w : parseDuration("--stride", stride);
        if (w != null && tv[0] != 1) throw new IllegalArgumentException("--window takes one clip per window: use --views 1xS");
        VideoClassifier.Options o = VideoClassifier.Options.defaults().withHubProgress(ModelArgs.progress(spec)).withTopK(topK).withViews(tv[0], tv[1])
                .withDecodeThreads(Math.max(1, compute.workers)).withThreads(compute.threads)
                .withPrecision(VideoClassifier.Precision.valueOf(precision.get().name()));
        try (VideoClassifier c = VideoClassifier.load(model.toString(), o)) {
            return w == null ? classify(c) : timeline(c, w, s);
        }
    }

    /** Classifies every video, {@code --workers} decoding at a time ({@link PerVideo}), printed in argument order. */
    private int classify(VideoClassifier c) throws Exception {
        List<Result> results = new ArrayList<>();
        for (PerVideo.Outcome<Prediction> o : PerVideo.map(videos, compute.workers, c::classify)) {
            String v = o.video().toString();
            if (o.error() == null) {
                if (o.value().warning() != null) err().println("warning: " + v + ": " + o.value().warning());
                results.add(new Result(v, o.value().top(), null));
            } else {
                err().println("error: " + o.error().getMessage());
                results.add(new Result(v, List.of(), reason(o.error(), o.video())));
            }
        }
        if (json) {
            out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        } else {
            for (Result r : results) {
                if (r.error() != null) continue;
                out().println(r.path());
                for (Label l : r.top()) out().printf(Locale.ROOT, "  %-24s %.4f%n", l.label(), l.probability());
            }
        }
        return (results.stream().anyMatch(r -> r.error() == null) ? ExitCode.OK : ExitCode.NOTHING_READ).code;
    }

    private int timeline(VideoClassifier c, Duration w, Duration s) throws Exception {
        List<Timeline> out = new ArrayList<>();
        if (!json) out().println("path,start,end,label,probability");
        for (Path v : videos) {
            try {
                List<Window> ws = new ArrayList<>();
                List<TimelineWindow> tws = c.timeline(v, w, s);
                tws.stream().map(TimelineWindow::warning).filter(java.util.Objects::nonNull).findFirst()
                        .ifPresent(warning -> err().println("warning: " + v + ": " + warning));
                for (TimelineWindow tw : tws) {
                    ws.add(new Window(tw.startSeconds(), tw.endSeconds(), tw.top()));
                    if (!json) out().println(csv(v.toString()) + "," + String.format(Locale.ROOT, "%.3f,%.3f", tw.startSeconds(),
                            tw.endSeconds()) + "," + csv(tw.top().get(0).label()) + "," + tw.top().get(0).probability());
                }
                out.add(new Timeline(v.toString(), ws, null));
            } catch (ClassifierException e) {
                err().println("error: " + e.getMessage());
                out.add(new Timeline(v.toString(), List.of(), reason(e, v)));
            }
        }
        if (json) out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        return (out.stream().anyMatch(r -> r.error() == null) ? ExitCode.OK : ExitCode.NOTHING_READ).code;
    }

    private static String reason(ClassifierException e, Path v) {
        String m = e.getMessage(), p = v + ": ";
        return m.startsWith(p) ? m.substring(p.length()) : m;
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** {@code 2s}, {@code 1.5s}, {@code 500ms}, {@code 0.5m}, or a plain number of seconds. */
    static Duration parseDuration(String option, String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        double scale = 1;
        if (t.endsWith("ms")) { scale = 1e-3; t = t.substring(0, t.length() - 2); }
        else if (t.endsWith("s")) t = t.substring(0, t.length() - 1);
        else if (t.endsWith("m")) { scale = 60; t = t.substring(0, t.length() - 1); }
        try {
            double sec = Double.parseDouble(t.trim()) * scale;
            if (sec > 0 && Double.isFinite(sec)) return Duration.ofNanos(Math.round(sec * 1e9));
        } catch (NumberFormatException ignored) {
            // the message below
        }
        throw new IllegalArgumentException(option + " must be a positive duration such as 2s, 1500ms or 0.5m, got '" + s + "'");
    }
}
