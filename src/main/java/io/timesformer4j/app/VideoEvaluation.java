package io.timesformer4j.app;

import io.timesformer4j.run.RunDir;
import io.timesformer4j.run.Json;
import io.timesformer4j.eval.ClassificationReport;
import io.timesformer4j.eval.Classifier;
import io.timesformer4j.eval.Evaluator;
import io.timesformer4j.eval.OrderDiagnostic;
import io.timesformer4j.eval.Precision;
import io.timesformer4j.eval.Predictions;
import io.timesformer4j.eval.Progress;
import io.timesformer4j.train.BatchSource;
import io.timesformer4j.train.Charts;
import io.timesformer4j.train.ClipBatches;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.timesformer4j.data.BadInput;
import io.timesformer4j.data.ClipSpec;
import io.timesformer4j.data.DatasetOptions;
import io.timesformer4j.data.FrameOrder;
import io.timesformer4j.data.LabelMap;
import io.timesformer4j.data.Mode;
import io.timesformer4j.data.VideoDataset;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.Preprocessing;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.runtime.Natives;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a model dir on a labelled dataset with the multi-view test protocol and writes the reports:
 * {@code report.json} (summary + per-class table), {@code confusion.json}, {@code confusion.png} and
 * {@code predictions.jsonl} (one line per clip: the {@code predict --json} record {@code path, top, error} with the
 * top 5, plus the true {@code label}).
 */
public final class VideoEvaluation {
    /**
     * @param temporalViews clips per video, evenly spaced in time
     * @param spatialViews  crops per clip (1 = centre, 3 = along the long side)
     * @param precision     forward precision ({@link Precision#BF16}: CPU autocast)
     * @param out           folder for the report files, or null for none
     */
    public record Options(Path model, Path data, String layout, int temporalViews, int spatialViews, int batchSize,
                          int workers, int threads, Precision precision, Path out) {}

    /** The report, and one frame-order diagnostic per order asked for (in that order). */
    public record Result(ClassificationReport report, List<OrderDiagnostic> orderDiagnostics) {}

    private VideoEvaluation() {}

    /** Loads the model, evaluates, prints the table and writes the files. */
    public static ClassificationReport run(Options o, boolean progress, PrintWriter out) throws IOException {
        return run(o, List.of(), Map.of(), progress, out).report();
    }

    /**
     * Evaluates as {@link #run(Options, boolean, PrintWriter)}, then once more per frame order in {@code orders}
     * (time-reversed, shuffled) and reports how many predictions change and into what ({@link OrderDiagnostic}:
     * printed, and written as {@code <out>/time_reversed.json} / {@code shuffled.json}).
     *
     * @param pairs class → partner class for the "predicted as the partner" rate (may be empty); every class
     *              named must be one of the model's labels
     */
    public static Result run(Options o, List<FrameOrder> orders, Map<String, String> pairs, boolean progress,
                             PrintWriter out) throws IOException {
        return run(o, orders, pairs, progress, out, out);
    }

    /**
     * As {@link #run(Options, List, Map, boolean, PrintWriter)}, with a {@code warning: PATH: reason} line on {@code err}
     * for each video used although damaged (a truncated file read from the frames that decode, a frame folder with a
     * gap in its numbering); they are listed under {@code warnings} in {@code report.json}.
     */
    public static Result run(Options o, List<FrameOrder> orders, Map<String, String> pairs, boolean progress,
                             PrintWriter out, PrintWriter err) throws IOException {
        Natives.ensureLoaded();
        Natives.setTorchThreads(o.threads() > 0 ? o.threads() : VideoTrainer.defaultThreads(o.workers()));
        ModelDir.LoadedModel lm = ModelDir.load(RunDir.modelPath(o.model()));
        LabelMap labels = LabelMap.of(lm.config().labels());
        for (String c : pairs.keySet()) {
            if (!labels.names().contains(c)) {
                throw new IllegalArgumentException("--pairs: class '" + c + "' is not one of the model's labels " + labels.names());
            }
        }
        VideoDataset ds = VideoDataset.scan(o.data(), DatasetOptions.defaults().withLayout(VideoTrainer.layout(o.layout()))
                .withLabels(labels));
        List<BadInput> problems = new ArrayList<>(), warnings = new ArrayList<>();
        for (BadInput b : ds.problems()) (b.warning() ? warnings : problems).add(b);
        if (ds.samples().isEmpty()) throw new IOException(o.data() + ": no video with one of the model's labels "
                + labels.names());
        ClipSpec spec = specFor(lm.config().numFrames(), lm.preprocessing()).withViews(o.temporalViews(), o.spatialViews());
        TimeSformer model = o.precision().forInference(lm.model());
        Predictions p = predict(model, ds, spec, o, progress ? "evaluate" : null, out, problems, warnings);
        warnings = new ArrayList<>(new java.util.LinkedHashSet<>(warnings));   // a frame folder's gap: found by the scan and the read
        for (BadInput w : warnings) err.println("warning: " + w.path() + ": " + w.reason());
        err.flush();
        ClassificationReport r = ClassificationReport.of(p, labels.names());
        out.print(r.table());
        if (!problems.isEmpty()) {
            out.println(problems.size() + " videos skipped:");
            problems.forEach(s -> out.println("  " + s));
        }
        if (o.out() != null) write(r, p, problems, warnings, o, o.out());
        List<OrderDiagnostic> diagnostics = new ArrayList<>();
        for (FrameOrder order : orders) {
            Predictions q = predict(model, ds, spec.withFrameOrder(order), o, progress ? order.slug() : null, out,
                    new ArrayList<>(), new ArrayList<>());
            OrderDiagnostic d = OrderDiagnostic.of(order, p, q, labels.names(), pairs);
            diagnostics.add(d);
            out.print(d.table());
            if (o.out() != null) {
                Path f = o.out().resolve(order.slug() + ".json");
                Files.createDirectories(o.out());
                Files.write(f, Json.pretty().writeValueAsBytes(d));
                out.println("wrote " + f);
            }
        }
        return new Result(r, List.copyOf(diagnostics));
    }

