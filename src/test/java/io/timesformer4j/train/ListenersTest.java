package io.timesformer4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.eval.Precision;
import io.timesformer4j.run.Checkpoint;
import io.timesformer4j.run.CheckpointPolicy;
import io.timesformer4j.run.MetricsLog;
import io.timesformer4j.run.RunDir;
import io.timesformer4j.run.TrainingRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop's callbacks, early stopping and the checkpoint policy, on the tiny MLP. */
class ListenersTest {
    private static int threads;

    @BeforeAll
    static void oneThread() {
        threads = torch.get_num_threads();
        torch.set_num_threads(1);
    }

    @AfterAll
    static void restoreThreads() {
        torch.set_num_threads(threads);
    }

    private static TrainConfig config(int epochs) {
        return new TrainConfig(epochs, new OptimizerSpec(OptimizerSpec.Kind.ADAM, 1e-2, 0, 0, false),
                ScheduleSpec.constant(), 0, 0, 2, Precision.FP32, 3);
    }

    private static TinyData.Mlp mlp() {
        torch.manual_seed(1234);
        return new TinyData.Mlp(8, 16, 3);
    }

    /** Records every callback as a line. */
    static final class Recorder implements TrainingListener {
        final List<String> calls = new ArrayList<>();
        @Override public void onTrainStart(TrainStart s) { calls.add("start " + s.startEpoch() + " " + s.trainClips() + " " + s.valClips()); }
        @Override public void onEpochStart(int epoch) { calls.add("epoch " + epoch); }
        @Override public void onStep(StepEnd s) { calls.add("step " + s.epoch() + " " + s.step() + " " + s.clips()); }
        @Override public void onValidationStart(int epoch, long clips) { calls.add("val " + epoch + " " + clips); }
        @Override public void onValidationStep(int epoch, int clips) { calls.add("valstep " + clips); }
        @Override public void onEpochEnd(EpochEnd e) { calls.add("end " + e.metrics().epoch() + " " + e.step()); }
        @Override public void onTrainEnd(Trainer.Result r) { calls.add("done " + r.history().size()); }
    }

    /** 3 batches of 4 with accumulate 2: steps 1, then 2 after the partial accumulation; 2 val batches of 4. */
    @Test
    void callbacksComeInLoopOrder() throws IOException {
        Recorder rec = new Recorder();
        new Trainer(mlp().classifier(), config(2)).listeners(rec)
                .fit(BatchSource.of(TinyData.blobs(12, 3, 8, 4, 1)), BatchSource.of(TinyData.blobs(8, 3, 8, 4, 1)));
        assertEquals(List.of("start 0 12 8",
                "epoch 0", "step 0 0 4", "step 0 1 4", "step 0 1 4", "val 0 8", "valstep 4", "valstep 4", "end 1 2",
                "epoch 1", "step 1 2 4", "step 1 3 4", "step 1 3 4", "val 1 8", "valstep 4", "valstep 4", "end 2 4",
                "done 2"), rec.calls);
    }

    private static EpochMetrics m(int epoch, double trainLoss, double valAcc) {
        return new EpochMetrics(epoch, trainLoss, 0.5, Double.NaN, valAcc, 1e-3, 1, 10, 0);
    }

    private static String decide(EarlyStopping es, List<EpochMetrics> h) {
        var stop = new TrainingListener.Stop();
        es.onEpochEnd(new TrainingListener.EpochEnd(h.get(h.size() - 1), false, 0, 0, 0, List.of(), h, stop));
        return stop.reason();
    }

    @Test
    void earlyStoppingCountsEpochsWithoutAnImprovementAboveMinDelta() {
        EarlyStopping es = new EarlyStopping(2, 0.01);
        assertNull(decide(es, List.of(m(1, 1, 0.5), m(2, 1, 0.6))));
        assertNull(decide(es, List.of(m(1, 1, 0.5), m(2, 1, 0.6), m(3, 1, 0.605))));           // +0.005: not an improvement
        String r = decide(es, List.of(m(1, 1, 0.5), m(2, 1, 0.6), m(3, 1, 0.605), m(4, 1, 0.59)));
        assertTrue(r != null && r.contains("val_acc") && r.contains("epoch 2") && r.contains("2 epochs"), r);
        // without validation: the training loss, lower is better
        assertNull(decide(new EarlyStopping(1, 0), List.of(m(1, 1.0, Double.NaN), m(2, 0.9, Double.NaN))));
        String t = decide(new EarlyStopping(1, 0), List.of(m(1, 1.0, Double.NaN), m(2, 1.0, Double.NaN)));
        assertTrue(t != null && t.contains("train_loss"), t);
    }

