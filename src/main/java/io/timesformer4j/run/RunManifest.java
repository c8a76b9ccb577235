package io.timesformer4j.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.timesformer4j.runtime.AtomicFiles;
import io.timesformer4j.runtime.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * {@code RUN/run.json}: what the run is, versioned. The training settings are stored here once
 * ({@code options}, with the optimisation config in {@code options.train}); checkpoints refer to them.
 *
 * <pre>
 * { "format_version": 2, "project_version": "0.1.0-SNAPSHOT", "git_commit": "…" (when known),
 *   "created": "2026-12-01T20:00:00Z", "seed": 42,
 *   "data": { "layout": "class_folders", "classes": [...], "train_clips": 6, "val_clips": 2, "problems": 0 },
 *   "options": { "data": …, "preset": …, "train": { "epochs": …, "optimizer": …, … } } }
 * </pre>
 *
 * Format 1 (before versioning) was the bare {@code options} object; such run folders still load.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunManifest(
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("project_version") String projectVersion,
        @JsonProperty("git_commit") String gitCommit,
        @JsonProperty("created") String created,
        @JsonProperty("seed") long seed,
        @JsonProperty("data") DataSummary data,
        @JsonProperty("options") TrainOptions options) {

    /** The run.json layout this code writes. */
    public static final int FORMAT = 2;

    /** What the dataset looked like when the run started (or was last resumed). */
    public record DataSummary(@JsonProperty("layout") String layout, @JsonProperty("classes") List<String> classes,
                              @JsonProperty("train_clips") int trainClips, @JsonProperty("val_clips") int valClips,
                              @JsonProperty("problems") int problems) {}

    /** A manifest for this code's version, created now. */
    public static RunManifest of(TrainOptions options, DataSummary data) {
        return new RunManifest(FORMAT, Version.project(), Version.gitCommit(), Instant.now().toString(),
                options.train().seed(), data, options);
    }

    /** Keeps the original creation time of {@code older}. */
    public RunManifest since(RunManifest older) {
        return older == null || older.created() == null ? this
                : new RunManifest(formatVersion, projectVersion, gitCommit, older.created(), seed, data, options);
    }

    public void write(Path runDir) throws IOException {
        AtomicFiles.write(RunDir.of(runDir).runJson(), Json.pretty().writeValueAsBytes(this));
    }

    /** Reads {@code RUN/run.json} of any format this code knows; refuses newer ones with the reason. */
    public static RunManifest read(Path runDir) throws IOException {
        Path f = RunDir.of(runDir).runJson();
        if (!Files.isRegularFile(f)) throw new IOException(runDir + ": not a training run (no run.json)");
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(f.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(f + ": damaged run.json (" + Checkpoint.firstLine(e.getOriginalMessage()) + ")");
        }
        if (n == null || !n.isObject()) throw new IOException(f + ": damaged run.json (not a JSON object)");
        try {
            if (!n.has("format_version")) {                       // format 1: the bare options
                return new RunManifest(1, null, null, null, 0, null, Json.MAPPER.treeToValue(n, TrainOptions.class));
            }
            int v = n.get("format_version").asInt(-1);
            if (v > FORMAT) throw new IOException(f + ": run.json format_version " + v + " was written by a newer "
                    + "timesformer4j (" + n.path("project_version").asText("unknown") + "); this is " + Version.project()
                    + ", which reads formats 1 to " + FORMAT);
            if (v < 2) throw new IOException(f + ": run.json format_version " + n.get("format_version") + " is not one "
                    + "this code knows (1 to " + FORMAT + ")");
            return Json.MAPPER.treeToValue(n, RunManifest.class);
        } catch (com.fasterxml.jackson.core.JacksonException | IllegalArgumentException e) {
            String why = e instanceof com.fasterxml.jackson.core.JacksonException je ? je.getOriginalMessage() : e.getMessage();
            throw new IOException(f + ": damaged run.json (" + Checkpoint.firstLine(why) + ")");
        }
    }

    /** The manifest of {@code runDir} if it has a readable one. */
    public static RunManifest readIfPresent(Path runDir) {
        try {
            return Files.isRegularFile(RunDir.of(runDir).runJson()) ? read(runDir) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
