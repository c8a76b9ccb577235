package io.timesformer4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hostile config.json values: each refused before anything is allocated, naming config.json and the field. */
class ConfigValidationTest {
    private static final Path DIVIDED = Fixtures.dir("tiny_divided_space_time");
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "num_frames|1000000000|num_frames",
        "num_frames|1000000000000|num_frames",
        "num_frames|1e12|num_frames",
        "hidden_size|1000000000|hidden_size",
        "image_size|1000000000|image_size",
        "intermediate_size|10000000000|intermediate_size",
        "num_hidden_layers|1000000000|num_hidden_layers",
        "num_hidden_layers|0|num_hidden_layers",
        "num_frames|-4|num_frames",
        "num_frames|8.5|num_frames",
        "num_frames|\"8\"|num_frames",
        "patch_size|7|patch_size",
        "num_attention_heads|5|num_attention_heads",
        "num_attention_heads|0|num_attention_heads",
        "hidden_size|65536|parameters",
        "image_size|4096|tokens",
        "layer_norm_eps|0|layer_norm_eps",
        "hidden_dropout_prob|1.5|hidden_dropout_prob",
        "qkv_bias|\"yes\"|qkv_bias",
        "hidden_act|5|hidden_act",
        "hidden_act|\"relu\"|hidden_act",
        "attention_type|\"sideways\"|attention_type",
        "id2label|[1,2]|id2label",
        "id2label|{\"0\":\"a\",\"2\":\"b\"}|id2label",
        "id2label|{\"0\":{}}|id2label",
    })
    void hostileFieldIsRefusedNamingConfigJsonAndTheField(String field, String value, String named) throws Exception {
        Path m = Files.createDirectories(dir.resolve("m"));
        ObjectNode cfg = (ObjectNode) JSON.readTree(DIVIDED.resolve("config.json").toFile());
        cfg.set(field, JSON.readTree(value));
        Files.writeString(m.resolve("config.json"), JSON.writeValueAsString(cfg));
        Files.copy(DIVIDED.resolve("model.safetensors"), m.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        WeightsException e = assertThrows(WeightsException.class, () -> ModelDir.load(m));
        String msg = e.getMessage();
        assertTrue(msg.contains("config.json") && msg.contains(named) && !msg.contains("\n"), msg);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"crop_size\": 1000000000}|crop_size",
        "{\"crop_size\": {\"height\": 32.5}}|crop_size.height",
        "{\"size\": {\"shortest_edge\": -4}}|shortest_edge",
        "{\"image_std\": [0, 0.2, 0.2]}|image_std",
        "{\"image_mean\": [\"a\", 0.2, 0.2]}|image_mean",
        "[1, 2]|JSON object",
    })
    void hostilePreprocessorConfigIsRefused(String json, String named) throws Exception {
        Path m = Files.createDirectories(dir.resolve("p"));
        Files.copy(DIVIDED.resolve("config.json"), m.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(DIVIDED.resolve("model.safetensors"), m.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(m.resolve("preprocessor_config.json"), json);
        String msg = assertThrows(WeightsException.class, () -> ModelDir.load(m)).getMessage();
        assertTrue(msg.contains("preprocessor_config.json") && msg.contains(named) && !msg.contains("\n"), msg);
    }

    @Test
    void notJsonIsOneLine() throws Exception {
        Path m = Files.createDirectories(dir.resolve("m"));
        Files.writeString(m.resolve("config.json"), "{\"num_frames\": 8,\n  oops}");
        String msg = assertThrows(WeightsException.class, () -> ModelDir.readConfig(m)).getMessage();
        assertTrue(msg.contains("config.json") && msg.contains("not valid JSON") && !msg.contains("\n"), msg);
    }

    @Test
    void theFixtureConfigStillReads() throws Exception {
        assertEquals(4, ModelDir.readConfig(DIVIDED).numFrames());
    }
}
