package io.timesformer4j.app;

import io.timesformer4j.data.Batch;
import io.timesformer4j.data.ClipLoader;
import io.timesformer4j.data.ClipSpec;
import io.timesformer4j.data.Mode;
import io.timesformer4j.data.Sample;
import io.timesformer4j.data.VideoDataset;
import io.timesformer4j.model.Autocast;
import io.timesformer4j.model.MaskedVideoModel;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.Preprocessing;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.model.TimesformerConfig;
import io.timesformer4j.model.TubeMask;
import io.timesformer4j.runtime.Natives;
import io.timesformer4j.train.BatchSource;
import io.timesformer4j.train.Charts;
import io.timesformer4j.run.Checkpoint;
import io.timesformer4j.run.PretrainMetrics;
import io.timesformer4j.run.PretrainOptions;
import io.timesformer4j.run.RunDir;
import io.timesformer4j.runtime.AtomicFiles;
import io.timesformer4j.train.ClipBatches;
import io.timesformer4j.eval.LabeledBatch;
import io.timesformer4j.train.LrSchedule;
import io.timesformer4j.run.MetricsLog;
import io.timesformer4j.train.FusedAdam;
import io.timesformer4j.train.Optimizers;
import io.timesformer4j.eval.Precision;
import io.timesformer4j.eval.Progress;
import io.timesformer4j.run.RunLock;
import io.timesformer4j.train.TrainConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.StringTensorDictItem;
import org.bytedeco.pytorch.StringTensorDictItemVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code timesformer pretrain}: masked video modelling (VideoMAE) of a TimeSformer encoder on unlabelled videos.
 *
 * <p>Per epoch {@code e}: libtorch's RNG is re-seeded from {@code (seed, e)}, the clips come shuffled and augmented
 * from a {@link ClipBatches} deterministic per {@code (seed, e)}, each clip's tube mask is seeded by
 * {@code (seed, e, clip path relative to the data)} ({@link TubeMask#seed}); each batch is one AdamW step (betas 0.9 / 0.95, decay on
 * weights only) in its own {@code PointerScope} with the scheduled learning rate. After the epoch: the line
 * {@code [e] loss: x, ...}, {@code metrics.jsonl}, the atomic {@code checkpoint/} (train's {@link Checkpoint}),
 * {@code encoder/} (a Hugging Face-style backbone dir for {@code train --init}), {@code loss.png} and
 * {@code reconstructions/epoch_NNN.png} (original / masked / reconstructed frames of the first clips, always the
 * same masks). A resumed run continues after the last checkpoint and equals an uninterrupted one.
 */
public final class Pretrainer {
    /** What a finished run returns. */
    public record Result(List<PretrainMetrics> history, int startEpoch, Path encoder) {}

    private Pretrainer() {}

    /** Pretrains a fresh run ({@code resume == false}) or continues {@code runDir}. */
    public static Result run(PretrainOptions o, Path runDir, boolean resume, boolean progress, PrintWriter out)
            throws IOException {
        try (RunLock lock = RunLock.acquire(runDir)) {
            return runLocked(o, runDir, resume, progress, out);
        }
    }

    /** The encoder's config for the options (preset shape with frames, size and attention overridden). */
    public static TimesformerConfig encoderConfig(PretrainOptions o) {
        TimesformerConfig c = Presets.get(o.preset(), List.of("video"));
        if (o.frames() > 0) c = c.withFrames(o.frames());
        if (o.imageSize() > 0) c = c.withImageSize(o.imageSize());
        c = o.model().apply(c);
        if (c.numFrames() % c.tubeletSize() != 0)
            throw new IllegalArgumentException("--frames " + c.numFrames() + " must be a multiple of --tubelet-size " + c.tubeletSize());
        if (!c.convStem().isEmpty())
            throw new IllegalArgumentException("--conv-stem is not supported by pretrain: the stem's 3x3 convolutions would let "
                    + "visible tokens see the pixels of masked neighbours (pretrain without it; fine-tuning keeps the encoder's shape)");
        return c;
    }

    private static Result runLocked(PretrainOptions o, Path runDir, boolean resume, boolean progress, PrintWriter out)
            throws IOException {
        Natives.ensureLoaded();
        Natives.setTorchThreads(o.threads() > 0 ? o.threads() : VideoTrainer.defaultThreads(o.workers()));
        RunDir rd = RunDir.of(runDir);
        if (!resume) rd.refuseExistingPretrainRun();
        VideoDataset ds = VideoDataset.scanUnlabeled(o.data());
        List<Sample> clips = ds.samples();
        if (o.maxClips() > 0 && clips.size() > o.maxClips()) clips = clips.subList(0, o.maxClips());
        TimesformerConfig cfg = encoderConfig(o);
        TubeMask.maskedCount(cfg.numPatches(), o.maskRatio());                         // validates the ratio
        TrainConfig tc = o.train();

        torch.manual_seed(tc.seed());
        TimeSformer encoder = new TimeSformer(cfg);
        o.model().initialise(encoder);
        Preprocessing prep = Preprocessing.defaults(cfg.imageSize());
        MaskedVideoModel model = new MaskedVideoModel(encoder,
                MaskedVideoModel.DecoderConfig.defaults(cfg, o.decoderWidth(), o.decoderDepth()), prep.mean(), prep.std());
        FusedAdam optimizer = adamW(model, tc.optimizer().lr(), tc.optimizer().weightDecay());

        Files.createDirectories(runDir);
        o.save(runDir);
        Path skippedFile = rd.skipped();
        Set<String> skipped = new LinkedHashSet<>();
        if (resume && Files.exists(skippedFile)) skipped.addAll(Files.readAllLines(skippedFile, StandardCharsets.UTF_8));
        ds.problems().forEach(p -> skipped.add(ClipBatches.line(p)));
        writeSkipped(skippedFile, skipped);

        MaskedVideoModel.DecoderConfig dc = model.decoderConfig();
        int n = cfg.numPatches(), masked = TubeMask.maskedCount(n, o.maskRatio());
        out.printf(Locale.ROOT, "data: %s, %d clips (unlabelled), %d problems%s%n", o.data(), clips.size(), ds.problems().size(),
                ds.problems().isEmpty() ? "" : " (see " + skippedFile + ")");
        out.printf(Locale.ROOT, "model: %s encoder (%s), %d frames x %d px, %,d parameters; decoder %d blocks x %d wide; "
                        + "tube mask %d of %d positions (%.0f %%)%n", o.preset(), cfg.attentionType().hfName(),
                cfg.numFrames(), cfg.imageSize(), cfg.parameterCount() - cfg.hiddenSize() - 1L, dc.depth(), dc.width(),
                masked, n, 100.0 * masked / n);
        out.printf(Locale.ROOT, "adamw lr %s (betas 0.9, 0.95), weight decay %s, %s schedule, %s warm-up epochs, %d epochs, batch %d%n",
                tc.optimizer().lr(), tc.optimizer().weightDecay(), tc.schedule().kind().toString().toLowerCase(Locale.ROOT),
                tc.schedule().warmupEpochs(), tc.epochs(), o.batchSize());

        ClipSpec spec = ClipSpec.forModel(cfg.numFrames(), cfg.imageSize(), prep.mean(), prep.std());
        BatchSource train = new ClipBatches(clips, spec, Mode.TRAIN, o.batchSize(), o.workers(), tc.seed());
        Preview preview = Preview.load(clips, spec, o, n, out);

        Path metricsFile = rd.metrics();
        int start = 0;
        long step = 0;
        List<PretrainMetrics> history = new ArrayList<>();
        Optional<Checkpoint.State> st = resume ? Checkpoint.load(runDir, model, optimizer) : Optional.empty();
        if (st.isPresent()) {
            start = st.get().epoch();
            step = st.get().step();
            history.addAll(MetricsLog.truncateLines(metricsFile, PretrainMetrics.class, PretrainMetrics::epoch, start));
            out.printf("resumed %s after epoch %d (step %d)%n", runDir, start, step);
            if (start >= tc.epochs()) out.printf("nothing to do: %d of %d epochs done%n", start, tc.epochs());
        } else {
            Files.deleteIfExists(metricsFile);
        }
        LrSchedule schedule = new LrSchedule(tc.schedule(), tc.optimizer().lr(), Math.max(1, train.batchCount()), tc.epochs());
        Path encoderDir = rd.encoder();

        for (int epoch = start; epoch < tc.epochs(); epoch++) {
            long t0 = System.nanoTime();
            torch.manual_seed(tc.torchSeed(epoch));
            model.train(true);
            optimizer.zeroGrad();
            double lossSum = 0;
            long seen = 0;
            List<String> skippedNow, warnedNow;
            try (BatchSource.Epoch batches = train.epoch(epoch);
                 Progress bar = progress ? Progress.start("pretrain " + (epoch + 1) + "/" + tc.epochs(), train.sampleCount(), out)
                         : Progress.none()) {
                for (LabeledBatch b : batches) {
                    try (PointerScope scope = new PointerScope()) {
                        Tensor x = b.inputs();                                               // (B, T, C, H, W)
                        TubeMask mask = TubeMask.sample(n, o.maskRatio(), TubeMask.seeds(tc.seed(), epoch, clipIds(o.data(), b.ids())));
                        Tensor loss;
                        try (Autocast.Scope ps = tc.precision().enter()) {
                            loss = model.forward(x, mask).loss();
                        }
                        loss = loss.to(ScalarType.Float);
                        loss.backward();
                        optimizer.setLr(schedule.lrAt(step++));
                        if (tc.clipGrad() > 0) torch.clip_grad_norm_(model.parameters(), tc.clipGrad());
                        optimizer.step();
                        optimizer.zeroGrad();
                        lossSum += loss.item_double() * b.size();
                        seen += b.size();
                    }
                    bar.step(b.size());
                }
                skippedNow = batches.skipped().stream().map(ClipBatches::line).toList();
                warnedNow = batches.warnings().stream().map(ClipBatches::line).toList();   // used: listed, not counted
            }
            if (seen == 0) throw new IOException("epoch " + (epoch + 1) + ": no clip could be loaded from " + o.data());
            double seconds = (System.nanoTime() - t0) / 1e9;
            PretrainMetrics m = new PretrainMetrics(epoch + 1, lossSum / seen, optimizer.lr(), seconds,
                    seen / seconds, skippedNow.size());
            out.println(m.line());
            out.flush();
            history.add(m);
            MetricsLog.appendLine(metricsFile, m);
            Checkpoint.save(runDir, model, optimizer, new Checkpoint.State(epoch + 1, step, Double.NaN, 0));
            writeEncoder(encoder, prep, rd);
            skipped.addAll(skippedNow);
            skipped.addAll(warnedNow);
            writeSkipped(skippedFile, skipped);
            try {
                int[] epochs = history.stream().mapToInt(PretrainMetrics::epoch).toArray();
                double[] losses = history.stream().mapToDouble(PretrainMetrics::loss).toArray();
                Charts.curve("Masked video modelling", "MSE (normalised pixels, masked patches)", "train loss", epochs,
                        losses, rd.lossPng());
                int every = Math.max(1, tc.epochs() / 50);                     // at most ~50 PNGs in a long run
                if (preview != null && ((epoch + 1) % every == 0 || epoch + 1 == tc.epochs()))
                    preview.draw(model, rd.reconstruction(epoch + 1), epoch + 1);
            } catch (RuntimeException | IOException e) {
                out.println("warning: could not draw the plots: " + e.getMessage());
            }
        }
        if (!Files.isDirectory(encoderDir)) writeEncoder(encoder, prep, rd);
        out.printf(Locale.ROOT, "encoder: %s (fine-tune it with: timesformer train --init %s --data DIR ...)%n", encoderDir, runDir);
        return new Result(List.copyOf(history), start, encoderDir);
    }

    /**
     * AdamW over every parameter except the encoder's unused classifier, VideoMAE's betas (0.9, 0.95); weight decay
     * on weights only: biases, norms, CLS token, position/time embeddings and the mask token are not decayed.
     */
    static FusedAdam adamW(MaskedVideoModel model, double lr, double weightDecay) {
        List<Tensor> decay = new ArrayList<>(), noDecay = new ArrayList<>();
        StringTensorDictItemVector items = model.named_parameters(true).items();
        for (long i = 0; i < items.size(); i++) {
            StringTensorDictItem it = items.get(i);
            String name = it.key().getString();
            Tensor p = new Tensor(it.value());
            java.lang.ref.Reference.reachabilityFence(it);
            if (name.startsWith("encoder.classifier.")) continue;
            (Optimizers.isNoDecay(name, p.dim()) || name.endsWith("mask_token") ? noDecay : decay).add(p);
        }
        java.lang.ref.Reference.reachabilityFence(items);
        return FusedAdam.adamW(List.of(new FusedAdam.Group(decay, weightDecay), new FusedAdam.Group(noDecay, 0.0)),
                lr, 0.9, 0.95, 1e-8);
    }

    /** {@code RUN/encoder/}, replaced atomically (a kill leaves the previous or the new one). */
    private static void writeEncoder(TimeSformer encoder, Preprocessing prep, RunDir rd) throws IOException {
        AtomicFiles.deleteTree(rd.encoderTmp());
        if (!Files.exists(rd.encoder()) && Files.isDirectory(rd.encoderPrev())) AtomicFiles.move(rd.encoderPrev(), rd.encoder());
        ModelDir.saveEncoder(encoder, prep, rd.encoderTmp());
        AtomicFiles.replaceDir(rd.encoderTmp(), rd.encoder(), rd.encoderPrev());
    }

    /**
     * The ids the masks are seeded by: each clip's path relative to the dataset folder (or the list file's folder),
     * with '/' separators, so a run's masks do not depend on where the dataset lies.
     */
    static List<String> clipIds(Path data, List<String> paths) {
        Path base = (Files.isDirectory(data) ? data : data.toAbsolutePath().getParent()).toAbsolutePath().normalize();
        List<String> out = new ArrayList<>(paths.size());
        for (String p : paths) {
            Path abs = Path.of(p).toAbsolutePath().normalize();
            out.add((abs.startsWith(base) ? base.relativize(abs) : abs).toString().replace('\\', '/'));
        }
        return out;
    }

    private static void writeSkipped(Path f, Set<String> lines) throws IOException {
        if (!lines.isEmpty()) Files.write(f, lines, StandardCharsets.UTF_8);
    }

    /** The first clips, decoded once (centre crop), shown with fixed masks after every epoch. */
    private record Preview(Batch batch, TubeMask mask) {
        static Preview load(List<Sample> clips, ClipSpec spec, PretrainOptions o, int n, PrintWriter out) {
            int k = Math.min(o.previewClips(), clips.size());
            if (k == 0) return null;
            try (ClipLoader loader = new ClipLoader(clips.subList(0, k), spec, Mode.VAL, k, 1, o.train().seed(), 0)) {
                for (Batch b : loader) {
                    List<String> ids = clipIds(o.data(), b.samples().stream().map(s -> s.path().toString()).toList());
                    return new Preview(b, TubeMask.sample(n, o.maskRatio(), TubeMask.seeds(o.train().seed(), -1, ids)));
                }
            } catch (RuntimeException e) {
                out.println("warning: no reconstruction previews: " + e.getMessage());
            }
            return null;
        }

        void draw(MaskedVideoModel model, Path png, int epoch) throws IOException {
            float[] rec;
            float[] orig;
            try (PointerScope scope = new PointerScope(); InferenceMode im = new InferenceMode()) {
                model.train(false);
                Tensor x = batch.pixelValues();
                orig = floats(model.pixels(x));
                rec = floats(model.reconstruct(x, mask));
            } finally {
                model.train(true);
            }
            boolean[][] masked = new boolean[batch.batch()][];
            for (int i = 0; i < masked.length; i++) masked[i] = mask.isMasked(i);
            ReconstructionPng.write(orig, rec, masked, batch.batch(), batch.frames(), batch.height(), batch.width(),
                    model.encoder().config().patchSize(), "epoch " + epoch, png);
        }

        private static float[] floats(Tensor t) {
            Tensor c = t.contiguous();
            float[] a = new float[(int) c.numel()];
            c.data_ptr_float().get(a);
            return a;
        }
    }
}
