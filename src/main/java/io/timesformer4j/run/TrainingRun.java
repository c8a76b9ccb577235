package io.timesformer4j.run;

import io.timesformer4j.data.BadInput;
import io.timesformer4j.runtime.AtomicFiles;
import io.timesformer4j.train.BatchSource;
import io.timesformer4j.train.Charts;
import io.timesformer4j.train.EpochMetrics;
import io.timesformer4j.train.Trainer;
import io.timesformer4j.train.TrainingListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A {@link Trainer} fit recorded in a run folder: resumes from the folder's checkpoint, and adds the run
 * folder's listeners after the trainer's own, in this order: {@code metrics.jsonl}, {@code best/} (when
 * validation accuracy improved), the atomic {@code checkpoint/}, {@code skipped.txt},
 * {@code loss.png}/{@code accuracy.png}.
 */
public final class TrainingRun {
    /** Writes a model into an empty folder (for TimeSformer: a Hugging Face model dir). */
    @FunctionalInterface
    public interface ModelWriter {
        void write(Path dir) throws IOException;
    }

    private final RunDir dir;
    private final Trainer trainer;
    private ModelWriter bestWriter;
    private boolean plots = true;
    private List<BadInput> problems = List.of();
    private PrintWriter out = new PrintWriter(PrintWriter.nullWriter());
    private CheckpointPolicy policy = CheckpointPolicy.LATEST_ONLY;
    private boolean writes = true;
    private double chance = Double.NaN;

    public TrainingRun(RunDir dir, Trainer trainer) {
        this.dir = dir;
        this.trainer = trainer;
    }

    /** How to write {@code RUN/best/} (default: none is written). */
    public TrainingRun bestModel(ModelWriter writer) {
        this.bestWriter = writer;
        return this;
    }

    /** The chance level (1 / classes) drawn on the plots (default: none). */
    public TrainingRun chance(double level) {
        this.chance = level;
        return this;
    }

    /** Redraw the loss/accuracy PNGs after every epoch (default on). */
    public TrainingRun plots(boolean on) {
        this.plots = on;
        return this;
    }

    /** Inputs found unusable before training (dataset scan), listed in {@code skipped.txt} with the loader's. */
    public TrainingRun problems(List<BadInput> scanProblems) {
        this.problems = List.copyOf(scanProblems);
        return this;
    }

    /** Where the resume line and warnings go (default: nowhere). */
    public TrainingRun output(PrintWriter out) {
        this.out = out;
        return this;
    }

    /** Which epochs keep a checkpoint besides the latest (default: only the latest). */
    public TrainingRun checkpoints(CheckpointPolicy policy) {
        this.policy = policy;
        return this;
    }

    /**
     * Whether this process writes the run folder (default true). In a data-parallel job only rank 0 does; the
     * other ranks load the same checkpoint and read the metrics history, and add no listener that writes.
     */
    public TrainingRun writes(boolean on) {
        this.writes = on;
        return this;
    }

    public RunDir dir() {
        return dir;
    }

    /**
     * Trains until the config's epochs.
     *
     * @param val    validation batches, or null to skip validation
     * @param resume continue from the run's checkpoint when there is one
     */
    public Trainer.Result fit(BatchSource train, BatchSource val, boolean resume) throws IOException {
        return fit(train, val, resume ? Checkpoint.latest(dir.root()) : Optional.empty());
    }

    /** Trains, continuing from the checkpoint folder {@code from} when present (one of the run's kept checkpoints). */
    public Trainer.Result fit(BatchSource train, BatchSource val, Optional<Path> from) throws IOException {
        if (writes) {
            Files.createDirectories(dir.root());
            recoverBest();
        }
        Trainer.Start start = Trainer.Start.fresh();
        Optional<Checkpoint.State> st = from.isPresent()
                ? Optional.of(Checkpoint.loadFrom(from.get(), trainer.model().module(), trainer.optimizer()))
                : Optional.empty();
        if (st.isPresent()) {
            Checkpoint.State s = st.get();
            List<EpochMetrics> history = writes ? MetricsLog.truncate(dir.metrics(), s.epoch())
                    : MetricsLog.read(dir.metrics()).stream().filter(m -> m.epoch() <= s.epoch()).toList();
            start = new Trainer.Start(s.epoch(), s.step(), s.bestValAcc(), s.bestEpoch(), history);
            out.printf(Locale.ROOT, "resumed %s after epoch %d (step %d)%n", dir.root(), s.epoch(), s.step());
            if (s.epoch() >= trainer.config().epochs())
                out.printf(Locale.ROOT, "nothing to do: %d of %d epochs done%n", s.epoch(), trainer.config().epochs());
            out.flush();
        } else if (writes) {
            Files.deleteIfExists(dir.metrics());
        }
        if (!writes) return trainer.fit(train, val, start, List.of());
        SkippedList skipped = new SkippedList(dir.skipped(), problems, st.isPresent());
        List<TrainingListener> ours = new ArrayList<>();
        ours.add(new MetricsWriter(dir.metrics()));
        if (bestWriter != null) ours.add(new BestModelSaver(dir, bestWriter));
        ours.add(new CheckpointWriter(dir, trainer, policy));
        ours.add(skipped);
        if (plots) ours.add(new PlotWriter(dir, out, chance));
        return trainer.fit(train, val, start, ours);
    }

    /** A kill between the two renames of the best-model swap leaves only {@code best.prev/}: put it back. */
    private void recoverBest() throws IOException {
        Path best = dir.best(), prev = dir.bestPrev();
        if (!Files.exists(best) && Files.isDirectory(prev)) Files.move(prev, best, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.deleteTree(dir.bestTmp());
    }

    /** Appends each epoch's line to {@code metrics.jsonl}. */
    static final class MetricsWriter implements TrainingListener {
        private final Path file;

        MetricsWriter(Path file) {
            this.file = file;
        }

        @Override
        public void onEpochEnd(EpochEnd e) throws IOException {
            MetricsLog.append(file, e.metrics());
        }
    }

    /** Replaces {@code best/} (through {@code best.tmp/} and {@code best.prev/}) when the epoch improved. */
    static final class BestModelSaver implements TrainingListener {
        private final RunDir dir;
        private final ModelWriter writer;

        BestModelSaver(RunDir dir, ModelWriter writer) {
            this.dir = dir;
            this.writer = writer;
        }

        @Override
        public void onEpochEnd(EpochEnd e) throws IOException {
            if (!e.improved()) return;
            Path tmp = dir.bestTmp();
            AtomicFiles.deleteTree(tmp);
            Files.createDirectories(tmp);
            writer.write(tmp);
            AtomicFiles.replaceDir(tmp, dir.best(), dir.bestPrev());
        }
    }

    /** Redraws the curves; a failure to draw is a warning, not the end of the run. */
    record PlotWriter(RunDir dir, PrintWriter out, double chance) implements TrainingListener {
        @Override
        public void onEpochEnd(EpochEnd e) {
            try {
                Charts.trainingCurves(e.history(), e.bestEpoch(), chance, dir.lossPng(), dir.accuracyPng());
            } catch (RuntimeException | IOException ex) {
                out.println("warning: could not draw the plots: " + ex.getMessage());
                out.flush();
            }
        }
    }
}
