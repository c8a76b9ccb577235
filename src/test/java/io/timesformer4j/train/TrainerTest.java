package io.timesformer4j.train;

import io.timesformer4j.eval.Classifier;
import io.timesformer4j.eval.LabeledBatch;
import io.timesformer4j.eval.Precision;
import io.timesformer4j.model.Autocast;
import io.timesformer4j.run.Checkpoint;
import io.timesformer4j.run.MetricsLog;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import io.timesformer4j.run.RunDir;
import io.timesformer4j.run.TrainingRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static int threads;

    @BeforeAll
    static void oneThread() {
        threads = torch.get_num_threads();
        torch.set_num_threads(1);                    // bit-exact comparisons need a fixed thread count
    }

    @AfterAll
    static void restoreThreads() {
        torch.set_num_threads(threads);
    }

    /** Every option that changes the update: AdamW groups, cosine + warm-up, clipping, accumulation, smoothing. */
    private static TrainConfig richConfig(int epochs) {
        return new TrainConfig(epochs, new OptimizerSpec(OptimizerSpec.Kind.ADAMW, 3e-3, 0.05, 0, false),
                new ScheduleSpec(ScheduleSpec.Kind.COSINE, 0.5, List.of(), 0.1, 0), 0.1, 1.0, 2, Precision.FP32, 11);
    }

    private static TinyData.Mlp mlp() {
        torch.manual_seed(1234);
        return new TinyData.Mlp(8, 16, 3);
    }

    /** A NaN loss stops training at once with one clear line; the checkpoint of the last finished epoch stays. */
    @Test
    void nonFiniteLossStopsTrainingAndKeepsTheLastGoodCheckpoint(@TempDir Path run) throws IOException {
        TinyData.Mlp m = mlp();
        TrainConfig one = new TrainConfig(1, new OptimizerSpec(OptimizerSpec.Kind.ADAM, 1e-2, 0, 0, false),
                ScheduleSpec.constant(), 0, 0, 1, Precision.FP32, 3);
        fit(new Trainer(m.classifier(), one), run, quiet(), null, BatchSource.of(TinyData.blobs(16, 3, 8, 4, 1)), null, false);
        byte[] saved = Files.readAllBytes(run.resolve("checkpoint/model.safetensors"));
        List<TinyData.ArrayBatch> poisoned = new ArrayList<>(TinyData.blobs(16, 3, 8, 4, 1));
        TinyData.ArrayBatch b = poisoned.get(2);
        float[] x = b.x().clone();
        x[3] = Float.NaN;
        poisoned.set(2, new TinyData.ArrayBatch(x, b.dim(), b.views(), b.y()));
        TrainConfig three = new TrainConfig(3, one.optimizer(), one.schedule(), 0, 0, 1, Precision.FP32, 3);
        Trainer.DivergedException e = assertThrows(Trainer.DivergedException.class, () ->
                fit(new Trainer(m.classifier(), three), run, quiet(), null, BatchSource.of(poisoned), null, true));
        assertTrue(e.getMessage().contains("epoch 2 at step 6") && e.getMessage().contains("loss is NaN")
                && e.getMessage().contains("checkpoint of epoch 1") && !e.getMessage().contains("\n"), e.getMessage());
        assertEquals(1, Checkpoint.peek(run).orElseThrow().epoch());
        assertArrayEquals(saved, Files.readAllBytes(run.resolve("checkpoint/model.safetensors")));
    }

    @Test
    void learnsBlobsAndWritesTheRunDirectory(@TempDir Path run) throws IOException {
        TinyData.Mlp m = mlp();
        BatchSource train = BatchSource.of(TinyData.blobs(48, 3, 8, 4, 1));
        BatchSource val = BatchSource.of(TinyData.blobs(24, 3, 8, 4, 1, 77));   // same classes, samples not seen in training
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainConfig cfg = new TrainConfig(6, new OptimizerSpec(OptimizerSpec.Kind.ADAM, 1e-2, 0, 0, false),
                ScheduleSpec.constant(), 0, 0, 1, Precision.FP32, 3);
        Trainer.Result r = fit(new Trainer(m.classifier(), cfg), run, new PrintWriter(bytes, true, StandardCharsets.UTF_8),
                dir -> Files.writeString(dir.resolve("marker.txt"), "best"), train, val, false);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\[1] loss: \\d+\\.\\d{4}, val_acc: \\d\\.\\d{4}")), out);
        assertEquals(6, r.history().size());
        assertTrue(r.history().get(5).trainLoss() < r.history().get(0).trainLoss() / 2, out);
        assertTrue(r.bestValAcc() >= 0.9, out);
        List<EpochMetrics> logged = MetricsLog.read(run.resolve("metrics.jsonl"));
        assertEquals(r.history(), logged);
        for (String f : List.of("loss.png", "accuracy.png", "best/marker.txt", "checkpoint/state.json",
                "checkpoint/model.safetensors", "checkpoint/optimizer.pt")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        assertEquals(6, Checkpoint.peek(run).orElseThrow().epoch());
        assertFalse(Files.exists(run.resolve(Checkpoint.TMP)));
    }

    @Test
    void resumeAfterACrashMidEpochEqualsAnUninterruptedRun(@TempDir Path tmp) throws IOException {
        List<TinyData.ArrayBatch> data = TinyData.blobs(40, 3, 8, 4, 5);
        BatchSource val = BatchSource.of(TinyData.blobs(12, 3, 8, 4, 5));

        TinyData.Mlp a = mlp();
        Trainer.Result full = fit(new Trainer(a.classifier(), richConfig(3)), tmp.resolve("a"), quiet(), null,
                BatchSource.of(data), val, false);

        // run b: same start, killed (an exception) in the middle of epoch 2
        TinyData.Mlp b = mlp();
        Path runB = tmp.resolve("b");
        RuntimeException crash = assertThrows(RuntimeException.class, () -> fit(new Trainer(b.classifier(), richConfig(3)),
                runB, quiet(), null, new CrashingSource(data, 1, 5), val, false));
        assertEquals("simulated kill", crash.getMessage());
        assertEquals(1, Checkpoint.peek(runB).orElseThrow().epoch());
        // a kill while the next checkpoint was being written leaves a partial temp folder behind
        Files.createDirectories(runB.resolve(Checkpoint.TMP));
        Files.write(runB.resolve(Checkpoint.TMP).resolve("model.safetensors"), new byte[] {1, 2, 3});

        TinyData.Mlp c = new TinyData.Mlp(8, 16, 3);                 // different init: the checkpoint overwrites it
        Trainer.Result resumed = fit(new Trainer(c.classifier(), richConfig(3)), runB, quiet(), null,
                BatchSource.of(data), val, true);
        assertEquals(1, resumed.startEpoch());
        assertEquals(full.history().size(), resumed.history().size());
        for (int i = 0; i < 3; i++) {
            assertEquals(full.history().get(i).trainLoss(), resumed.history().get(i).trainLoss(), 0.0, "epoch " + (i + 1));
            assertEquals(full.history().get(i).valLoss(), resumed.history().get(i).valLoss(), 0.0);
            assertEquals(full.history().get(i).lr(), resumed.history().get(i).lr(), 0.0);
        }
        assertArrayEquals(weights(a), weights(c));
        assertEquals(3, MetricsLog.read(runB.resolve("metrics.jsonl")).size());
    }

    @Test
    void loadFallsBackToThePreviousCheckpointWhenTheSwapWasInterrupted(@TempDir Path run) throws IOException {
        TinyData.Mlp m = mlp();
        fit(new Trainer(m.classifier(), richConfig(1)), run, quiet(), null, BatchSource.of(TinyData.blobs(8, 3, 8, 4, 2)),
                null, false);
        List<EpochMetrics> logged = MetricsLog.read(run.resolve("metrics.jsonl"));   // no validation: NaN round-trips
        assertEquals(1, logged.size());
        assertTrue(Double.isNaN(logged.get(0).valAcc()));
        // the state between "rename checkpoint -> checkpoint.prev" and "rename tmp -> checkpoint"
        Files.move(run.resolve(Checkpoint.DIR), run.resolve(Checkpoint.PREV));
        TinyData.Mlp fresh = new TinyData.Mlp(8, 16, 3);
        Checkpoint.State st = Checkpoint.load(run, fresh, Optimizers.create(fresh, richConfig(1).optimizer())).orElseThrow();
        assertEquals(1, st.epoch());
        assertArrayEquals(weights(m), weights(fresh));
    }

    @Test
    void adamwLeavesBiasesAndNormsUndecayed() {
        TinyData.Mlp m = mlp();
        var opt = Optimizers.create(m, new OptimizerSpec(OptimizerSpec.Kind.ADAMW, 1e-3, 0.05, 0, false));
        assertArrayEquals(new int[] {2, 2}, opt.groupSizes());   // {fc1.weight, fc2.weight}, {biases}
        assertTrue(Optimizers.isNoDecay("timesformer.embeddings.position_embeddings", 3));
        assertTrue(Optimizers.isNoDecay("timesformer.embeddings.cls_token", 3));
        assertTrue(Optimizers.isNoDecay("timesformer.layernorm.weight", 1));
        assertFalse(Optimizers.isNoDecay("timesformer.encoder.layer.0.attention.attention.qkv.weight", 2));
        assertFalse(Optimizers.isNoDecay("timesformer.embeddings.patch_embeddings.projection.weight", 4));
        assertTrue(Optimizers.isNoDecay("timesformer.embeddings.time_embeddings", 3));
        FusedAdam adamW = (FusedAdam) opt;
        assertArrayEquals(new double[] {0.05, 0.0}, new double[] {adamW.weightDecay(0), adamW.weightDecay(1)}, 0.0);
        assertTrue(adamW.decoupled());
        opt.setLr(0.5);
        assertEquals(0.5, opt.lr());
    }

    /** Two micro-batches of 4 with loss / 2 make the same update as one batch of 8 (no dropout: a single Linear). */
    @Test
    void accumulationEqualsOneLargeBatch(@TempDir Path tmp) throws IOException {
        List<TinyData.ArrayBatch> small = TinyData.blobs(8, 3, 8, 4, 3);
        List<TinyData.ArrayBatch> large = TinyData.blobs(8, 3, 8, 8, 3);
        float[][] result = new float[2][];
        for (int k = 0; k < 2; k++) {
            torch.manual_seed(77);
            org.bytedeco.pytorch.LinearImpl lin = new org.bytedeco.pytorch.LinearImpl(8, 3);
            TrainConfig cfg = new TrainConfig(1, new OptimizerSpec(OptimizerSpec.Kind.SGD, 0.5, 0, 0, false),
                    ScheduleSpec.constant(), 0, 0, k == 0 ? 2 : 1, Precision.FP32, 1);
            new Trainer(Classifier.of(lin, lin::forward), cfg).fit(BatchSource.of(k == 0 ? small : large), null);
            result[k] = flat(lin.parameters());
        }
        assertEquals(result[0].length, result[1].length);
        for (int i = 0; i < result[0].length; i++) assertEquals(result[1][i], result[0][i], 1e-6, "parameter " + i);
        assertFalse(java.util.Arrays.equals(result[0], flatInit()));
    }

    private static float[] flatInit() {
        torch.manual_seed(77);
        return flat(new org.bytedeco.pytorch.LinearImpl(8, 3).parameters());
    }

    /**
     * Issue 10: a data-parallel rank whose clips of a batch all failed to load gets an empty batch and still
     * takes part in that step (the Reducer hooks run, so the all-reduce happens on every rank), with a
     * zero-weighted loss: it adds a zero gradient and no loss, accuracy or clip to the totals. Here (rank 0 of
     * 2, other rank simulated) the weights after [batch, empty batch] equal those after [batch] alone.
     */
    @Test
    void anEmptyBatchOnADataParallelRankTakesPartInTheStepWithAZeroGradient() throws IOException {
        TrainConfig sgd = new TrainConfig(1, new OptimizerSpec(OptimizerSpec.Kind.SGD, 0.5, 0, 0, false),
                ScheduleSpec.constant(), 0, 0, 1, Precision.FP32, 5);
        TinyData.ArrayBatch real = TinyData.blobs(4, 3, 8, 4, 1).get(0);
        LabeledBatch empty = new LabeledBatch() {                       // what ClipBatches makes of an all-failed batch
            @Override public int size() { return 0; }
            @Override public Tensor inputs() { return torch.zeros(1, 8); }
            @Override public Tensor labels() { return Tensor.create(new long[] {0}, 1); }
            @Override public int[] labelArray() { return new int[0]; }
        };
        TinyData.Mlp alone = mlp();
        Trainer.Result r1 = new Trainer(alone.classifier(), sgd).fit(BatchSource.of(List.of(real)), null);

        TinyData.Mlp m = mlp();
        List<String> calls = new ArrayList<>();
        DataParallel twoRanks = new DataParallel() {
            @Override public int rank() { return 0; }
            @Override public int worldSize() { return 2; }
            @Override public void attach(org.bytedeco.pytorch.Module module) {}
            @Override public void beforeForward(boolean sync) { calls.add("forward " + sync); }
            @Override public void beforeBackward(boolean sync) { calls.add("backward " + sync); }
            @Override public double[] sum(double... v) { return v.clone(); }
            @Override public void barrier(String what) {}
        };
        Trainer t = new Trainer(m.classifier(), sgd).parallel(twoRanks);
        Trainer.Result r2 = t.fit(BatchSource.of(List.of(real, empty)), null);

        assertEquals(List.of("forward true", "backward true", "forward true", "backward true"), calls);   // both steps synced
        assertArrayEquals(weights(alone), weights(m), "the empty batch's step moved the weights");
        assertEquals(r1.history().get(0).trainLoss(), r2.history().get(0).trainLoss(), 0.0);   // 4 clips, not 5
        assertEquals(r1.history().get(0).trainAcc(), r2.history().get(0).trainAcc(), 0.0);
    }

    /** bf16 autocast: the forward runs in bfloat16 and the model still learns; autocast is off afterwards. */
    @Test
    void bf16AutocastTrains(@TempDir Path run) throws IOException {
        TinyData.Mlp m = mlp();
        TrainConfig cfg = new TrainConfig(4, new OptimizerSpec(OptimizerSpec.Kind.ADAM, 1e-2, 0, 0, false),
                ScheduleSpec.constant(), 0, 0, 1, Precision.BF16, 3);
        Trainer.Result r = new Trainer(m.classifier(), cfg)
                .fit(BatchSource.of(TinyData.blobs(48, 3, 8, 8, 1)), BatchSource.of(TinyData.blobs(24, 3, 8, 8, 1)));
        assertTrue(r.history().get(3).trainLoss() < r.history().get(0).trainLoss());
        assertTrue(r.bestValAcc() > 0.8, r.history().toString());
        assertFalse(torch.is_autocast_enabled(torch.DeviceType.CPU));
        try (Autocast.Scope s = Precision.BF16.enter()) {
            Tensor y = m.forward(Tensor.create(new float[16], 2, 8));
            assertEquals("BFloat16", y.scalar_type().intern().toString());
        }
    }

    /**
     * The loader-wait counter: a source that sleeps 40 ms before each of its 6 batches makes the epoch record
     * at least 0.24 s of waiting, inside the training pass, and the console prints the bottleneck hint. The
     * same batches from memory wait a small fraction of that.
     */
    @Test
    void loaderWaitIsMeasuredAndASlowLoaderIsNamed() throws IOException {
        List<TinyData.ArrayBatch> data = TinyData.blobs(24, 3, 8, 4, 1);
        BatchSource slow = new BatchSource() {
            @Override public Epoch epoch(int epoch) {
                return () -> new java.util.Iterator<>() {
                    final java.util.Iterator<TinyData.ArrayBatch> it = data.iterator();
                    @Override public boolean hasNext() { return it.hasNext(); }
                    @Override public io.timesformer4j.eval.LabeledBatch next() {
                        try {
                            Thread.sleep(40);
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                        return it.next();
                    }
                };
            }
            @Override public int batchCount() { return data.size(); }
            @Override public int sampleCount() { return 24; }
        };
        TrainConfig cfg = new TrainConfig(1, new OptimizerSpec(OptimizerSpec.Kind.ADAM, 1e-3, 0, 0, false),
                ScheduleSpec.constant(), 0, 0, 1, Precision.FP32, 1);
        java.io.StringWriter console = new java.io.StringWriter();
        EpochMetrics m = new Trainer(mlp().classifier(), cfg).fit(slow, null, Trainer.Start.fresh(),
                List.of(new ConsoleLog(new java.io.PrintWriter(console)))).history().get(0);
        assertEquals(6, data.size());
        assertTrue(m.loaderWaitSeconds() >= 0.24, m.toString());
        assertTrue(m.trainSeconds() >= m.loaderWaitSeconds() && m.seconds() >= m.trainSeconds(), m.toString());
        assertTrue(console.toString().contains("the loader was the bottleneck"), console.toString());

        EpochMetrics fast = new Trainer(mlp().classifier(), cfg).fit(BatchSource.of(data), null).history().get(0);
        assertTrue(fast.loaderWaitSeconds() < 0.24 && fast.loaderWaitSeconds() >= 0, fast.toString());
        assertTrue(fast.trainSeconds() > 0, fast.toString());
    }

    static float[] flat(TensorVector ps) {
        List<Tensor> flat = new ArrayList<>();
        for (long i = 0; i < ps.size(); i++) flat.add(ps.get(i).detach().reshape(-1));
        Tensor all = torch.cat(new TensorVector(flat.toArray(new Tensor[0]))).contiguous();
        float[] out = new float[(int) all.numel()];
        all.data_ptr_float().get(out);
        return out;
    }

    private static PrintWriter quiet() {
        return new PrintWriter(PrintWriter.nullWriter());
    }

    /** A fit recorded in a run folder, with the per-epoch console line, as {@code VideoTrainer} sets it up. */
    static Trainer.Result fit(Trainer t, Path run, PrintWriter out, TrainingRun.ModelWriter best, BatchSource train,
                              BatchSource val, boolean resume) throws IOException {
        t.listeners(new ConsoleLog(out));
        return new TrainingRun(RunDir.of(run), t).output(out).bestModel(best).fit(train, val, resume);
    }

    static float[] weights(TinyData.Mlp m) {
        return flat(m.parameters());
    }

    /** Delivers the batches, but throws after {@code afterBatches} batches of epoch {@code crashEpoch}. */
    private record CrashingSource(List<TinyData.ArrayBatch> batches, int crashEpoch, int afterBatches) implements BatchSource {
        @Override public Epoch epoch(int epoch) {
            return () -> new Iterator<>() {
                int i;
                @Override public boolean hasNext() { return i < batches.size(); }
                @Override public LabeledBatch next() {
                    if (epoch == crashEpoch && i == afterBatches) throw new RuntimeException("simulated kill");
                    return batches.get(i++);
                }
            };
        }
        @Override public int batchCount() { return batches.size(); }
        @Override public int sampleCount() { return batches.stream().mapToInt(LabeledBatch::size).sum(); }
    }
}
