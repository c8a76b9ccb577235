package io.timesformer4j.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.timesformer4j.runtime.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.timesformer4j.model.SafeTensors;
import io.timesformer4j.runtime.AtomicFiles;
import io.timesformer4j.train.TrainOptimizer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringTensorDictItem;
import org.bytedeco.pytorch.StringTensorDictItemVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.OutputArchive;

/**
 * The resumable state of a run, in {@code RUN/checkpoint/}: {@code model.safetensors} (module parameters
 * and buffers by name), {@code optimizer.pt} (the optimizer state in libtorch's archive layout, e.g. Adam moments and step counts) and
 * {@code state.json} (format version, epoch, optimizer step, best accuracy).
 *
 * <p>Writing is atomic: everything goes to {@code checkpoint.tmp/}, each file and the folder are fsynced,
 * the old {@code checkpoint/} is renamed to {@code checkpoint.prev/}, the new one renamed into place and the
 * old one deleted. A kill at any point leaves either {@code checkpoint/} or {@code checkpoint.prev/}
 * complete; {@link #load} takes whichever is complete ({@code state.json} is written last).
 */
public final class Checkpoint {
    /** Folder names inside the run directory. */
    public static final String DIR = RunDir.CHECKPOINT, TMP = DIR + ".tmp", PREV = DIR + ".prev";
    private static final String MODEL = "model.safetensors";
    private static final String[] FILES = {"state.json", MODEL, "optimizer.pt"};

    /** The state.json layout this code writes (1: before versioning, with a copy of the training config). */
    public static final int FORMAT = 2;

    /**
     * The JSON part of a checkpoint. The training settings are not repeated here: they are the run's
     * ({@code run.json}). A format-1 {@code state.json} carried a {@code config} copy, which is ignored.
     *
     * @param formatVersion  {@link #FORMAT} (0 when read from a format-1 file)
     * @param projectVersion timesformer4j version that wrote it
     * @param gitCommit      its commit when known
     * @param epoch          number of finished epochs
     * @param step           optimizer steps taken so far
     * @param bestValAcc     best validation accuracy so far (NaN if none)
     * @param bestEpoch      epoch (1-based) of {@code bestValAcc}, 0 if none
     */
    @JsonIgnoreProperties({"config"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record State(@JsonProperty("format_version") int formatVersion,
                        @JsonProperty("project_version") String projectVersion,
                        @JsonProperty("git_commit") String gitCommit,
                        @JsonProperty("epoch") int epoch, @JsonProperty("step") long step,
                        @JsonProperty("best_val_acc") double bestValAcc, @JsonProperty("best_epoch") int bestEpoch) {
        /** A state written by this code. */
        public State(int epoch, long step, double bestValAcc, int bestEpoch) {
            this(FORMAT, Version.project(), Version.gitCommit(), epoch, step, bestValAcc, bestEpoch);
        }
    }

    private Checkpoint() {}

    /** Atomically replaces {@code runDir/checkpoint/} with the given state. */
    public static void save(Path runDir, Module model, TrainOptimizer optimizer, State state) throws IOException {
        Path tmp = runDir.resolve(TMP);
        AtomicFiles.deleteTree(tmp);
        Files.createDirectories(tmp);
        SafeTensors.write(tmp.resolve(MODEL), stateDict(model), Map.of("format", "pt"));
        OutputArchive o = new OutputArchive();
        optimizer.save(o);
        o.save_to(tmp.resolve("optimizer.pt").toString());
        Files.write(tmp.resolve("state.json"), Json.pretty().writeValueAsBytes(state));
        for (String f : new String[] {MODEL, "optimizer.pt", "state.json"}) AtomicFiles.fsync(tmp.resolve(f), false);
        AtomicFiles.replaceDir(tmp, runDir.resolve(DIR), runDir.resolve(PREV));
    }

    /** Reads the state of the newest complete checkpoint without loading tensors. */
    public static Optional<State> peek(Path runDir) throws IOException {
        Optional<Path> d = completeDir(runDir);
        if (d.isEmpty()) return Optional.empty();
        return Optional.of(readState(d.get()));
    }

    /**
     * Loads the newest complete checkpoint into {@code model} and {@code optimizer} (which must have the same
     * structure as when it was saved) and returns its state; empty when the run has none.
     */
    public static Optional<State> load(Path runDir, Module model, TrainOptimizer optimizer) throws IOException {
        Optional<Path> d = completeDir(runDir);
        if (d.isEmpty()) return Optional.empty();
        return Optional.of(loadFrom(d.get(), model, optimizer));
    }

    /** The run's newest complete checkpoint folder ({@code checkpoint/}, or {@code checkpoint.prev/} after a torn swap). */
    public static Optional<Path> latest(Path runDir) throws IOException {
        return completeDir(runDir);
    }

    /** Loads the checkpoint folder {@code d} (the latest or a kept one) into the model and optimizer. */
    public static State loadFrom(Path d, Module model, TrainOptimizer optimizer) throws IOException {
        requireComplete(d);
        State st = readState(d);
        try {
            loadStateDict(model, SafeTensors.read(d.resolve(MODEL)), d.resolve(MODEL));
            InputArchive o = new InputArchive();
            o.load_from(d.resolve("optimizer.pt").toString());
            optimizer.load(o);
        } catch (RuntimeException e) {
            throw new IOException(d + ": cannot load checkpoint (different model or optimizer?): "
                    + firstLine(e.getMessage()), e);
        }
        return st;
    }

    /** Reads the state of the checkpoint folder {@code d} without loading tensors. */
    public static State peekAt(Path d) throws IOException {
        requireComplete(d);
        return readState(d);
    }

    /**
     * Copies the run's {@code checkpoint/} to {@code checkpoints/epoch-NNNN/} (through a temp folder) and deletes
     * all but the newest {@code keepLast} kept ones ({@code keepLast} 0 keeps all).
     */
    public static void keep(RunDir run, int epoch, int keepLast) throws IOException {
        Path src = run.checkpoint(), dst = run.keptCheckpoint(epoch);
        Path tmp = dst.resolveSibling(dst.getFileName() + ".tmp");
        AtomicFiles.deleteTree(tmp);
        Files.createDirectories(tmp);
        for (String f : FILES) {
            Files.copy(src.resolve(f), tmp.resolve(f));
            AtomicFiles.fsync(tmp.resolve(f), false);
        }
        AtomicFiles.replaceDir(tmp, dst, dst.resolveSibling(dst.getFileName() + ".prev"));
        if (keepLast > 0) {
            List<Path> all = kept(run);
            for (int i = 0; i < all.size() - keepLast; i++) AtomicFiles.deleteTree(all.get(i));
        }
    }

    /** The kept checkpoint folders of a run, oldest first. */
    public static List<Path> kept(RunDir run) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(run.checkpoints())) return out;
        try (var s = Files.list(run.checkpoints())) {
            s.filter(p -> p.getFileName().toString().matches("epoch-\\d+") && Files.isDirectory(p)).sorted().forEach(out::add);
        }
        return out;
    }

