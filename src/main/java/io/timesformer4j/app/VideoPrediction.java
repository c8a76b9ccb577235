package io.timesformer4j.app;

import io.timesformer4j.run.RunDir;
import io.timesformer4j.eval.Classifier;
import io.timesformer4j.eval.Evaluator;
import io.timesformer4j.eval.Precision;
import io.timesformer4j.eval.Predictions;
import io.timesformer4j.eval.Progress;
import io.timesformer4j.train.BatchSource;
import io.timesformer4j.train.ClipBatches;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.timesformer4j.data.BadInput;
import io.timesformer4j.data.ClipSpec;
import io.timesformer4j.data.Mode;
import io.timesformer4j.data.Sample;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.runtime.Natives;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Top-k predictions of a model dir for individual videos (the test views of the model's clip spec). */
public final class VideoPrediction {
    /** One video's answer: {@code top} in decreasing probability, or the {@code problem} when it could not be read. */
    public record Result(@JsonProperty("path") String path, @JsonProperty("top") List<Label> top, @JsonIgnore BadInput problem) {
        public boolean ok() {
            return problem == null;
        }

        /** The reason alone (JSON {@code error}), null when it was read. */
        @JsonProperty("error")
        public String error() {
            return problem == null ? null : problem.reason();
        }
    }

    /** A class and its probability. */
    public record Label(String label, double probability) {}

    private VideoPrediction() {}

    /**
     * Predicts every video; unreadable ones get a result with an error instead of an exception.
     *
     * @param precision forward precision ({@link Precision#BF16}: CPU autocast)
     */
    public static List<Result> run(Path modelDir, List<Path> videos, int topK, int temporalViews, int spatialViews,
                                   int workers, int threads, Precision precision) throws IOException {
        Natives.ensureLoaded();
        Natives.setTorchThreads(threads > 0 ? threads : VideoTrainer.defaultThreads(workers));
        ModelDir.LoadedModel lm = ModelDir.load(RunDir.modelPath(modelDir));
        List<String> names = lm.config().labels();
        ClipSpec spec = VideoEvaluation.specFor(lm.config().numFrames(), lm.preprocessing())
                .withViews(temporalViews, spatialViews);
        List<Sample> samples = new ArrayList<>();
        for (Path v : videos) samples.add(new Sample(v, 0));
        TimeSformer model = precision.forInference(lm.model());
        ClipBatches batches = new ClipBatches(samples, spec, Mode.TEST, 1, workers, 0);
        Predictions p;
        List<BadInput> skipped;
        try (BatchSource.Epoch epoch = batches.epoch(0)) {
            p = Evaluator.predict(Classifier.of(model, model::forward), epoch, precision, Progress.none());
            skipped = epoch.skipped();
        }
        Map<String, Result> byPath = new HashMap<>();
        for (int i = 0; i < p.size(); i++) {
            List<Label> top = new ArrayList<>();
            for (int c : p.topK(i, topK)) top.add(new Label(names.get(c), p.probs()[i][c]));
            byPath.put(p.ids().get(i), new Result(p.ids().get(i), top, null));
        }
        Map<String, BadInput> errors = new LinkedHashMap<>();
        for (BadInput b : skipped) errors.putIfAbsent(b.path().toString(), b);
        List<Result> out = new ArrayList<>();
        for (Path v : videos) {
            String key = v.toString();
            Result r = byPath.get(key);
            out.add(r != null ? r : new Result(key, List.of(), errors.getOrDefault(key, new BadInput(v, "could not be decoded"))));
        }
        return out;
    }
}
