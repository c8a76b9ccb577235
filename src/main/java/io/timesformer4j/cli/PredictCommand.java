package io.timesformer4j.cli;

import io.timesformer4j.app.VideoPrediction;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code timesformer predict}: top-k labels of individual videos. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the top-k labels and probabilities of each video.",
                "A video that cannot be read gets an 'error: PATH: reason' line on stderr; the exit code is 1 only "
                + "when no video could be read."})
public final class PredictCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "<dir>", description = "Model dir (e.g. RUN/best).")
    Path model;
    @Parameters(arity = "1..*", paramLabel = "<video>", description = "Video files or frame folders.")
    List<Path> videos;
    @Option(names = "--top-k", paramLabel = "<top-k>", defaultValue = "5", description = "Labels per video (default: ${DEFAULT-VALUE}).")
    int topK;
    @Option(names = "--views", defaultValue = "1x1", paramLabel = "<views>", description = "Test views, as in evaluate (default: ${DEFAULT-VALUE}).")
    String views;
    @Option(names = "--json", description = "One JSON array with every video's result.")
    boolean json;

    @picocli.CommandLine.Mixin
    ComputeOptions compute = new ComputeOptions();

    @Override
    public Integer call() throws Exception {
        if (topK < 1) throw new IllegalArgumentException("--top-k must be >= 1");
        int[] tv = EvaluateCommand.parseViews(views);
        List<VideoPrediction.Result> results = VideoPrediction.run(model, videos, topK, tv[0], tv[1], compute.workers, compute.threads);
        for (VideoPrediction.Result r : results) {
            if (!r.ok()) spec.commandLine().getErr().println("error: " + r.problem());
        }
        if (json) {
            spec.commandLine().getOut().println(io.timesformer4j.run.Json.pretty().writeValueAsString(results));
        } else {
            for (VideoPrediction.Result r : results) {
                if (!r.ok()) continue;
                spec.commandLine().getOut().println(r.path());
                for (VideoPrediction.Label l : r.top()) {
                    spec.commandLine().getOut().printf(Locale.ROOT, "  %-24s %.4f%n", l.label(), l.probability());
                }
            }
        }
        return (results.stream().anyMatch(VideoPrediction.Result::ok) ? ExitCode.OK : ExitCode.NOTHING_READ).code;
    }
}