    private static void requireComplete(Path d) throws IOException {
        List<String> missing = new ArrayList<>();
        for (String f : FILES) if (!Files.isRegularFile(d.resolve(f))) missing.add(f);
        if (!Files.isDirectory(d)) throw new IOException(d + ": no such checkpoint folder");
        if (!missing.isEmpty()) throw new IOException(d + ": damaged checkpoint, missing " + String.join(", ", missing)
                + " (move the folder away to start the run over)");
    }

    /** Parameters and buffers by dotted name (views of the live tensors). */
    public static Map<String, Tensor> stateDict(Module model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        StringTensorDictItemVector ps = model.named_parameters(true).items();
        for (long i = 0; i < ps.size(); i++) put(out, ps.get(i));
        StringTensorDictItemVector bs = model.named_buffers(true).items();
        for (long i = 0; i < bs.size(); i++) put(out, bs.get(i));
        java.lang.ref.Reference.reachabilityFence(ps);
        java.lang.ref.Reference.reachabilityFence(bs);
        return out;
    }

    /** An owning handle: {@code value()} points into the item, which JavaCPP frees when the item is collected. */
    private static void put(Map<String, Tensor> out, StringTensorDictItem it) {
        out.put(it.key().getString(), new Tensor(it.value()));
        java.lang.ref.Reference.reachabilityFence(it);
    }

    /** Copies every tensor into the model; the key sets and shapes must match exactly. */
    private static void loadStateDict(Module model, Map<String, Tensor> saved, Path file) throws IOException {
        Map<String, Tensor> live = stateDict(model);
        for (String k : live.keySet()) if (!saved.containsKey(k)) throw new IOException(file + ": missing tensor " + k);
        for (String k : saved.keySet()) if (!live.containsKey(k)) throw new IOException(file + ": unexpected tensor " + k);
        try (NoGradGuard ng = new NoGradGuard()) {
            for (var e : live.entrySet()) {
                Tensor src = saved.get(e.getKey());
                if (!java.util.Arrays.equals(src.sizes().vec().get(), e.getValue().sizes().vec().get())) {
                    throw new IOException(file + ": tensor " + e.getKey() + " has shape "
                            + java.util.Arrays.toString(src.sizes().vec().get()) + ", the model wants "
                            + java.util.Arrays.toString(e.getValue().sizes().vec().get()));
                }
                e.getValue().copy_(src);
            }
        }
    }

    private static Optional<Path> completeDir(Path runDir) throws IOException {
        for (String name : new String[] {DIR, PREV}) {
            Path d = runDir.resolve(name);
            if (Files.isRegularFile(d.resolve("state.json")) && Files.isRegularFile(d.resolve(MODEL))
                    && Files.isRegularFile(d.resolve("optimizer.pt"))) {
                return Optional.of(d);
            }
        }
        // checkpoint/ only ever appears complete (renamed into place), so an incomplete one was damaged by hand
        // or by the disk: starting over would silently throw away the finished epochs
        for (String name : new String[] {DIR, PREV}) {
            Path d = runDir.resolve(name);
            if (!Files.isDirectory(d)) continue;
            List<String> missing = new ArrayList<>();
            for (String f : new String[] {"state.json", MODEL, "optimizer.pt"}) if (!Files.isRegularFile(d.resolve(f))) missing.add(f);
            throw new IOException(d + ": damaged checkpoint, missing " + String.join(", ", missing)
                    + " (move the folder away to start the run over)");
        }
        return Optional.empty();
    }

    private static State readState(Path dir) throws IOException {
        Path f = dir.resolve("state.json");
        try {
            State st = Json.MAPPER.readValue(f.toFile(), State.class);
            if (st.formatVersion() > FORMAT) throw new IOException(f + ": checkpoint format_version " + st.formatVersion()
                    + " was written by a newer timesformer4j (" + st.projectVersion() + "); this is " + Version.project()
                    + ", which reads formats 1 to " + FORMAT);
            return st;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(f + ": damaged checkpoint state (" + firstLine(e.getOriginalMessage()) + ")");
        }
    }

    public static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
