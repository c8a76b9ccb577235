package io.timesformer4j.model;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading and writing weights: official .pyth, pytorch_model.bin, safetensors, HF dirs; bad files. */
class WeightFormatsTest {
    private static final Path DIVIDED = Fixtures.dir("tiny_divided_space_time");

    private static void assertSameWeights(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertEquals(new java.util.TreeSet<>(a.keySet()), new java.util.TreeSet<>(b.keySet()));
        for (String k : a.keySet()) assertTrue(a.get(k).equal(b.get(k)), "tensor " + k + " differs");
    }

    @Test
    void officialPythHasTheSameWeightsAsTheSafetensors() throws Exception {
        Map<String, Tensor> st = SafeTensors.read(DIVIDED.resolve("model.safetensors"));
        Map<String, Tensor> pyth = TorchCheckpoint.stateDict(DIVIDED.resolve("official.pyth"));
        assertTrue(pyth.keySet().iterator().next().startsWith("model."), "official names keep the model. prefix");
        assertSameWeights(st, StateDicts.toHfNames(pyth));
        Object root = TorchCheckpoint.read(DIVIDED.resolve("official.pyth"));
        assertEquals(1L, ((Map<?, ?>) root).get("epoch"));
        // ModelDir.load on the .pyth uses the config.json beside it
        ModelDir.LoadedModel m = ModelDir.load(DIVIDED.resolve("official.pyth"));
        assertSameWeights(st, m.model().stateDict());
    }

    @Test
    void pythWithoutConfigInfersTheShape(@TempDir Path tmp) throws Exception {
        Path pyth = Files.copy(DIVIDED.resolve("official.pyth"), tmp.resolve("TimeSformer_divST_tiny.pyth"));
        TimesformerConfig c = ModelDir.load(pyth).config();
        assertEquals(AttentionType.DIVIDED_SPACE_TIME, c.attentionType());
        assertEquals(List.of(32, 8, 4, 64, 2, 256, 5), List.of(c.imageSize(), c.patchSize(), c.numFrames(),
                c.hiddenSize(), c.numHiddenLayers(), c.intermediateSize(), c.numLabels()));
    }

    @Test
    void pytorchModelBinOrderedDictLoadsAsModelDir(@TempDir Path tmp) throws Exception {
        Map<String, Tensor> st = SafeTensors.read(DIVIDED.resolve("model.safetensors"));
        Files.copy(DIVIDED.resolve("config.json"), tmp.resolve("config.json"));
        TorchZipWriter.write(tmp.resolve("pytorch_model.bin"), st, false);
        ModelDir.LoadedModel m = ModelDir.load(tmp);
        assertSameWeights(st, m.model().stateDict());
        // wrapped like an official checkpoint: {'model_state': OrderedDict, 'epoch': 1}
        TorchZipWriter.write(tmp.resolve("wrapped.pth"), st, true);
        assertSameWeights(st, TorchCheckpoint.stateDict(tmp.resolve("wrapped.pth")));
    }

    @Test
    void refusesPickleGlobalsOutsideTheWhitelist(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("evil.bin");
        TorchZipWriter.writeMalicious(bad);
        WeightsException e = assertThrows(WeightsException.class, () -> TorchCheckpoint.read(bad));
        assertTrue(e.getMessage().contains("os.system") && e.getMessage().contains("offset"), e.getMessage());
    }

    @Test
    void truncatedCheckpointsGiveClearErrors(@TempDir Path tmp) throws Exception {
        byte[] all = Files.readAllBytes(DIVIDED.resolve("official.pyth"));
        Path cut = tmp.resolve("cut.pyth");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        WeightsException e = assertThrows(WeightsException.class, () -> TorchCheckpoint.read(cut));
        assertTrue(e.getMessage().contains("cut.pyth"), e.getMessage());

        byte[] st = Files.readAllBytes(DIVIDED.resolve("model.safetensors"));
        Path cutSt = tmp.resolve("cut.safetensors");
        Files.write(cutSt, java.util.Arrays.copyOf(st, st.length - 100));
        e = assertThrows(WeightsException.class, () -> SafeTensors.read(cutSt));
        assertTrue(e.getMessage().contains("data_offsets") && e.getMessage().contains("outside"), e.getMessage());
    }

