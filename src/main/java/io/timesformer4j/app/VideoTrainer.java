package io.timesformer4j.app;

import io.timesformer4j.run.RunDir;
import io.timesformer4j.eval.Classifier;
import io.timesformer4j.train.BatchSource;
import io.timesformer4j.train.ClipBatches;
import io.timesformer4j.run.Checkpoint;
import io.timesformer4j.run.RunLock;
import io.timesformer4j.run.RunManifest;
import io.timesformer4j.run.TrainOptions;
import io.timesformer4j.train.Trainer;
import io.timesformer4j.data.BadInput;
import io.timesformer4j.data.ClipSpec;
import io.timesformer4j.data.DatasetLayout;
import io.timesformer4j.data.DatasetOptions;
import io.timesformer4j.data.LabelMap;
import io.timesformer4j.data.Mode;
import io.timesformer4j.data.Sample;
import io.timesformer4j.data.VideoDataset;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.Preprocessing;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.model.TimesformerConfig;
import io.timesformer4j.model.WeightsInit;
import io.timesformer4j.model.StateDicts;
import io.timesformer4j.model.WeightsException;
import io.timesformer4j.runtime.Natives;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import io.timesformer4j.data.DistributedSampler;
import io.timesformer4j.dist.DdpGroup;
import io.timesformer4j.dist.DistEnv;
import io.timesformer4j.runtime.AtomicFiles;
import java.util.Optional;
import io.timesformer4j.run.CheckpointPolicy;
import io.timesformer4j.run.SkippedList;
import io.timesformer4j.run.TrainingRun;
import io.timesformer4j.train.ConsoleLog;
import io.timesformer4j.train.EarlyStopping;
import io.timesformer4j.train.ProgressBars;
import io.timesformer4j.run.TensorBoardLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a TimeSformer on a video dataset: scans and splits the data, builds the preset model (optionally
 * initialised from a checkpoint with a new head), and runs the {@link Trainer} with {@link ClipBatches},
 * writing {@code RUN/best/} as a Hugging Face model dir with the dataset's label map.
 */
public final class VideoTrainer {
    /**
     * How this invocation records the run, besides the saved settings: these may differ between a run and
     * its resumes.
     *
     * @param progress         progress bars / progress lines
     * @param tensorboard      write TensorBoard event files under {@code RUN/tensorboard/}
     * @param earlyStopping    stop when validation accuracy stops improving, or null
     * @param checkpoints      which checkpoints to keep besides the latest
     * @param resumeFrom       with {@code resume}: the checkpoint folder to continue from (a kept one), or null
     *                         for the latest
     */
    public record Session(boolean progress, boolean tensorboard, EarlyStopping earlyStopping, CheckpointPolicy checkpoints,
                          Path resumeFrom) {
        public Session {
            if (checkpoints == null) checkpoints = CheckpointPolicy.LATEST_ONLY;
        }

        public static Session of(boolean progress) {
            return new Session(progress, false, null, CheckpointPolicy.LATEST_ONLY, null);
        }
    }

    private VideoTrainer() {}

    /** Trains a fresh run ({@code resume == false}) or continues {@code runDir}, with or without progress output. */
    public static Trainer.Result run(TrainOptions o, Path runDir, boolean resume, boolean progress, PrintWriter out)
            throws IOException {
        return run(o, runDir, resume, Session.of(progress), out);
    }

    private static boolean sameArchitecture(TimesformerConfig a, TimesformerConfig b) {
        return architecture(a).equals(architecture(b)) && a.hiddenAct().equals(b.hiddenAct()) && a.qkvBias() == b.qkvBias()
                && a.layerNormEps() == b.layerNormEps() && a.numChannels() == b.numChannels();
    }

    /** One line: the shape of a config. */
    static String architecture(TimesformerConfig c) {
        return String.format(Locale.ROOT, "%s, hidden %d, %d layers, %d heads, mlp %d, patch %d, %d frames x %d px",
                c.attentionType().hfName(), c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.intermediateSize(),
                c.patchSize(), c.numFrames(), c.imageSize());
    }

    /** Trains a fresh run ({@code resume == false}) or continues {@code runDir}, in one process. */
    public static Trainer.Result run(TrainOptions o, Path runDir, boolean resume, Session session, PrintWriter out)
            throws IOException {
        return run(o, runDir, resume, session, out, null, Duration.ZERO);
    }