    /** A patience the run must hit: it stops, logs the stop, and the run folder holds only the epochs it ran. */
    @Test
    void earlyStoppingEndsTheFitAfterTheEpochThatTriggeredIt(@TempDir Path run) throws IOException {
        // lr 1e-12: nothing improves after epoch 1, so patience 2 stops after epoch 3 of 10
        TrainConfig frozen = new TrainConfig(10, new OptimizerSpec(OptimizerSpec.Kind.SGD, 1e-12, 0, 0, false),
                ScheduleSpec.constant(), 0, 0, 1, Precision.FP32, 3);
        java.io.StringWriter log = new java.io.StringWriter();
        Trainer t = new Trainer(mlp().classifier(), frozen).listeners(new ConsoleLog(new PrintWriter(log, true)),
                new EarlyStopping(2, 0));
        Trainer.Result r = new TrainingRun(RunDir.of(run), t).plots(false)
                .fit(BatchSource.of(TinyData.blobs(12, 3, 8, 4, 1)), BatchSource.of(TinyData.blobs(8, 3, 8, 4, 1)), false);
        assertEquals(3, r.history().size());
        assertTrue(r.stopReason().startsWith("early stopping: val_acc"), r.stopReason());
        assertTrue(log.toString().contains("stopped after epoch 3: early stopping"), log.toString());
        assertEquals(3, MetricsLog.read(RunDir.of(run).metrics()).size());
        assertEquals(3, Checkpoint.peek(run).orElseThrow().epoch());
    }

    /** --save-every 2 --keep-last 2 over 6 epochs keeps epochs 4 and 6; resuming from epoch 4 redoes 5 and 6 exactly. */
    @Test
    void keptCheckpointsFollowThePolicyAndResumeFromAnyOfThem(@TempDir Path tmp) throws IOException {
        List<TinyData.ArrayBatch> data = TinyData.blobs(16, 3, 8, 4, 2);
        BatchSource val = BatchSource.of(TinyData.blobs(8, 3, 8, 4, 2));
        TinyData.Mlp a = mlp();
        RunDir run = RunDir.of(tmp.resolve("run"));
        Trainer.Result full = new TrainingRun(run, new Trainer(a.classifier(), config(6))).plots(false)
                .checkpoints(new CheckpointPolicy(2, 2)).fit(BatchSource.of(data), val, false);
        assertEquals(List.of(run.keptCheckpoint(4), run.keptCheckpoint(6)), Checkpoint.kept(run));
        assertFalse(Files.exists(run.keptCheckpoint(2)));
        assertEquals(4, Checkpoint.peekAt(run.keptCheckpoint(4)).epoch());

        // resume the same run folder from the kept epoch 4 with a fresh model: epochs 5 and 6 again, same numbers
        TinyData.Mlp b = new TinyData.Mlp(8, 16, 3);
        Trainer.Result again = new TrainingRun(run, new Trainer(b.classifier(), config(6))).plots(false)
                .fit(BatchSource.of(data), val, java.util.Optional.of(run.keptCheckpoint(4)));
        assertEquals(4, again.startEpoch());
        assertEquals(full.history().stream().map(ListenersTest::noTime).toList(),
                again.history().stream().map(ListenersTest::noTime).toList());
        assertArrayEquals(TrainerTest.weights(a), TrainerTest.weights(b));
        assertEquals(6, MetricsLog.read(run.metrics()).size());
    }

    /** Metrics without the wall-clock fields. */
    private static List<Double> noTime(EpochMetrics m) {
        return List.of((double) m.epoch(), m.trainLoss(), m.trainAcc(), m.valLoss(), m.valAcc(), m.lr());
    }
}
