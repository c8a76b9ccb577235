package io.timesformer4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How clips are turned into {@code pixel_values}: resize so the short side is {@code shortSide}, centre
 * crop {@code cropSize}, scale to [0,1], subtract {@code mean}, divide by {@code std} (per RGB channel).
 * Stored as the Hugging Face {@code preprocessor_config.json} (VideoMAEImageProcessor fields).
 */
public record Preprocessing(float[] mean, float[] std, int shortSide, int cropSize) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Preprocessing {
        if (mean.length != 3 || std.length != 3) throw new IllegalArgumentException("mean and std need 3 values (RGB)");
        mean = mean.clone();
        std = std.clone();
    }

    /** The official TimeSformer normalisation (0.45 / 0.225) with short side = crop size. */
    public static Preprocessing defaults(int cropSize) {
        return new Preprocessing(new float[] {0.45f, 0.45f, 0.45f}, new float[] {0.225f, 0.225f, 0.225f},
                cropSize, cropSize);
    }

    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("crop_size", JSON.createObjectNode().put("height", cropSize).put("width", cropSize));
        o.put("do_center_crop", true);
        o.put("do_normalize", true);
        o.put("do_rescale", true);
        o.put("do_resize", true);
        var m = o.putArray("image_mean");
        for (float v : mean) m.add(v);
        o.put("image_processor_type", "VideoMAEImageProcessor");
        var s = o.putArray("image_std");
        for (float v : std) s.add(v);
        o.put("resample", 2);
        o.put("rescale_factor", 1.0 / 255);
        o.put("size", JSON.createObjectNode().put("shortest_edge", shortSide));
        return o;
    }

    /** Reads {@code preprocessor_config.json}; absent fields fall back to {@link #defaults(int)}. */
    public static Preprocessing fromJson(JsonNode o, int defaultCrop) {
        Preprocessing d = defaults(defaultCrop);
        float[] mean = floats(o.get("image_mean"), d.mean);
        float[] std = floats(o.get("image_std"), d.std);
        JsonNode crop = o.get("crop_size");
        int c = crop == null ? defaultCrop : crop.isInt() ? crop.asInt() : crop.path("height").asInt(defaultCrop);
        JsonNode size = o.get("size");
        int ss = size == null ? c : size.isInt() ? size.asInt() : size.path("shortest_edge").asInt(c);
        return new Preprocessing(mean, std, ss, c);
    }

    private static float[] floats(JsonNode a, float[] dflt) {
        if (a == null) return dflt;
        if (a.isNumber()) return new float[] {a.floatValue(), a.floatValue(), a.floatValue()};
        if (!a.isArray() || a.size() != 3) throw new IllegalArgumentException("image_mean/image_std must be 3 numbers");
        return new float[] {a.get(0).floatValue(), a.get(1).floatValue(), a.get(2).floatValue()};
    }
}
