package io.timesformer4j.cli;

import io.timesformer4j.app.Demo;
import io.timesformer4j.data.SyntheticMotion;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code timesformer demo}: synthetic motion data → tiny TimeSformer → evaluation and plots. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate a synthetic motion dataset (left/right/up/down/cw/ccw: only the direction of motion "
                + "differs), train the tiny TimeSformer on it, evaluate it and write loss/accuracy plots."})
public final class DemoCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"--out", "--output-dir"}, paramLabel = "<out>", defaultValue = "demo-run", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--epochs", paramLabel = "<epochs>", description = "Epochs (default: 20).")
    Integer epochs;
    @Option(names = "--classes", paramLabel = "<classes>", split = ",", description = "Motion classes (default: all six).")
    List<String> classes;
    @Option(names = "--clips-per-class", paramLabel = "<clips-per-class>", description = "Training clips per class (default: 40).")
    Integer clips;
    @Option(names = "--lr", paramLabel = "<lr>", description = "AdamW learning rate (default: 1e-3).")
    Double lr;
    @Option(names = "--batch-size", paramLabel = "<batch-size>", description = "Clips per step (default: 8).")
    Integer batchSize;
    @Option(names = "--threads", paramLabel = "<threads>", defaultValue = "0", description = "libtorch threads (default 0: the cores left after the decode workers, at least 1).")
    int threads;
    @Option(names = "--seed", paramLabel = "<seed>", defaultValue = "7", description = "Seed for data and training (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--no-progress", description = "No progress output.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        Demo.Options d = Demo.Options.defaults(out);
        d = new Demo.Options(out, classes != null ? classes : SyntheticMotion.ALL_CLASSES,
                clips != null ? clips : d.trainPerClass(), d.valPerClass(), d.frames(), d.videoSize(), d.imageSize(),
                epochs != null ? epochs : d.epochs(), batchSize != null ? batchSize : d.batchSize(),
                lr != null ? lr : d.lr(), d.workers(), threads, seed);
        Demo.run(d, !noProgress, spec.commandLine().getOut());
        return 0;
    }
}
