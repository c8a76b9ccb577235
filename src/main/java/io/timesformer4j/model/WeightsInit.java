package io.timesformer4j.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.bytedeco.pytorch.global.torch.cat;

/**
 * Starting weights from another checkpoint, as the official {@code load_pretrained} does: Hugging Face,
 * official TimeSformer or ImageNet ViT (timm names) weights; for divided attention, spatial attention and
 * {@code norm1} copied into the missing temporal ones; position embeddings resized by nearest
 * interpolation over the patch sequence, time embeddings by nearest interpolation over frames; the
 * classifier dropped when the class count differs. Everything else that does not fit is skipped and
 * reported.
 */
public final class WeightsInit {
    private WeightsInit() {}

    /** Reads {@code checkpoint} (any supported format) and copies what fits into {@code model}. */
    public static StateDicts.LoadReport initFrom(TimeSformer model, Path checkpoint) throws WeightsException {
        return initFrom(model, StateDicts.read(checkpoint), checkpoint.toString());
    }

    /** As {@link #initFrom(TimeSformer, Path)} for a state dict already in memory (any naming). */
    public static StateDicts.LoadReport initFrom(TimeSformer model, Map<String, Tensor> stateDict, String source)
            throws WeightsException {
        Map<String, Tensor> sd = new LinkedHashMap<>(StateDicts.toHfNames(stateDict));
        TimesformerConfig c = model.config();
        String p = "timesformer.embeddings.";
        Tensor proj = sd.get(p + "patch_embeddings.projection.weight");
        if (proj != null && proj.dim() == 2)      // linear patch embedding (some ViT exports) -> conv kernel
            sd.put(p + "patch_embeddings.projection.weight",
                    proj.reshape(proj.size(0), c.numChannels(), c.patchSize(), c.patchSize()));
        proj = sd.get(p + "patch_embeddings.projection.weight");
        if (proj != null && proj.dim() == 4 && c.tubeletSize() > 1)   // per-frame kernel -> tubelet kernel: I3D
            // inflation (Carreira & Zisserman 2017), repeated over the k frames and divided by k, so a static clip
            // gives the same embedding as before: (D, C, p, p) -> (D, C, k, p, p)
            sd.put(p + "patch_embeddings.projection.weight", proj.unsqueeze(2)
                    .repeat(new long[] {1, 1, c.tubeletSize(), 1, 1}).div(new org.bytedeco.pytorch.Scalar((double) c.tubeletSize())));
        if (c.attentionType() == AttentionType.DIVIDED_SPACE_TIME) {
            for (int i = 0; i < c.numHiddenLayers(); i++) {
                String l = "timesformer.encoder.layer." + i + ".";
                for (String[] pair : new String[][] {
                        {"attention.attention.qkv", "temporal_attention.attention.qkv"},
                        {"attention.output.dense", "temporal_attention.output.dense"},
                        {"layernorm_before", "temporal_layernorm"}}) {
                    for (String suffix : new String[] {".weight", ".bias"}) {
                        Tensor src = sd.get(l + pair[0] + suffix);
                        if (src != null && !sd.containsKey(l + pair[1] + suffix)) sd.put(l + pair[1] + suffix, src);
                    }
                }
            }
        }
        Tensor pos = sd.get(p + "position_embeddings");
        long tokens = c.numPatches() + 1L;
        if (pos != null && pos.dim() == 3 && pos.size(1) != tokens && pos.size(1) > 1) {
            Tensor other = TimeSformer.resizeNearest1d(pos.narrow(1, 1, pos.size(1) - 1), c.numPatches());
            sd.put(p + "position_embeddings", cat(new TensorVector(pos.narrow(1, 0, 1), other), 1));
        }
        Tensor time = sd.get(p + "time_embeddings");
        if (time != null && time.dim() == 3 && time.size(1) != c.timePositions())
            sd.put(p + "time_embeddings", TimeSformer.resizeNearest1d(time, c.timePositions()));
        Tensor head = sd.get("classifier.weight");
        if (head != null && head.size(0) != c.numLabels()) {
            sd.remove("classifier.weight");
            sd.remove("classifier.bias");
        }
        return StateDicts.load(model, sd, false, source);
    }
}
