package io.timesformer4j.train;

import io.timesformer4j.eval.ClassificationReport;
import io.timesformer4j.eval.Classifier;
import io.timesformer4j.eval.Evaluator;
import io.timesformer4j.eval.LabeledBatch;
import io.timesformer4j.eval.Precision;
import io.timesformer4j.eval.Predictions;
import io.timesformer4j.eval.Progress;
import io.timesformer4j.run.Checkpoint;
import io.timesformer4j.run.MetricsLog;
import io.timesformer4j.run.RunDir;
import io.timesformer4j.runtime.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.CrossEntropyLossOptions;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The epoch loop: train with cross-entropy, validate, log, checkpoint, keep the best model.
 *
 * <p>Per epoch {@code e} (0-based; printed and logged 1-based) it re-seeds libtorch's RNG from
 * {@code (seed, e)}, runs every training batch in its own {@code PointerScope} (forward, loss / accumulate,
 * backward; every {@code accumulate} micro-batches: set the scheduled LR on all groups, clip, step), validates,
 * then in this order: prints the progress summary and the seed line {@code [e] loss: x, val_acc: y}, appends
 * {@code metrics.jsonl}, writes {@code best/} when validation accuracy improved, writes the atomic
 * {@code checkpoint/}, redraws {@code loss.png}/{@code accuracy.png} and updates {@code skipped.txt}.
 *
 * <p>Resuming loads the checkpoint, drops metrics lines of epochs after it and continues at the next epoch;
 * since the loaders are deterministic per (seed, epoch) and the RNG is re-seeded per epoch, the result equals
 * an uninterrupted run (bit for bit with the same thread count).
 */
public final class Trainer {
    /** Writes the best model so far into an empty folder (for TimeSformer: a Hugging Face model dir). */
    @FunctionalInterface
    public interface BestModelWriter {
        void write(Path dir) throws IOException;
    }

    /** What a finished {@link #fit} returns. */
    public record Result(List<EpochMetrics> history, double bestValAcc, int bestEpoch, int startEpoch) {}

    private final Classifier model;
    private final TrainConfig config;
    private final Path runDir;
    private final Optimizer optimizer;
    private PrintStream out = System.out;
    private boolean progress = true;
    private BestModelWriter bestWriter;
    private DataParallel parallel = DataParallel.single();

    /** Creates the optimizer for {@code model}'s parameters; nothing is written until {@link #fit}. */
    public Trainer(Classifier model, TrainConfig config, Path runDir) {
        this.model = model;
        this.config = config;
        this.runDir = runDir;
        this.optimizer = Optimizers.create(model.module(), config.optimizer());
    }

    /** Where the per-epoch lines go (default {@code System.out}). */
    public Trainer output(PrintStream out) {
        this.out = out;
        return this;
    }

    /** Progress bars / progress lines on or off (default on). */
    public Trainer progress(boolean on) {
        this.progress = on;
        return this;
    }

    /** How to write {@code RUN/best/} (default: none is written). */
    public Trainer bestModel(BestModelWriter writer) {
        this.bestWriter = writer;
        return this;
    }

    /**
     * Data-parallel training (default: one process). With several ranks each gets its own shard of the batches;
     * rank 0 alone writes the run folder, and every rank waits for it at the end of each epoch.
     */
    public Trainer parallel(DataParallel dp) {
        this.parallel = dp;
        return this;
    }

