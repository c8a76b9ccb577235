package io.timesformer4j.model;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * State-dict utilities: reading any supported weights file, translating official / timm ViT parameter
 * names to the Hugging Face names this project uses, and copying a state dict into a model with
 * shape checks.
 */
public final class StateDicts {
    /** What a load did: keys copied, model keys not in the file, file keys not in the model, shape clashes. */
    public record LoadReport(List<String> loaded, List<String> missing, List<String> unexpected, List<String> mismatched) {
        public String summary() {
            return loaded.size() + " tensors loaded, " + missing.size() + " missing" + abbreviate(missing) + ", "
                    + unexpected.size() + " unexpected" + abbreviate(unexpected) + ", " + mismatched.size()
                    + " shape mismatches" + abbreviate(mismatched);
        }

        private static String abbreviate(List<String> l) {
            if (l.isEmpty()) return "";
            return " " + (l.size() <= 4 ? l.toString() : l.subList(0, 4) + "...");
        }
    }

    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\.(.+)");
    private static final Map<String, String> BLOCK_NAMES = Map.ofEntries(
            Map.entry("norm1", "layernorm_before"),
            Map.entry("attn.qkv", "attention.attention.qkv"),
            Map.entry("attn.proj", "attention.output.dense"),
            Map.entry("temporal_norm1", "temporal_layernorm"),
            Map.entry("temporal_attn.qkv", "temporal_attention.attention.qkv"),
            Map.entry("temporal_attn.proj", "temporal_attention.output.dense"),
            Map.entry("temporal_fc", "temporal_dense"),
            Map.entry("norm2", "layernorm_after"),
            Map.entry("mlp.fc1", "intermediate.dense"),
            Map.entry("mlp.fc2", "output.dense"));
    private static final Map<String, String> TOP_NAMES = Map.of(
            "cls_token", "timesformer.embeddings.cls_token",
            "pos_embed", "timesformer.embeddings.position_embeddings",
            "time_embed", "timesformer.embeddings.time_embeddings",
            "patch_embed.proj.weight", "timesformer.embeddings.patch_embeddings.projection.weight",
            "patch_embed.proj.bias", "timesformer.embeddings.patch_embeddings.projection.bias",
            "norm.weight", "timesformer.layernorm.weight",
            "norm.bias", "timesformer.layernorm.bias",
            "head.weight", "classifier.weight",
            "head.bias", "classifier.bias");

    private StateDicts() {}

    /**
     * The Hugging Face name of an official TimeSformer / timm ViT parameter name (with or without the
     * {@code model.} or {@code module.} prefix), or {@code null} if it has no counterpart. Names that are
     * already Hugging Face names are returned unchanged.
     */
    public static String toHfName(String name) {
        if (name.startsWith("timesformer.") || name.startsWith("classifier.")) return name;
        String n = name;
        for (String p : new String[] {"module.", "model."}) if (n.startsWith(p)) n = n.substring(p.length());
        String top = TOP_NAMES.get(n);
        if (top != null) return top;
        Matcher m = BLOCK.matcher(n);
        if (m.matches()) {
            String rest = m.group(2);
            int dot = rest.lastIndexOf('.');
            if (dot < 0) return null;
            String mod = BLOCK_NAMES.get(rest.substring(0, dot));
            if (mod == null) return null;
            return "timesformer.encoder.layer." + m.group(1) + "." + mod + rest.substring(dot);
        }
        return null;
    }

