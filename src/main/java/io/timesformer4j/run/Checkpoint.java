package io.timesformer4j.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.timesformer4j.model.SafeTensors;
import io.timesformer4j.runtime.AtomicFiles;
import io.timesformer4j.train.TrainConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringTensorDictItem;
import org.bytedeco.pytorch.StringTensorDictItemVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OutputArchive;

/**
 * The resumable state of a run, in {@code RUN/checkpoint/}: {@code model.safetensors} (module parameters
 * and buffers by name), {@code optimizer.pt} (libtorch optimizer state, e.g. Adam moments and step counts) and
 * {@code state.json} (epoch, optimizer step, best accuracy, training config).
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

    /**
     * The JSON part of a checkpoint.
     *
     * @param epoch      number of finished epochs
     * @param step       optimizer steps taken so far
     * @param bestValAcc best validation accuracy so far (NaN if none)
     * @param bestEpoch  epoch (1-based) of {@code bestValAcc}, 0 if none
     * @param config     the training configuration of the run
     */
    public record State(@JsonProperty("epoch") int epoch, @JsonProperty("step") long step,
                        @JsonProperty("best_val_acc") double bestValAcc, @JsonProperty("best_epoch") int bestEpoch,
                        @JsonProperty("config") TrainConfig config) {}

    private Checkpoint() {}

    /** Atomically replaces {@code runDir/checkpoint/} with the given state. */
    public static void save(Path runDir, Module model, Optimizer optimizer, State state) throws IOException {
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
    public static Optional<State> load(Path runDir, Module model, Optimizer optimizer) throws IOException {
        Optional<Path> d = completeDir(runDir);
        if (d.isEmpty()) return Optional.empty();
        State st = readState(d.get());
        try {
            loadStateDict(model, SafeTensors.read(d.get().resolve(MODEL)), d.get().resolve(MODEL));
            InputArchive o = new InputArchive();
            o.load_from(d.get().resolve("optimizer.pt").toString());
            optimizer.load(o);
        } catch (RuntimeException e) {
            throw new IOException(d.get() + ": cannot load checkpoint (different model or optimizer?): "
                    + firstLine(e.getMessage()), e);
        }
        return Optional.of(st);
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
            return Json.MAPPER.readValue(f.toFile(), State.class);
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