    /** The optimizer (for tests and inspection). */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Trains until {@code config.epochs()}.
     *
     * @param val    validation batches, or null to skip validation (val metrics are then NaN and the
     *               last epoch counts as best)
     * @param resume continue from {@code RUN/checkpoint/} when there is one
     */
    public Result fit(BatchSource train, BatchSource val, boolean resume) throws IOException {
        Files.createDirectories(runDir);
        Path metricsFile = RunDir.of(runDir).metrics();
        int start = 0;
        long step = 0;
        double best = Double.NaN;
        int bestEpoch = 0;
        List<EpochMetrics> history = new ArrayList<>();
        Optional<Checkpoint.State> st = resume ? Checkpoint.load(runDir, model.module(), optimizer) : Optional.empty();
        if (st.isPresent()) {
            start = st.get().epoch();
            step = st.get().step();
            best = st.get().bestValAcc();
            bestEpoch = st.get().bestEpoch();
            int done = start;
            history.addAll(parallel.writes() ? MetricsLog.truncate(metricsFile, start)
                    : MetricsLog.read(metricsFile).stream().filter(m -> m.epoch() <= done).toList());
            out.printf("resumed %s after epoch %d (step %d)%n", runDir, start, step);
            TrainConfig saved = st.get().config();
            if (saved != null && !sameExceptEpochs(saved, config)) {
                out.println("warning: the training settings differ from the checkpoint's; continuing with the new ones");
            }
            if (start >= config.epochs()) out.printf("nothing to do: %d of %d epochs done%n", start, config.epochs());
        } else if (parallel.writes()) {
            Files.deleteIfExists(metricsFile);
        }
        if (parallel.writes()) recoverBest();
        parallel.attach(model.module());
        Set<String> skipped = new LinkedHashSet<>(readLines(RunDir.of(runDir).skipped()));

        long stepsPerEpoch = Math.max(1, (train.batchCount() + config.accumulate() - 1) / config.accumulate());
        LrSchedule schedule = new LrSchedule(config.schedule(), config.optimizer().lr(), stepsPerEpoch, config.epochs());

        for (int epoch = start; epoch < config.epochs(); epoch++) {
            long t0 = System.nanoTime();
            TrainTotals t = trainEpoch(train, epoch, schedule, step);
            step = t.step();
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            List<String> skippedNow = new ArrayList<>(t.skipped());
            double valLoss = Double.NaN, valAcc = Double.NaN;
            if (val != null) {
                try (BatchSource.Epoch batches = val.epoch(epoch);
                     Progress bar = progress("val   " + (epoch + 1) + "/" + config.epochs(), val.sampleCount())) {
                    Predictions p = Evaluator.predict(model, batches, config.precision(), bar);
                    ClassificationReport r = ClassificationReport.of(p, classNames(p));
                    valLoss = r.loss();
                    valAcc = r.top1();
                    if (parallel.worldSize() > 1) {                         // shards hold each sample once: exact counts
                        double n = r.samples();
                        double[] g = parallel.sum(n == 0 ? 0 : Math.rint(r.top1() * n), n == 0 ? 0 : r.loss() * n, n);
                        valAcc = g[2] == 0 ? Double.NaN : g[0] / g[2];
                        valLoss = g[2] == 0 ? Double.NaN : g[1] / g[2];
                    }
                    skippedNow.addAll(batches.skipped());
                }
            }
            skipped.addAll(skippedNow);
            double[] tot = parallel.sum(t.lossSum(), t.correct(), t.seen(), skippedNow.size());   // global training totals
            EpochMetrics m = new EpochMetrics(epoch + 1, tot[0] / tot[2], tot[1] / tot[2], valLoss,
                    valAcc, Optimizers.lr(optimizer), (System.nanoTime() - t0) / 1e9, tot[2] / trainSeconds,
                    (int) tot[3]);
            out.println(m.seedLine());
            out.flush();
            history.add(m);
            boolean improved = val == null || Double.isNaN(best) || valAcc > best;
            if (improved) {
                best = valAcc;
                bestEpoch = epoch + 1;
            }
            if (parallel.writes()) {                                        // replicas are equal: rank 0 writes
                MetricsLog.append(metricsFile, m);
                if (improved) writeBest();
                Checkpoint.save(runDir, model.module(), optimizer, new Checkpoint.State(epoch + 1, step, best, bestEpoch, config));
                writeSkipped(skipped);
                try {
                    Charts.trainingCurves(history, RunDir.of(runDir).lossPng(), RunDir.of(runDir).accuracyPng());
                } catch (RuntimeException | IOException e) {
                    out.println("warning: could not draw the plots: " + e.getMessage());
                }
            }
            parallel.barrier("the end of epoch " + (epoch + 1));          // nobody runs ahead of a checkpoint being written
        }
        return new Result(List.copyOf(history), best, bestEpoch, start);
    }

    /** Sums over one training epoch; {@code step} is the optimizer step count after it. */
    private record TrainTotals(double lossSum, long seen, long correct, long step, List<String> skipped) {}