    /** Renames a state dict to Hugging Face names; names without counterpart are kept as they are. */
    public static Map<String, Tensor> toHfNames(Map<String, Tensor> sd) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : sd.entrySet()) {
            String hf = toHfName(e.getKey());
            out.put(hf != null ? hf : e.getKey(), e.getValue());
        }
        return out;
    }

    /**
     * Reads a weights file: {@code .safetensors}, or a zip-format {@code torch.save} file
     * ({@code pytorch_model.bin}, official {@code .pyth}, {@code .pth}/{@code .pt}); a directory means its
     * {@code model.safetensors} or {@code pytorch_model.bin}. Keys are as stored.
     */
    public static Map<String, Tensor> read(Path path) throws WeightsException {
        if (Files.isDirectory(path)) {
            Path st = path.resolve("model.safetensors"), bin = path.resolve("pytorch_model.bin");
            if (Files.isRegularFile(st)) return SafeTensors.read(st);
            if (Files.isRegularFile(bin)) return TorchCheckpoint.stateDict(bin);
            throw new WeightsException(path + ": directory has neither model.safetensors nor pytorch_model.bin");
        }
        if (!Files.isRegularFile(path)) throw new WeightsException(path + ": no such file");
        if (path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) return SafeTensors.read(path);
        return TorchCheckpoint.stateDict(path);
    }

    /**
     * Checks a tensor about to become a model parameter: a floating type (F32, or F16/BF16/F64 when every
     * parameter of the file has that same type, as a checkpoint saved in half precision), and finite values.
     *
     * @param floatType the floating type the file's other parameters have, or null for the first
     * @return the tensor's type, for the next call
     */
    static org.bytedeco.pytorch.global.torch.ScalarType checkParameter(String source, String key, Tensor t,
            org.bytedeco.pytorch.global.torch.ScalarType floatType) throws WeightsException {
        var st = t.scalar_type().intern();
        boolean floating = st == org.bytedeco.pytorch.global.torch.ScalarType.Float
                || st == org.bytedeco.pytorch.global.torch.ScalarType.Half
                || st == org.bytedeco.pytorch.global.torch.ScalarType.BFloat16
                || st == org.bytedeco.pytorch.global.torch.ScalarType.Double;
        if (!floating)
            throw new WeightsException(source + ": tensor '" + key + "' has dtype " + st + "; model parameters must be a "
                    + "floating type (F32, F16, BF16, F64), values are not cast");
        if (floatType != null && st != floatType)
            throw new WeightsException(source + ": tensor '" + key + "' has dtype " + st + " but the file's other parameters are "
                    + floatType + " (mixed precisions are not cast)");
        if (t.numel() > 0 && !org.bytedeco.pytorch.global.torch.isfinite(t).all().item_bool()) {
            long bad = t.numel() - org.bytedeco.pytorch.global.torch.isfinite(t).sum().item_long();
            throw new WeightsException(source + ": tensor '" + key + "' holds " + bad + " non-finite value(s) (NaN or Inf) of "
                    + t.numel());
        }
        return st;
    }

    /** The file {@link #read} reads for {@code path}: the path itself, or a directory's weights file. */
    public static Path weightsFile(Path path) {
        if (!Files.isDirectory(path)) return path;
        Path st = path.resolve("model.safetensors");
        return Files.isRegularFile(st) ? st : path.resolve("pytorch_model.bin");
    }

    /**
     * Copies {@code hfStateDict} into {@code model} (values converted to the model's dtype). Every tensor
     * loaded must be a floating type shared by all of them, and finite ({@link #checkParameter}). With
     * {@code strict}, any missing, unexpected or wrongly shaped key is an error naming the key and both
     * shapes; otherwise those keys are skipped and listed in the report.
     */
    public static LoadReport load(TimeSformer model, Map<String, Tensor> hfStateDict, boolean strict, String source)
            throws WeightsException {
        Map<String, Tensor> params = model.stateDict();
        List<String> loaded = new ArrayList<>(), missing = new ArrayList<>(), unexpected = new ArrayList<>(),
                mismatched = new ArrayList<>();
        for (String k : hfStateDict.keySet()) if (!params.containsKey(k)) unexpected.add(k);
        for (var e : params.entrySet()) {
            Tensor src = hfStateDict.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
                continue;
            }
            String ps = TimeSformer.shape(e.getValue()), ss = TimeSformer.shape(src);
            if (!ps.equals(ss)) {
                if (strict) throw new WeightsException(source + ": tensor '" + e.getKey() + "' has shape " + ss
                        + " but the model expects " + ps);
                mismatched.add(e.getKey() + " " + ss + " vs model " + ps);
            }
        }
        if (strict && !missing.isEmpty())
            throw new WeightsException(source + ": missing tensor '" + missing.get(0) + "' (expected shape "
                    + TimeSformer.shape(params.get(missing.get(0))) + ")" + more(missing));
        if (strict && !unexpected.isEmpty())
            throw new WeightsException(source + ": unknown tensor '" + unexpected.get(0) + "' with shape "
                    + TimeSformer.shape(hfStateDict.get(unexpected.get(0))) + more(unexpected));
        try (NoGradGuard g = new NoGradGuard()) {
            org.bytedeco.pytorch.global.torch.ScalarType floatType = null;
            for (var e : params.entrySet()) {
                Tensor src = hfStateDict.get(e.getKey());
                if (src == null || !TimeSformer.shape(e.getValue()).equals(TimeSformer.shape(src))) continue;
                floatType = checkParameter(source, e.getKey(), src, floatType);
            }
            for (var e : params.entrySet()) {
                Tensor src = hfStateDict.get(e.getKey());
                if (src == null || !TimeSformer.shape(e.getValue()).equals(TimeSformer.shape(src))) continue;
                e.getValue().copy_(src);
                loaded.add(e.getKey());
            }
        }
        return new LoadReport(loaded, missing, unexpected, mismatched);
    }

    private static String more(List<String> l) {
        return l.size() > 1 ? " (and " + (l.size() - 1) + " more)" : "";
    }
}
