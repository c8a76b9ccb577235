package io.timesformer4j.model;

import io.timesformer4j.runtime.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face model directories ({@code config.json} + {@code model.safetensors} or
 * {@code pytorch_model.bin} + {@code preprocessor_config.json}) and single weight files (official
 * {@code .pyth}, {@code .safetensors}, {@code .bin}) as whole models.
 */
public final class ModelDir {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern BLOCK_INDEX = Pattern.compile("timesformer\\.encoder\\.layer\\.(\\d+)\\..*");

    /** A model read from disk with its config and preprocessing. */
    public record LoadedModel(TimeSformer model, TimesformerConfig config, Preprocessing preprocessing) {}

    private ModelDir() {}

    /**
     * Writes {@code dir/config.json}, {@code dir/model.safetensors} (metadata {@code format=pt}) and
     * {@code dir/preprocessor_config.json}, each atomically. Loading it back gives bit-identical weights.
     */
    public static void save(TimeSformer model, Preprocessing preprocessing, Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Tensor> sd = model.stateDict();
        SafeTensors.write(dir.resolve("model.safetensors"), sd, Map.of("format", "pt"));
        var cfg = model.config().toJson();
        Tensor any = sd.values().iterator().next();
        cfg.put("torch_dtype", any.scalar_type().intern() == org.bytedeco.pytorch.global.torch.ScalarType.Double
                ? "float64" : "float32");
        AtomicFiles.writeString(dir.resolve("config.json"), JSON.writeValueAsString(cfg) + "\n");
        Preprocessing p = preprocessing != null ? preprocessing : Preprocessing.defaults(model.config().imageSize());
        AtomicFiles.writeString(dir.resolve("preprocessor_config.json"), JSON.writeValueAsString(p.toJson()) + "\n");
    }

    /**
     * Writes the encoder of {@code model} (no classifier) as a Hugging Face-style backbone dir: {@code model.safetensors}
     * with every {@code timesformer.*} tensor, {@code config.json} ({@code architectures: TimesformerModel}, no
     * labels) and {@code preprocessor_config.json}. {@code train --init DIR} loads it with a new head.
     */
    public static void saveEncoder(TimeSformer model, Preprocessing preprocessing, Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Tensor> sd = new java.util.LinkedHashMap<>();
        for (var e : model.stateDict().entrySet()) if (e.getKey().startsWith("timesformer.")) sd.put(e.getKey(), e.getValue());
        SafeTensors.write(dir.resolve("model.safetensors"), sd, Map.of("format", "pt"));
        var cfg = model.config().toJson();
        cfg.putArray("architectures").add("TimesformerModel");
        cfg.remove("id2label");
        cfg.remove("label2id");
        AtomicFiles.writeString(dir.resolve("config.json"), JSON.writeValueAsString(cfg) + "\n");
        Preprocessing p = preprocessing != null ? preprocessing : Preprocessing.defaults(model.config().imageSize());
        AtomicFiles.writeString(dir.resolve("preprocessor_config.json"), JSON.writeValueAsString(p.toJson()) + "\n");
    }