    /** One pass over the training batches, each in its own {@code PointerScope}. */
    private TrainTotals trainEpoch(BatchSource train, int epoch, LrSchedule schedule, long step) throws IOException {
        torch.manual_seed(config.torchSeed(epoch) + 7_919L * parallel.rank());   // rank 0: the one-process seed
        model.module().train(true);
        optimizer.zero_grad(true);
        double lossSum = 0;
        long seen = 0, correct = 0;
        int micro = 0;
        try (BatchSource.Epoch batches = train.epoch(epoch);
             Progress bar = progress("train " + (epoch + 1) + "/" + config.epochs(), train.sampleCount())) {
            java.util.Iterator<LabeledBatch> it = batches.iterator();
            while (it.hasNext()) {
                LabeledBatch b = it.next();
                // gradients are averaged over the ranks only on the micro-step that ends an accumulation
                boolean sync = micro + 1 == config.accumulate() || !it.hasNext();
                try (PointerScope scope = new PointerScope()) {
                    Tensor x = b.inputs(), y = b.labels();                          // x (B, ...), y (B)
                    Tensor logits;
                    parallel.beforeForward(sync);
                    try (Precision.Scope ps = config.precision().enter()) {
                        logits = model.logits(x);                                   // (B, K)
                    }
                    logits = logits.to(ScalarType.Float);
                    CrossEntropyLossOptions ce = new CrossEntropyLossOptions();
                    ce.label_smoothing().put(config.labelSmoothing());
                    Tensor loss = torch.cross_entropy(logits, y, ce);
                    parallel.beforeBackward(sync);
                    (config.accumulate() == 1 ? loss : loss.div(new Scalar((double) config.accumulate()))).backward();
                    lossSum += loss.item_double() * b.size();
                    correct += logits.argmax(new LongOptional(1), false).eq(y).sum().item_long();
                    seen += b.size();
                    if (++micro == config.accumulate()) {
                        optimizerStep(schedule.lrAt(step++));
                        micro = 0;
                    }
                }
                bar.step(b.size());
            }
            if (micro > 0) {                                                        // a last, partial accumulation
                try (PointerScope scope = new PointerScope()) {
                    optimizerStep(schedule.lrAt(step++));
                }
            }
            if (seen == 0) throw new IOException("epoch " + (epoch + 1) + ": no training clip could be loaded");
            return new TrainTotals(lossSum, seen, correct, step, batches.skipped());
        }
    }

    private void optimizerStep(double lr) {
        Optimizers.setLr(optimizer, lr);
        if (config.clipGrad() > 0) torch.clip_grad_norm_(model.module().parameters(), config.clipGrad());
        optimizer.step();
        optimizer.zero_grad(true);
    }

    private void writeBest() throws IOException {
        if (bestWriter == null) return;
        RunDir rd = RunDir.of(runDir);
        Path tmp = rd.bestTmp(), dir = rd.best(), prev = rd.bestPrev();
        AtomicFiles.deleteTree(tmp);
        Files.createDirectories(tmp);
        bestWriter.write(tmp);
        AtomicFiles.replaceDir(tmp, dir, prev);
    }

    /** A kill between the two renames of {@link #writeBest} leaves only {@code best.prev/}: put it back. */
    private void recoverBest() throws IOException {
        RunDir rd = RunDir.of(runDir);
        Path dir = rd.best(), prev = rd.bestPrev();
        if (!Files.exists(dir) && Files.isDirectory(prev)) Files.move(prev, dir, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.deleteTree(rd.bestTmp());
    }

    private static boolean sameExceptEpochs(TrainConfig a, TrainConfig b) {
        return a.optimizer().equals(b.optimizer()) && a.schedule().equals(b.schedule())
                && a.labelSmoothing() == b.labelSmoothing() && a.clipGrad() == b.clipGrad()
                && a.accumulate() == b.accumulate() && a.precision() == b.precision() && a.seed() == b.seed();
    }

    private void writeSkipped(Set<String> skipped) throws IOException {
        Path f = RunDir.of(runDir).skipped();
        if (skipped.isEmpty()) return;
        AtomicFiles.writeString(f, String.join("\n", skipped) + "\n");
    }

    private Progress progress(String task, long total) {
        return progress ? Progress.start(task, total, out) : Progress.none();
    }

    private static List<String> classNames(Predictions p) {
        int k = p.size() == 0 ? 0 : p.probs()[0].length;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < k; i++) names.add(Integer.toString(i));
        return names;
    }

    private static List<String> readLines(Path f) throws IOException {
        return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
    }
}