    /** One pass over the dataset with {@code spec}; skipped videos are added to {@code problems}, damaged ones used to {@code warnings}. */
    private static Predictions predict(TimeSformer model, VideoDataset ds, ClipSpec spec, Options o, String progressName,
                                       PrintWriter out, List<BadInput> problems, List<BadInput> warnings) {
        ClipBatches batches = new ClipBatches(ds.samples(), spec, Mode.TEST, o.batchSize(), o.workers(), 0);
        try (BatchSource.Epoch epoch = batches.epoch(0);
             Progress bar = progressName != null ? Progress.start(progressName, batches.sampleCount(), out) : Progress.none()) {
            Predictions p = Evaluator.predict(Classifier.of(model, model::forward), epoch, o.precision(), bar);
            problems.addAll(epoch.skipped());
            warnings.addAll(epoch.warnings());
            return p;
        }
    }

    /** The test-time clip spec of a model: its frames, crop, short side and normalisation. */
    static ClipSpec specFor(int frames, Preprocessing prep) {
        return ClipSpec.forModel(frames, prep.cropSize(), prep.mean(), prep.std()).withShortSide(prep.shortSide());
    }

    private static void write(ClassificationReport r, Predictions p, List<BadInput> problems, List<BadInput> warnings,
                              Options o, Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectNode report = Json.MAPPER.valueToTree(r);
        report.remove("confusion");
        report.put("model", o.model().toString());
        report.put("data", o.data().toString());
        report.put("views", o.temporalViews() + "x" + o.spatialViews());
        report.put("precision", o.precision().label());
        ArrayNode sk = report.putArray("skipped");
        problems.forEach(b -> sk.add(b.toString()));
        ArrayNode wn = report.putArray("warnings");
        warnings.forEach(b -> wn.add(b.path() + ": " + b.reason()));
        Files.write(dir.resolve("report.json"), Json.pretty().writeValueAsBytes(report));
        ObjectNode conf = Json.MAPPER.createObjectNode();
        conf.set("classes", Json.MAPPER.valueToTree(r.classes()));
        conf.put("rows", "true label");
        conf.put("columns", "predicted label");
        conf.set("matrix", Json.MAPPER.valueToTree(r.confusion()));
        Files.write(dir.resolve("confusion.json"), Json.pretty().writeValueAsBytes(conf));
        Charts.confusion(r.confusion(), r.classes(), String.format(java.util.Locale.ROOT,
                "Confusion matrix: top-1 %.3f on %d clips, %s views", r.top1(), r.samples(), o.temporalViews() + "x" + o.spatialViews()),
                dir.resolve("confusion.png"));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p.size(); i++) {
            ObjectNode line = Json.MAPPER.createObjectNode();
            // the record of `predict --json` (path, top = [{label, probability}] as float32, error) plus the true label
            line.put("path", p.ids().isEmpty() ? null : p.ids().get(i));
            ArrayNode top = line.putArray("top");
            for (int c : p.topK(i, 5)) top.addObject().put("label", r.classes().get(c)).put("probability", p.probs()[i][c]);
            line.putNull("error");
            line.put("label", r.classes().get(p.labels()[i]));
            sb.append(Json.MAPPER.writeValueAsString(line)).append('\n');
        }
        Files.writeString(dir.resolve("predictions.jsonl"), sb);
    }

}