    /**
     * Trains as one rank of the data-parallel job {@code dist} (null: one process). Every rank scans the data and
     * builds the model; rank 0 alone locks and writes the run folder and prints; the others print nothing but
     * their errors. A failed collective (a rank died or is stuck for {@code timeout}) ends with a
     * {@link io.timesformer4j.dist.DistException} naming this rank and the cause.
     */
    public static Trainer.Result run(TrainOptions o, Path runDir, boolean resume, Session session, PrintWriter out,
                                     DistEnv dist, Duration timeout) throws IOException {
        Natives.ensureLoaded();
        if (dist == null) {
            try (RunLock lock = RunLock.acquire(runDir)) {
                return runLocked(o, runDir, resume, session, out, null);
            }
        }
        try (DdpGroup group = DdpGroup.open(dist, timeout)) {
            if (group.rank() != 0) {
                Session quiet = new Session(false, false, session.earlyStopping(), session.checkpoints(), session.resumeFrom());
                return runLocked(o, runDir, resume, quiet, new PrintWriter(PrintWriter.nullWriter()), group);
            }
            try (RunLock lock = RunLock.acquire(runDir)) {
                return runLocked(o, runDir, resume, session, out, group);
            }
        }
    }

    private static Trainer.Result runLocked(TrainOptions o, Path runDir, boolean resume, Session session, PrintWriter out,
                                            DdpGroup group) throws IOException {
        int localWorld = group == null ? 1 : Math.max(1, localWorldSize());
        Natives.setTorchThreads(o.threads() > 0 ? o.threads() : Math.max(1, defaultThreads(o.workers() * localWorld) / localWorld));
        if (!resume) RunDir.of(runDir).refuseExistingRun();
        boolean writes = group == null || group.writes();
        // the one place that finds the checkpoint a resume continues from (TrainingRun loads it)
        Optional<Path> resumeFrom = !resume ? Optional.empty()
                : session.resumeFrom() != null ? Optional.of(session.resumeFrom()) : Checkpoint.latest(runDir);
        int done = resumeFrom.isPresent() ? Checkpoint.peekAt(resumeFrom.get()).epoch() : 0;
        if (o.train().epochs() < done) throw new IllegalArgumentException("--epochs " + o.train().epochs() + " is below the "
                + done + " epochs " + resumeFrom.get() + " already finished");

        DatasetOptions dopt = DatasetOptions.defaults().withLayout(layout(o.layout()));
        VideoDataset ds = VideoDataset.scan(o.data(), dopt);
        LabelMap labels = ds.labels();
        if (labels.size() < 2) throw new IOException(o.data() + ": only one class (" + String.join(", ", labels.names())
                + ") found; a classifier needs at least 2 classes" + problemsHint(ds.problems()));
        List<BadInput> problems = new ArrayList<>(ds.problems());
        List<Sample> train, val;
        if (o.valData() != null) {
            VideoDataset vds = VideoDataset.scan(o.valData(), dopt.withLabels(labels));
            problems.addAll(vds.problems());
            train = ds.samples();
            val = vds.samples();
        } else if (o.valSplit() > 0) {
            VideoDataset.Split s = ds.split(o.valSplit(), o.train().seed());
            train = s.train();
            val = s.val();
        } else {
            train = ds.samples();
            val = List.of();
        }
        if (o.maxClips() > 0 && train.size() > o.maxClips()) train = train.subList(0, o.maxClips());
        if (train.isEmpty()) throw new IOException(o.data() + ": no usable training videos" + problemsHint(problems));
        if (group != null) group.verifySame("options and data", fingerprint(o, train, val));
        TimesformerConfig cfg = Presets.get(o.preset(), labels.names());
        Path initConfig = o.init() == null ? null : ModelDir.configFile(RunDir.weightsPath(o.init()));
        if (initConfig != null) {
            // as from_pretrained: the architecture comes from the checkpoint's config; the preset keeps the recipe's
            // regularisation, the data the classes, --frames/--image-size still apply (embeddings are resized)
            TimesformerConfig from = ModelDir.readConfig(RunDir.weightsPath(o.init())).withLabels(labels.names())
                    .withRegularization(cfg.hiddenDropoutProb(), cfg.attentionProbsDropoutProb(), cfg.dropPathRate());
            if (!sameArchitecture(from, cfg)) {
                out.printf(Locale.ROOT, "model: architecture from %s (%s), not preset '%s'%n", initConfig, architecture(from), o.preset());
            }
            cfg = from;
        }
        if (o.frames() > 0) cfg = cfg.withFrames(o.frames());
        if (o.imageSize() > 0) cfg = cfg.withImageSize(o.imageSize());
        cfg = o.model().apply(cfg);

        torch.manual_seed(o.train().seed());
        TimeSformer model = new TimeSformer(cfg);
        o.model().initialise(model);
        if (o.init() != null && resumeFrom.isEmpty()) {
            StateDicts.LoadReport report;
            // The checkpoint's tensors (and the resized or inflated copies made from them) are freed here, on
            // this thread, once copied into the model, instead of by JavaCPP's deallocator thread at some
            // point during training while backward runs (docs/robustness.md, "native lifetimes").
            try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
                report = WeightsInit.initFrom(model, RunDir.weightsPath(o.init()));
            }
            if (report.loaded().isEmpty() || !report.mismatched().isEmpty()) {
                throw new WeightsException(o.init() + ": does not fit the model (" + architecture(cfg) + "): "
                        + report.loaded().size() + " tensors fit, " + report.mismatched().size() + " have other shapes"
                        + (report.mismatched().isEmpty() ? "" : ", e.g. " + report.mismatched().get(0))
                        + "; pass the --preset it was trained with, or a model dir with its config.json");
            }
            out.println("initialised from " + o.init() + ": " + report.summary());
        }
        // the run folder is created only once the data and model settings are known to work, so a typo in --data,
        // --preset or --init leaves nothing behind that would block the corrected command
        RunDir rd = RunDir.of(runDir);
        if (writes) {
            Files.createDirectories(runDir);
            RunManifest.of(o, new RunManifest.DataSummary(ds.layout().toString().toLowerCase(Locale.ROOT), labels.names(),
                    train.size(), val.size(), problems.size())).since(resume ? RunManifest.readIfPresent(runDir) : null).write(runDir);
            int world = group == null ? 1 : group.worldSize();
            int before = resume ? previousWorldSize(runDir) : world;
            if (before != world) out.printf(Locale.ROOT, "note: %s ran on %d process(es) before, now on %d: the global batch is %d "
                    + "clips per step instead of %d%n", runDir, before, world, o.batchSize() * world, o.batchSize() * before);
            AtomicFiles.writeString(runDir.resolve(DISTRIBUTED_JSON), String.format(Locale.ROOT,
                    "{\n  \"world_size\": %d,\n  \"backend\": \"%s\",\n  \"launcher\": \"%s\",\n  \"global_batch\": %d\n}\n", world,
                    group == null ? "none" : "gloo", group == null ? "none" : group.env().launcher(), o.batchSize() * world));
        }
        Path skippedFile = rd.skipped();
        Preprocessing prep = Preprocessing.defaults(cfg.imageSize());
        ClipSpec spec = ClipSpec.forModel(cfg.numFrames(), cfg.imageSize(), prep.mean(), prep.std());
        if (o.minScale() > 0) spec = spec.withScale(o.minScale(), 1.0);
        long seed = o.train().seed();
        long scanWarnings = problems.stream().filter(BadInput::warning).count();
        out.printf(Locale.ROOT, "data: %s (%s), %d classes, %d train / %d val clips, %d problems%s%s%n", o.data(),
                ds.layout().toString().toLowerCase(Locale.ROOT), labels.size(), train.size(), val.size(), problems.size() - scanWarnings,
                scanWarnings == 0 ? "" : ", " + scanWarnings + " warnings", problems.isEmpty() ? "" : " (see " + skippedFile + ")");
        out.printf(Locale.ROOT, "model: %s, %d frames x %d px, patch %d, tubelet %d%s, %s, input %s, %s pooling, %s init, "
                        + "%,d parameters; %s lr %s, %d epochs, batch %d%s%s%n",
                o.preset(), cfg.numFrames(), cfg.imageSize(), cfg.patchSize(), cfg.tubeletSize(),
                cfg.convStem().isEmpty() ? "" : ", conv stem " + cfg.convStem(), cfg.attentionType().hfName(),
                cfg.inputTransform().jsonName(), cfg.pooling().jsonName(),
                o.model().initScheme() == null ? "official" : o.model().initScheme(),
                cfg.parameterCount(),
                o.train().optimizer().kind().toString().toLowerCase(Locale.ROOT), o.train().optimizer().lr(),
                o.train().epochs(), o.batchSize(), o.train().accumulate() > 1 ? " x " + o.train().accumulate() + " accumulated" : "",
                group == null ? "" : String.format(Locale.ROOT, " per rank x %d ranks (gloo, %s)", group.worldSize(), group.env().launcher()));

