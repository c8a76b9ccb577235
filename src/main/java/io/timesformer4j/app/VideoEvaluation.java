package io.timesformer4j.app;

import io.timesformer4j.run.RunDir;
import io.timesformer4j.run.Json;
import io.timesformer4j.eval.ClassificationReport;
import io.timesformer4j.eval.Classifier;
import io.timesformer4j.eval.Evaluator;
import io.timesformer4j.eval.Precision;
import io.timesformer4j.eval.Predictions;
import io.timesformer4j.eval.Progress;
import io.timesformer4j.train.BatchSource;
import io.timesformer4j.train.Charts;
import io.timesformer4j.train.ClipBatches;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.timesformer4j.data.ClipSpec;
import io.timesformer4j.data.DatasetOptions;
import io.timesformer4j.data.LabelMap;
import io.timesformer4j.data.Mode;
import io.timesformer4j.data.VideoDataset;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.Preprocessing;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.runtime.Natives;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates a model dir on a labelled dataset with the multi-view test protocol and writes the reports:
 * {@code report.json} (summary + per-class table), {@code confusion.json}, {@code confusion.png} and
 * {@code predictions.jsonl} (one line per clip: path, label, predicted, top-5 probabilities).
 */
public final class VideoEvaluation {
    /**
     * @param temporalViews clips per video, evenly spaced in time
     * @param spatialViews  crops per clip (1 = centre, 3 = along the long side)
     * @param out           folder for the report files, or null for none
     */
    public record Options(Path model, Path data, String layout, int temporalViews, int spatialViews, int batchSize,
                          int workers, int threads, Path out) {}

    private VideoEvaluation() {}

    /** Loads the model, evaluates, prints the table and writes the files. */
    public static ClassificationReport run(Options o, boolean progress, PrintStream out) throws IOException {
        Natives.ensureLoaded();
        Natives.setTorchThreads(o.threads() > 0 ? o.threads() : VideoTrainer.defaultThreads(o.workers()));
        ModelDir.LoadedModel lm = ModelDir.load(RunDir.modelPath(o.model()));
        LabelMap labels = LabelMap.of(lm.config().labels());
        VideoDataset ds = VideoDataset.scan(o.data(), DatasetOptions.defaults().withLayout(VideoTrainer.layout(o.layout()))
                .withLabels(labels));
        List<String> problems = new ArrayList<>(ds.problems().stream().map(ClipBatches::line).toList());
        if (ds.samples().isEmpty()) throw new IOException(o.data() + ": no video with one of the model's labels "
                + labels.names());
        ClipSpec spec = specFor(lm.config().numFrames(), lm.preprocessing()).withViews(o.temporalViews(), o.spatialViews());
        TimeSformer model = lm.model();
        ClipBatches batches = new ClipBatches(ds.samples(), spec, Mode.TEST, o.batchSize(), o.workers(), 0);
        Predictions p;
        try (BatchSource.Epoch epoch = batches.epoch(0);
             Progress bar = progress ? Progress.start("evaluate", batches.sampleCount(), out) : Progress.none()) {
            p = Evaluator.predict(Classifier.of(model, model::forward), epoch, Precision.FP32, bar);
            problems.addAll(epoch.skipped());
        }
        ClassificationReport r = ClassificationReport.of(p, labels.names());
        out.print(r.table());
        if (!problems.isEmpty()) {
            out.println(problems.size() + " videos skipped:");
            problems.forEach(s -> out.println("  " + s));
        }
        if (o.out() != null) write(r, p, problems, o, o.out());
        return r;
    }

    /** The test-time clip spec of a model: its frames, crop, short side and normalisation. */
    static ClipSpec specFor(int frames, Preprocessing prep) {
        return ClipSpec.forModel(frames, prep.cropSize(), prep.mean(), prep.std()).withShortSide(prep.shortSide());
    }

    private static void write(ClassificationReport r, Predictions p, List<String> problems, Options o, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        ObjectNode report = Json.MAPPER.valueToTree(r);
        report.remove("confusion");
        report.put("model", o.model().toString());
        report.put("data", o.data().toString());
        report.put("views", o.temporalViews() + "x" + o.spatialViews());
        ArrayNode sk = report.putArray("skipped");
        problems.forEach(sk::add);
        Files.write(dir.resolve("report.json"), Json.pretty().writeValueAsBytes(report));
        ObjectNode conf = Json.MAPPER.createObjectNode();
        conf.set("classes", Json.MAPPER.valueToTree(r.classes()));
        conf.put("rows", "true label");
        conf.put("columns", "predicted label");
        conf.set("matrix", Json.MAPPER.valueToTree(r.confusion()));
        Files.write(dir.resolve("confusion.json"), Json.pretty().writeValueAsBytes(conf));
        Charts.confusion(r.confusion(), r.classes(), dir.resolve("confusion.png"));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p.size(); i++) {
            ObjectNode line = Json.MAPPER.createObjectNode();
            if (!p.ids().isEmpty()) line.put("path", p.ids().get(i));
            line.put("label", r.classes().get(p.labels()[i]));
            int[] top = p.topK(i, 5);
            line.put("predicted", r.classes().get(top[0]));
            ObjectNode probs = line.putObject("top5");
            for (int c : top) probs.put(r.classes().get(c), p.probs()[i][c]);
            sb.append(Json.MAPPER.writeValueAsString(line)).append('\n');
        }
        Files.writeString(dir.resolve("predictions.jsonl"), sb);
    }

}