    /** Reads {@code config.json} of a model directory (or the one beside a weights file). */
    public static TimesformerConfig readConfig(Path dirOrFile) throws IOException {
        Path cfg = configPath(dirOrFile);
        if (cfg == null) throw new WeightsException(dirOrFile + ": no config.json");
        try {
            return TimesformerConfig.fromJson(JSON.readTree(cfg.toFile()));
        } catch (IllegalArgumentException e) {
            throw new WeightsException(cfg + ": " + e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new WeightsException(cfg + ": not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Loads a model: a Hugging Face directory (which must hold a {@code config.json}), or a weights file.
     * For a file, a {@code config.json} beside it is used if present; otherwise the config is inferred from the tensor shapes (heads =
     * hidden/64, attention type from the presence of temporal / time parameters). Loading is strict.
     */
    public static LoadedModel load(Path path) throws IOException {
        if (!Files.exists(path)) throw new WeightsException(path + ": no such file or directory");
        Map<String, Tensor> sd = StateDicts.toHfNames(StateDicts.read(path));
        Path cfgPath = configPath(path);
        if (cfgPath == null && Files.isDirectory(path))
            throw new WeightsException(path + ": model directory has no config.json (a Hugging Face model dir needs "
                    + "config.json with the shape and id2label next to the weights)");
        TimesformerConfig config = cfgPath != null ? readConfig(path) : inferConfig(sd, path);
        Preprocessing pre = Preprocessing.defaults(config.imageSize());
        Path base = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path pp = base == null ? null : base.resolve("preprocessor_config.json");
        if (pp != null && Files.isRegularFile(pp)) {
            try {
                pre = Preprocessing.fromJson(JSON.readTree(pp.toFile()), config.imageSize());
            } catch (IllegalArgumentException e) {
                throw new WeightsException(pp + ": " + e.getMessage());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new WeightsException(pp + ": not valid JSON: " + e.getOriginalMessage());
            }
        }
        TimeSformer model = new TimeSformer(config);
        Tensor probe = sd.get("classifier.weight");
        if (probe != null && probe.scalar_type().intern() == org.bytedeco.pytorch.global.torch.ScalarType.Double)
            model.to(org.bytedeco.pytorch.global.torch.ScalarType.Double, false);     // float64 weights stay float64
        StateDicts.load(model, sd, true, StateDicts.weightsFile(path).toString());
        model.eval();
        return new LoadedModel(model, config, pre);
    }

    /** The {@code config.json} that {@link #load} would use for {@code path}, or null when there is none. */
    public static Path configFile(Path path) {
        return configPath(path);
    }

    private static Path configPath(Path p) {
        Path dir = Files.isDirectory(p) ? p : p.toAbsolutePath().getParent();
        if (dir == null) return null;
        Path c = dir.resolve("config.json");
        return Files.isRegularFile(c) ? c : null;
    }

    /** A config matching a Hugging Face-named state dict of an official-style model. */
    static TimesformerConfig inferConfig(Map<String, Tensor> sd, Path source) throws WeightsException {
        Tensor pos = require(sd, "timesformer.embeddings.position_embeddings", source);
        Tensor proj = require(sd, "timesformer.embeddings.patch_embeddings.projection.weight", source);
        Tensor head = require(sd, "classifier.weight", source);
        Tensor fc1 = require(sd, "timesformer.encoder.layer.0.intermediate.dense.weight", source);
        Tensor time = sd.get("timesformer.embeddings.time_embeddings");
        for (String k : sd.keySet())
            if (k.startsWith("timesformer.embeddings.patch_embeddings.stem."))
                throw new WeightsException(source + ": has a conv stem ('" + k + "'), whose shape cannot be inferred from "
                        + "the tensors: put the model's config.json beside the file");
        int depth = 0;
        for (String k : sd.keySet()) {
            Matcher m = BLOCK_INDEX.matcher(k);
            if (m.matches()) depth = Math.max(depth, Integer.parseInt(m.group(1)) + 1);
        }
        // a Conv3d tubelet embedding (D, C, k, p, p) or the official Conv2d (D, C, p, p)
        boolean tubelets = proj.dim() == 5;
        int hidden = (int) pos.size(2), patch = (int) proj.size(tubelets ? 3 : 2), tubelet = tubelets ? (int) proj.size(2) : 1;
        int grid = (int) Math.round(Math.sqrt(pos.size(1) - 1));
        AttentionType type = sd.containsKey("timesformer.encoder.layer.0.temporal_dense.weight")
                ? AttentionType.DIVIDED_SPACE_TIME
                : time != null ? AttentionType.JOINT_SPACE_TIME : AttentionType.SPACE_ONLY;
        int heads = Math.max(1, hidden / 64);
        try {
            return TimesformerConfig.of(grid * patch, patch, time == null ? 8 * tubelet : (int) time.size(1) * tubelet, hidden,
                    depth, heads, (int) fc1.size(0), type, TimesformerConfig.defaultLabels((int) head.size(0)))
                    .withTubeletSize(tubelet);
        } catch (IllegalArgumentException e) {
            throw new WeightsException(source + ": cannot infer a model config from the tensor shapes: " + e.getMessage());
        }
    }

    private static Tensor require(Map<String, Tensor> sd, String key, Path source) throws WeightsException {
        Tensor t = sd.get(key);
        if (t == null) throw new WeightsException(source + ": missing tensor '" + key + "' (needed to infer the config; "
                + "put a config.json beside the file)");
        return t;
    }
}