        Trainer trainer = new Trainer(Classifier.of(model, model::forward), o.train());
        if (session.progress()) trainer.listeners(new ProgressBars(out));
        if (writes) trainer.listeners(new ConsoleLog(out));
        if (group != null) trainer.parallel(group);
        if (session.earlyStopping() != null) trainer.listeners(session.earlyStopping());
        TensorBoardLog tb = session.tensorboard() && writes ? new TensorBoardLog(rd.tensorboard()) : null;
        if (tb != null) trainer.listeners(tb);
        DistributedSampler shard = group == null ? DistributedSampler.single() : new DistributedSampler(group.rank(), group.worldSize());
        BatchSource trainBatches = new ClipBatches(train, spec, Mode.TRAIN, o.batchSize(), o.workers(), seed, shard);
        BatchSource valBatches = val.isEmpty() ? null : new ClipBatches(val, spec, Mode.VAL, o.batchSize(), o.workers(), seed, shard);
        TrainingRun run = new TrainingRun(rd, trainer).output(out).problems(problems).checkpoints(session.checkpoints())
                .chance(1.0 / labels.size())
                .bestModel(dir -> ModelDir.save(model, prep, dir)).writes(writes);
        Trainer.Result r;
        try {
            r = run.fit(trainBatches, valBatches, resumeFrom);
        } catch (RuntimeException e) {
            if (group == null) throw e;
            throw group.failed("training", e);
        }
        if (tb != null) out.println("tensorboard: " + tb.file());
        out.printf(Locale.ROOT, "best val_acc %.4f at epoch %d; model: %s%n", r.bestValAcc(), r.bestEpoch(), rd.best());
        long skipped = SkippedList.count(skippedFile), warned = SkippedList.warnings(skippedFile);
        if (skipped > 0) out.printf(Locale.ROOT, "%d videos skipped (unreadable or unusable), listed in %s%n", skipped, skippedFile);
        if (warned > 0) out.printf(Locale.ROOT, "%d videos used with a warning (truncated or damaged: trained on what decodes), "
                + "listed in %s%n", warned, skippedFile);
        return r;
    }

    /** {@code RUN/distributed.json}: world size, backend and launcher of the latest start. */
    public static final String DISTRIBUTED_JSON = "distributed.json";

    /** A hash of everything that must be equal on all ranks: the options and the sample lists. */
    static String fingerprint(TrainOptions o, List<Sample> train, List<Sample> val) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(io.timesformer4j.run.Json.MAPPER.writeValueAsBytes(o.withEpochs(1)));
            for (List<Sample> l : List.of(train, val)) {
                for (Sample s : l) md.update((s.path() + "\t" + s.label() + "\n").getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return java.util.HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int previousWorldSize(Path runDir) {
        try {
            Path f = runDir.resolve(DISTRIBUTED_JSON);
            if (!Files.exists(f)) return 1;
            return io.timesformer4j.run.Json.MAPPER.readTree(f.toFile()).path("world_size").asInt(1);
        } catch (IOException e) {
            return 1;
        }
    }

    private static int localWorldSize() {
        String v = System.getenv("LOCAL_WORLD_SIZE");
        try {
            return v == null ? 1 : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /**
     * libtorch threads when none are asked for: the cores left after the decode workers, at least 1.
     * More intra-op threads than free cores makes OpenMP threads wait on each other (see docs/training.md:
     * {@code benchmark model --preset tiny} on 2 shared cores, 177 ms per step with 1 thread, 2145 ms with 2).
     */
    public static int defaultThreads(int workers) {
        return Math.max(1, Runtime.getRuntime().availableProcessors() - workers);
    }

    static DatasetLayout layout(String name) {
        if (name == null || name.isBlank()) return DatasetLayout.AUTO;
        try {
            return DatasetLayout.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown layout '" + name + "' (" + List.of(DatasetLayout.values())
                    .toString().toLowerCase(Locale.ROOT) + ")");
        }
    }

    private static String problemsHint(List<BadInput> problems) {
        return problems.isEmpty() ? "" : " (" + problems.size() + " problems, first: " + ClipBatches.line(problems.get(0)) + ")";
    }
}
