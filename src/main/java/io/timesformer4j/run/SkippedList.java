package io.timesformer4j.run;

import io.timesformer4j.data.BadInput;
import io.timesformer4j.runtime.AtomicFiles;
import io.timesformer4j.train.TrainingListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one writer of {@code skipped.txt}: the dataset scan's problems, then every input the loaders skipped,
 * one {@code path: reason} line each, without repeats; inputs used although damaged (a truncated video trained on
 * the frames that decode, a frame folder with a gap) get a {@code path: warning: reason} line. A resumed run keeps
 * the lines it had.
 */
public final class SkippedList implements TrainingListener {
    private final Path file;
    private final List<BadInput> problems;
    private final boolean resumed;
    private final Set<String> lines = new LinkedHashSet<>();

    SkippedList(Path file, List<BadInput> problems, boolean resumed) {
        this.file = file;
        this.problems = problems;
        this.resumed = resumed;
    }

    @Override
    public void onTrainStart(TrainStart s) throws IOException {
        if (!resumed || !Files.exists(file)) {
            Files.deleteIfExists(file);
            for (BadInput b : problems) lines.add(b.toString());
            write();
        } else {
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) if (!l.isBlank()) lines.add(l);
        }
    }

    @Override
    public void onEpochEnd(EpochEnd e) throws IOException {
        int before = lines.size();
        for (BadInput b : e.skipped()) lines.add(b.toString());
        if (lines.size() != before) write();
    }

    /** Inputs skipped: the lines of the file that are not warnings. */
    public static long count(Path file) throws IOException {
        return lines(file).stream().filter(l -> !l.contains(WARNING)).count();
    }

    /** Inputs used with a warning: the {@code path: warning: reason} lines. */
    public static long warnings(Path file) throws IOException {
        return lines(file).stream().filter(l -> l.contains(WARNING)).count();
    }

    private static final String WARNING = ": warning: ";

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList() : List.of();
    }

    private void write() throws IOException {
        if (!lines.isEmpty()) AtomicFiles.writeString(file, String.join("\n", lines) + "\n");
    }
}