    @Test
    void badSafetensorsHeadersAreRejected(@TempDir Path tmp) throws Exception {
        Path huge = tmp.resolve("huge.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE - 3).array());
        WeightsException e = assertThrows(WeightsException.class, () -> SafeTensors.read(huge));
        assertTrue(e.getMessage().contains("header length") && e.getMessage().contains("offset 0"), e.getMessage());

        assertTrue(header(tmp, "{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8)
                .contains("unknown dtype 'Q7'"));
        assertTrue(header(tmp, "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8)
                .contains("'a'"));
        assertTrue(header(tmp, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12).contains("overlaps"));
        assertTrue(header(tmp, "{not json", 0).contains("not valid JSON"));
    }

    private static String header(Path tmp, String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = tmp.resolve("h" + json.hashCode() + ".safetensors");
        Files.write(f, b.array());
        return assertThrows(WeightsException.class, () -> SafeTensors.read(f)).getMessage();
    }

    @Test
    void modelDirWithoutConfigJsonIsRefusedNotGuessed(@TempDir Path tmp) throws Exception {
        // A Hugging Face dir that lost its config.json: guessing heads = hidden/64 and LABEL_n names would give
        // silently wrong predictions (the tiny preset has 4 heads of 16), so the dir is refused with the reason.
        Files.copy(DIVIDED.resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        WeightsException e = assertThrows(WeightsException.class, () -> ModelDir.load(tmp));
        assertTrue(e.getMessage().contains(tmp.toString()) && e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void wrongShapesAndUnknownKeysNameTheKey(@TempDir Path tmp) throws Exception {
        Map<String, Tensor> sd = new LinkedHashMap<>(SafeTensors.read(DIVIDED.resolve("model.safetensors")));
        Files.copy(DIVIDED.resolve("config.json"), tmp.resolve("config.json"));
        sd.put("classifier.weight", sd.get("classifier.weight").narrow(0, 0, 3));
        SafeTensors.write(tmp.resolve("model.safetensors"), sd, Map.of("format", "pt"));
        WeightsException e = assertThrows(WeightsException.class, () -> ModelDir.load(tmp));
        assertTrue(e.getMessage().contains("classifier.weight") && e.getMessage().contains("(3, 64)")
                && e.getMessage().contains("(5, 64)"), e.getMessage());

        sd = new LinkedHashMap<>(SafeTensors.read(DIVIDED.resolve("model.safetensors")));
        sd.put("timesformer.extra.weight", sd.get("classifier.bias"));
        SafeTensors.write(tmp.resolve("model.safetensors"), sd, Map.of());
        e = assertThrows(WeightsException.class, () -> ModelDir.load(tmp));
        assertTrue(e.getMessage().contains("timesformer.extra.weight"), e.getMessage());
    }

    @Test
    void savedModelDirLoadsBackBitExact(@TempDir Path tmp) throws Exception {
        manual_seed(7);
        TimesformerConfig c = Presets.get("tiny", List.of("left", "right", "up"));
        TimeSformer model = new TimeSformer(c);
        Preprocessing pre = new Preprocessing(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.25f, 0.3f}, 40, 32);
        Path dir = tmp.resolve("out");
        ModelDir.save(model, pre, dir);
        try (var files = Files.list(dir)) {
            assertEquals(List.of("config.json", "model.safetensors", "preprocessor_config.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temp files left behind");
        }
        ModelDir.LoadedModel back = ModelDir.load(dir);
        assertEquals(c, back.config());
        assertEquals(List.of("left", "right", "up"), back.config().labels());
        assertSameWeights(model.stateDict(), back.model().stateDict());
        assertEquals(40, back.preprocessing().shortSide());
        assertEquals(0.4f, back.preprocessing().mean()[1]);
        SafeTensors.Contents contents = SafeTensors.readContents(dir.resolve("model.safetensors"));
        assertEquals("pt", contents.metadata().get("format"));
        String cfg = Files.readString(dir.resolve("config.json"));
        assertTrue(cfg.contains("\"model_type\" : \"timesformer\"") && cfg.contains("\"label2id\""), cfg);
        // overwriting an existing dir replaces files atomically
        ModelDir.save(back.model(), pre, dir);
        assertSameWeights(model.stateDict(), ModelDir.load(dir).model().stateDict());
        // float64 models round-trip in float64
        model.to(org.bytedeco.pytorch.global.torch.ScalarType.Double, false);
        ModelDir.save(model, pre, tmp.resolve("f64"));
        ModelDir.LoadedModel f64 = ModelDir.load(tmp.resolve("f64"));
        assertEquals("Double", f64.model().stateDict().get("classifier.weight").scalar_type().intern().toString());
        assertSameWeights(model.stateDict(), f64.model().stateDict());
    }
}
