package io.timesformer4j.run;


import com.fasterxml.jackson.databind.ObjectMapper;
import io.timesformer4j.runtime.AtomicFiles;
import io.timesformer4j.train.EpochMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads and appends {@code metrics.jsonl}: one JSON object per finished epoch. NaN is written as NaN. */
public final class MetricsLog {
    private static final ObjectMapper JSON = Json.MAPPER;

    private MetricsLog() {}

    /** Appends one line and forces it to disk. */
    public static void append(Path file, EpochMetrics m) throws IOException {
        AtomicFiles.append(file, JSON.writeValueAsString(m) + "\n");
    }

    /** Appends any record as one JSON line and forces it to disk (e.g. the pretraining metrics). */
    public static void appendLine(Path file, Object record) throws IOException {
        AtomicFiles.append(file, JSON.writeValueAsString(record) + "\n");
    }

    /** All lines of a file of {@code type} records (empty if it does not exist; a line cut by a kill ends it). */
    public static <T> List<T> readLines(Path file, Class<T> type) throws IOException {
        List<T> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            try {
                out.add(JSON.readValue(line, type));
            } catch (IOException e) {
                break;
            }
        }
        return out;
    }

    /** Rewrites a file of {@code type} records keeping those whose epoch is {@code <= lastEpoch} (after a resume). */
    public static <T> List<T> truncateLines(Path file, Class<T> type, java.util.function.ToIntFunction<T> epoch, int lastEpoch)
            throws IOException {
        List<T> kept = new ArrayList<>();
        for (T m : readLines(file, type)) if (epoch.applyAsInt(m) <= lastEpoch) kept.add(m);
        StringBuilder sb = new StringBuilder();
        for (T m : kept) sb.append(JSON.writeValueAsString(m)).append('\n');
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return kept;
    }

    /** All lines of the file (empty if it does not exist). */
    public static List<EpochMetrics> read(Path file) throws IOException {
        List<EpochMetrics> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            try {
                out.add(JSON.readValue(line, EpochMetrics.class));
            } catch (IOException e) {
                break; // a line cut by a kill: everything after it is unusable
            }
        }
        return out;
    }

    /** Rewrites the file keeping only epochs {@code <= lastEpoch} (after a resume). */
    public static List<EpochMetrics> truncate(Path file, int lastEpoch) throws IOException {
        List<EpochMetrics> kept = new ArrayList<>();
        for (EpochMetrics m : read(file)) if (m.epoch() <= lastEpoch) kept.add(m);
        StringBuilder sb = new StringBuilder();
        for (EpochMetrics m : kept) sb.append(JSON.writeValueAsString(m)).append('\n');
        AtomicFiles.writeString(file, sb.toString());
        return kept;
    }
}
