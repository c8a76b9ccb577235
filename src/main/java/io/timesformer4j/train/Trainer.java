package io.timesformer4j.train;

import io.timesformer4j.eval.Precision;
import io.timesformer4j.data.BadInput;
import io.timesformer4j.eval.ClassificationReport;
import io.timesformer4j.eval.Classifier;
import io.timesformer4j.eval.Evaluator;
import io.timesformer4j.eval.LabeledBatch;
import io.timesformer4j.eval.Predictions;
import io.timesformer4j.eval.Progress;
import io.timesformer4j.model.Autocast;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.CrossEntropyLossOptions;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The epoch loop: train with cross-entropy, validate, and tell the {@link TrainingListener}s. It writes no
 * file and prints nothing itself: console lines, progress bars, metrics, checkpoints, the best model and plots
 * are listeners ({@link ConsoleLog}, {@link ProgressBars}, and the run folder's in {@code run.TrainingRun}).
 *
 * <p>Per epoch {@code e} (0-based; reported 1-based) it re-seeds libtorch's RNG from {@code (seed, e)}, runs
 * every training batch in its own {@code PointerScope} (forward, loss / accumulate, backward; every
 * {@code accumulate} micro-batches: set the scheduled LR on all groups, clip, step), validates, then calls
 * {@link TrainingListener#onEpochEnd} on every listener in order.
 *
 * <p>A resumed fit starts from a {@link Start} (the state a checkpoint restored); since the loaders are
 * deterministic per (seed, epoch) and the RNG is re-seeded per epoch, the result equals an uninterrupted run
 * (bit for bit with the same thread count).
 */
public final class Trainer {
    /** What a finished {@link #fit} returns; {@code stopReason} is null unless a listener stopped it early. */
    public record Result(List<EpochMetrics> history, double bestValAcc, int bestEpoch, int startEpoch, String stopReason) {
        public Result(List<EpochMetrics> history, double bestValAcc, int bestEpoch, int startEpoch) {
            this(history, bestValAcc, bestEpoch, startEpoch, null);
        }
    }

    /**
     * Where a fit begins.
     *
     * @param epoch      finished epochs (the first epoch to run, 0-based)
     * @param step       optimizer steps taken so far
     * @param bestValAcc best validation accuracy so far (NaN if none)
     * @param bestEpoch  its epoch (1-based), 0 if none
     * @param history    the metrics of the finished epochs
     */
    public record Start(int epoch, long step, double bestValAcc, int bestEpoch, List<EpochMetrics> history) {
        public Start {
            history = List.copyOf(history);
        }

        /** A fresh run. */
        public static Start fresh() {
            return new Start(0, 0, Double.NaN, 0, List.of());
        }
    }

    private final Classifier model;
    private final TrainConfig config;
    private final TrainOptimizer optimizer;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private DataParallel parallel = DataParallel.single();

    /** Creates the optimizer for {@code model}'s parameters; nothing happens until {@link #fit}. */
    public Trainer(Classifier model, TrainConfig config) {
        this.model = model;
        this.config = config;
        this.optimizer = Optimizers.create(model.module(), config.optimizer());
    }

    /** Adds listeners, called in the order added. */
    public Trainer listeners(TrainingListener... more) {
        listeners.addAll(List.of(more));
        return this;
    }

    /**
     * Data-parallel training (default: one process). Each rank trains on its own shard of the batches with
     * gradients averaged over the ranks, epoch totals and validation counts are summed over the ranks (so every
     * rank reports the global numbers), and all ranks meet at a barrier after each epoch's listeners (rank 0's
     * write the run folder) so that none runs ahead of a checkpoint being written.
     */
    public Trainer parallel(DataParallel dp) {
        this.parallel = dp;
        return this;
    }

    /** The data-parallel group (one process by default). */
    public DataParallel parallel() {
        return parallel;
    }

    /** The optimizer (for checkpoints, tests and inspection). */
    public TrainOptimizer optimizer() {
        return optimizer;
    }

    /** The model being trained. */
    public Classifier model() {
        return model;
    }

    public TrainConfig config() {
        return config;
    }

    /** A fresh fit of {@code config.epochs()} epochs. */
    public Result fit(BatchSource train, BatchSource val) throws IOException {
        return fit(train, val, Start.fresh(), List.of());
    }

    /**
     * Trains from {@code start} until {@code config.epochs()} or until a listener asks to stop.
     *
     * @param val   validation batches, or null to skip validation (val metrics are then NaN and the
     *              last epoch counts as best)
     * @param extra listeners for this fit only, called after the trainer's own
     */
    public Result fit(BatchSource train, BatchSource val, Start start, List<TrainingListener> extra) throws IOException {
        List<TrainingListener> all = new ArrayList<>(listeners);
        all.addAll(extra);
        try {
            Result r = loop(train, val, start, all);
            for (TrainingListener l : all) l.onTrainEnd(r);
            return r;
        } catch (IOException | RuntimeException | Error e) {
            for (TrainingListener l : all) {
                try {
                    l.onTrainFailed(e);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private Result loop(BatchSource train, BatchSource val, Start start, List<TrainingListener> all) throws IOException {
        long step = start.step();
        double best = start.bestValAcc();
        int bestEpoch = start.bestEpoch();
        List<EpochMetrics> history = new ArrayList<>(start.history());
        parallel.attach(model.module());                                  // replicas = rank 0's, gradient averaging on
        var ts = new TrainingListener.TrainStart(config, start.epoch(), step, train.batchCount(), train.sampleCount(),
                val == null ? 0 : val.sampleCount());
        for (TrainingListener l : all) l.onTrainStart(ts);

        long stepsPerEpoch = Math.max(1, (train.batchCount() + config.accumulate() - 1) / config.accumulate());
        LrSchedule schedule = new LrSchedule(config.schedule(), config.optimizer().lr(), stepsPerEpoch, config.epochs());

        String stopReason = null;
        for (int epoch = start.epoch(); epoch < config.epochs() && stopReason == null; epoch++) {
            for (TrainingListener l : all) l.onEpochStart(epoch);
            long t0 = System.nanoTime();
            TrainTotals t = trainEpoch(train, epoch, schedule, step, all);
            step = t.step();
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            List<BadInput> skippedNow = new ArrayList<>(t.skipped());
            double valLoss = Double.NaN, valAcc = Double.NaN;
            if (val != null) {
                final int e = epoch;
                for (TrainingListener l : all) l.onValidationStart(epoch, val.sampleCount());
                Progress bar = new Progress() {
                    @Override public void step(int clips) { for (TrainingListener l : all) l.onValidationStep(e, clips); }
                    @Override public void close() {}
                };
                try (BatchSource.Epoch batches = val.epoch(epoch)) {
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
                    skippedNow.addAll(batches.warnings());
                }
            }
            long dropped = skippedNow.stream().filter(b -> !b.warning()).count();  // warnings were used
            double[] tot = parallel.sum(t.lossSum(), t.correct(), t.seen(), dropped);   // global training totals
            if (tot[2] == 0) throw noClip(epoch);
            if (parallel.worldSize() > 1) skippedNow = parallel.gatherSkipped(epoch, skippedNow);  // rank 0: every rank's
            EpochMetrics m = new EpochMetrics(epoch + 1, tot[0] / tot[2], tot[1] / tot[2], valLoss,
                    valAcc, optimizer.lr(), (System.nanoTime() - t0) / 1e9, tot[2] / trainSeconds,
                    (int) tot[3], t.loaderWaitSeconds(), trainSeconds);
            history.add(m);
            boolean improved = val == null || Double.isNaN(best) || valAcc > best;
            if (improved) {
                best = valAcc;
                bestEpoch = epoch + 1;
            }
            var stop = new TrainingListener.Stop();
            var end = new TrainingListener.EpochEnd(m, improved, best, bestEpoch, step, List.copyOf(skippedNow),
                    List.copyOf(history), stop);
            for (TrainingListener l : all) l.onEpochEnd(end);
            parallel.barrier("the end of epoch " + (epoch + 1));          // nobody runs ahead of a checkpoint being written
            stopReason = stop.reason();
        }
        return new Result(List.copyOf(history), best, bestEpoch, start.epoch(), stopReason);
    }

    /** Sums over one training epoch; {@code step} is the optimizer step count after it. */
    private record TrainTotals(double lossSum, long seen, long correct, long step, List<BadInput> skipped,
                               double loaderWaitSeconds) {}

    /** An iterator that sums the time its caller spent blocked in {@code hasNext}/{@code next}: the loader wait. */
    private static final class WaitTimed<T> implements java.util.Iterator<T> {
        private final java.util.Iterator<T> in;
        long waitedNanos;

        WaitTimed(java.util.Iterator<T> in) {
            this.in = in;
        }

        @Override
        public boolean hasNext() {
            long t0 = System.nanoTime();
            try {
                return in.hasNext();
            } finally {
                waitedNanos += System.nanoTime() - t0;
            }
        }

        @Override
        public T next() {
            long t0 = System.nanoTime();
            try {
                return in.next();
            } finally {
                waitedNanos += System.nanoTime() - t0;
            }
        }
    }

    /** One pass over the training batches, each in its own {@code PointerScope}. */
    private TrainTotals trainEpoch(BatchSource train, int epoch, LrSchedule schedule, long step,
                                   List<TrainingListener> all) throws IOException {
        torch.manual_seed(config.torchSeed(epoch) + 7_919L * parallel.rank());   // rank 0: the one-process seed
        model.module().train(true);
        optimizer.zeroGrad();
        double lossSum = 0;
        long seen = 0, correct = 0;
        int micro = 0;
        try (BatchSource.Epoch batches = train.epoch(epoch)) {
            WaitTimed<LabeledBatch> it = new WaitTimed<>(batches.iterator());
            while (it.hasNext()) {
                LabeledBatch b = it.next();
                // gradients are averaged over the ranks only on the micro-step that ends an accumulation (DDP.no_sync)
                boolean sync = micro + 1 == config.accumulate() || !it.hasNext();
                // every clip of this rank's batch failed to load (data-parallel only): the rank still takes part
                // in the step with a zero-weighted loss on a placeholder clip, so the Reducer's all-reduce runs on
                // every rank and its zero gradient counts as one of the world-size terms (PyTorch DDP's join())
                boolean placeholder = b.size() == 0;
                try (PointerScope scope = new PointerScope()) {
                    Tensor x = b.inputs(), y = b.labels();                          // x (B, ...), y (B)
                    Tensor logits;
                    parallel.beforeForward(sync);
                    try (Autocast.Scope ps = config.precision().enter()) {
                        logits = model.logits(x);                                   // (B, K)
                    }
                    logits = logits.to(ScalarType.Float);
                    CrossEntropyLossOptions ce = new CrossEntropyLossOptions();
                    ce.label_smoothing().put(config.labelSmoothing());
                    Tensor loss = torch.cross_entropy(logits, y, ce);
                    if (placeholder) loss = loss.mul(new Scalar(0.0));
                    double lossValue = loss.item_double();
                    if (!Double.isFinite(lossValue)) throw diverged(epoch, step, "the loss is " + lossValue);
                    parallel.beforeBackward(sync);
                    (config.accumulate() == 1 ? loss : loss.div(new Scalar((double) config.accumulate()))).backward();
                    double l = lossValue;
                    lossSum += l * b.size();
                    if (!placeholder) correct += logits.argmax(new LongOptional(1), false).eq(y).sum().item_long();
                    seen += b.size();
                    if (++micro == config.accumulate()) {
                        optimizerStep(schedule.lrAt(step), epoch, step);
                        step++;
                        micro = 0;
                    }
                    var se = new TrainingListener.StepEnd(epoch, step, b.size(), l, optimizer.lr());
                    for (TrainingListener li : all) li.onStep(se);
                }
            }
            if (micro > 0) {                                                        // a last, partial accumulation
                try (PointerScope scope = new PointerScope()) {
                    optimizerStep(schedule.lrAt(step), epoch, step);
                    step++;
                }
            }
            if (seen == 0 && parallel.worldSize() == 1) throw noClip(epoch);   // data-parallel: checked over all ranks
            List<BadInput> skipped = new ArrayList<>(batches.skipped());
            skipped.addAll(batches.warnings());
            return new TrainTotals(lossSum, seen, correct, step, skipped, it.waitedNanos / 1e9);
        }
    }

    private static IOException noClip(int epoch) {
        return new IOException("epoch " + (epoch + 1) + ": no training clip could be loaded");
    }

    /** Refuses to step on a non-finite gradient: the parameters (and the last checkpoint) stay as they were. */
    private void optimizerStep(double lr, int epoch, long step) throws IOException {
        var ps = model.module().parameters();
        Tensor finite = null;
        for (long i = 0; i < ps.size(); i++) {
            Tensor g = ps.get(i).grad();
            if (g == null || !g.defined()) continue;
            Tensor f = torch.isfinite(g).all();
            finite = finite == null ? f : finite.logical_and(f);
        }
        if (finite != null && !finite.item_bool()) {
            String name = "";
            var named = model.module().named_parameters(true).items();
            for (long i = 0; i < named.size(); i++) {
                var item = named.get(i);
                Tensor g = new Tensor(item.value()).grad();   // value() points into the item: copy the handle first
                String key = item.key().getString();
                java.lang.ref.Reference.reachabilityFence(item);
                if (g != null && g.defined() && !torch.isfinite(g).all().item_bool()) {
                    name = " of '" + key + "'";
                    break;
                }
            }
            throw diverged(epoch, step, "a gradient" + name + " is NaN or Inf");
        }
        optimizer.setLr(lr);
        if (config.clipGrad() > 0) torch.clip_grad_norm_(model.module().parameters(), config.clipGrad());
        optimizer.step();
        optimizer.zeroGrad();
    }

    /** Thrown the moment training stops making sense; the run folder keeps the last finished epoch's checkpoint. */
    public static final class DivergedException extends IOException {
        DivergedException(String message) {
            super(message);
        }
    }

    private DivergedException diverged(int epoch, long step, String what) {
        return new DivergedException("training stopped in epoch " + (epoch + 1) + " at step " + step + ": " + what + "; "
                + (epoch > 0 ? "the checkpoint of epoch " + epoch + " (the last finished) is kept"
                        : "no epoch finished, so no checkpoint was written")
                + " (lower --lr, or check the data and the initial weights)");
    }

    private static List<String> classNames(Predictions p) {
        int k = p.size() == 0 ? 0 : p.probs()[0].length;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < k; i++) names.add(Integer.toString(i));
        return names;
    }
}
