package io.timesformer4j.model;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Initialising from ImageNet ViT weights and from TimeSformer checkpoints of another shape. */
class WeightsInitTest {

    /** A timm-named ViT state dict: dim 64, 2 blocks, patch 8, 6x6 grid (48 px), 7 classes. */
    private static Map<String, Tensor> syntheticVit() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        int d = 64;
        sd.put("cls_token", randn(1, 1, d));
        sd.put("pos_embed", randn(1, 37, d));
        sd.put("patch_embed.proj.weight", randn(d, 3, 8, 8));
        sd.put("patch_embed.proj.bias", randn(d));
        for (int i = 0; i < 2; i++) {
            String b = "blocks." + i + ".";
            sd.put(b + "norm1.weight", randn(d));
            sd.put(b + "norm1.bias", randn(d));
            sd.put(b + "attn.qkv.weight", randn(3 * d, d));
            sd.put(b + "attn.qkv.bias", randn(3 * d));
            sd.put(b + "attn.proj.weight", randn(d, d));
            sd.put(b + "attn.proj.bias", randn(d));
            sd.put(b + "norm2.weight", randn(d));
            sd.put(b + "norm2.bias", randn(d));
            sd.put(b + "mlp.fc1.weight", randn(256, d));
            sd.put(b + "mlp.fc1.bias", randn(256));
            sd.put(b + "mlp.fc2.weight", randn(d, 256));
            sd.put(b + "mlp.fc2.bias", randn(d));
        }
        sd.put("norm.weight", randn(d));
        sd.put("norm.bias", randn(d));
        sd.put("head.weight", randn(7, d));
        sd.put("head.bias", randn(7));
        return sd;
    }

    @Test
    void imagenetVitInitCopiesSpatialIntoTemporalAndResizesPositions(@TempDir Path tmp) throws Exception {
        manual_seed(3);
        Map<String, Tensor> vit = syntheticVit();
        Path file = tmp.resolve("vit.safetensors");
        SafeTensors.write(file, vit, Map.of());
        TimeSformer model = new TimeSformer(Presets.get("tiny", null));      // 4x4 grid, 5 classes
        Tensor headBefore = model.stateDict().get("classifier.weight").clone();
        StateDicts.LoadReport r = WeightsInit.initFrom(model, file);

        Map<String, Tensor> sd = model.stateDict();
        String l = "timesformer.encoder.layer.1.";
        assertTrue(sd.get(l + "temporal_attention.attention.qkv.weight").equal(vit.get("blocks.1.attn.qkv.weight")));
        assertTrue(sd.get(l + "temporal_attention.output.dense.bias").equal(vit.get("blocks.1.attn.proj.bias")));
        assertTrue(sd.get(l + "temporal_layernorm.weight").equal(vit.get("blocks.1.norm1.weight")));
        assertTrue(sd.get(l + "intermediate.dense.weight").equal(vit.get("blocks.1.mlp.fc1.weight")));
        // official rule: 1-D nearest interpolation of the 36 patch positions to 16: index floor(i * 36 / 16)
        Tensor pos = sd.get("timesformer.embeddings.position_embeddings");
        assertTrue(pos.select(1, 0).equal(vit.get("pos_embed").select(1, 0)), "CLS position kept");
        for (int i = 0; i < 16; i++)
            assertTrue(pos.select(1, 1 + i).equal(vit.get("pos_embed").select(1, 1 + (i * 36) / 16)), "position " + i);
        // head dropped (7 vs 5 classes), temporal_fc and time embeddings stay at their init
        assertTrue(sd.get("classifier.weight").equal(headBefore));
        assertTrue(r.missing().contains("classifier.weight"));
        assertTrue(r.missing().contains("timesformer.embeddings.time_embeddings"));
        assertTrue(r.missing().contains("timesformer.encoder.layer.0.temporal_dense.weight"));
        assertTrue(r.unexpected().isEmpty(), r.summary());
    }

    @Test
    void timesformerCheckpointWithOtherFrameCount() throws Exception {
        Path dir = Fixtures.dir("tiny_divided_space_time");
        TimeSformer model = new TimeSformer(Presets.get("tiny", null).withFrames(8));
        StateDicts.LoadReport r = WeightsInit.initFrom(model, dir.resolve("official.pyth"));
        assertTrue(r.missing().isEmpty() && r.unexpected().isEmpty(), r.summary());
        Tensor src = SafeTensors.read(dir.resolve("model.safetensors")).get("timesformer.embeddings.time_embeddings");
        Tensor t = model.stateDict().get("timesformer.embeddings.time_embeddings");
        assertEquals(8, t.size(1));
        for (int i = 0; i < 8; i++) assertTrue(t.select(1, i).equal(src.select(1, i / 2)), "frame " + i);
    }

    /**
     * The model owns what it was initialised with: {@code train --init} frees the checkpoint's tensors in a
     * {@code PointerScope} right after the copy, so a parameter that shared the checkpoint's storage (a
     * {@code set_data} instead of {@code copy_}) would then read freed memory. Here the values survive the scope,
     * a collection, and a forward/backward on the model.
     */
    @Test
    void initialisedWeightsOutliveTheCheckpointTensors(@TempDir Path tmp) throws Exception {
        manual_seed(11);
        TimeSformer source = new TimeSformer(Presets.get("tiny", java.util.List.of("a", "b")));
        Path dir = tmp.resolve("src");
        ModelDir.save(source, Preprocessing.defaults(32), dir);
        Map<String, Tensor> expected = new LinkedHashMap<>();
        for (var e : source.stateDict().entrySet()) expected.put(e.getKey(), e.getValue().clone());
        manual_seed(12);
        TimeSformer model = new TimeSformer(Presets.get("tiny", java.util.List.of("a", "b")));
        StateDicts.LoadReport r;
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            r = WeightsInit.initFrom(model, StateDicts.weightsFile(dir));
        }
        assertEquals(expected.size(), r.loaded().size(), r.summary());
        System.gc();
        Tensor x = randn(2, model.config().numFrames(), 3, 32, 32);
        model.forward(x).sum().backward();
        for (var e : model.stateDict().entrySet()) {
            assertTrue(e.getValue().equal(expected.get(e.getKey())), e.getKey() + " changed after the checkpoint tensors were freed");
            assertTrue(e.getValue().grad().defined(), e.getKey() + " has no gradient");
        }
    }
}
