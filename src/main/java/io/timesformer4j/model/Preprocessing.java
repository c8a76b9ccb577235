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
        for (int i = 0; i < 3; i++) {
            if (!Float.isFinite(mean[i])) throw new IllegalArgumentException("image_mean " + mean[i] + " is not finite");
            if (!(std[i] > 0) || !Float.isFinite(std[i])) throw new IllegalArgumentException("image_std " + std[i] + " must be > 0 and finite");
        }
        if (cropSize < 1 || cropSize > 8192) throw new IllegalArgumentException("crop_size " + cropSize + " is not in [1, 8192]");
        if (shortSide < cropSize || shortSide > 8192)
            throw new IllegalArgumentException("size.shortest_edge " + shortSide + " is not in [crop_size " + cropSize + ", 8192]");
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
        if (o == null || !o.isObject()) throw new IllegalArgumentException("not a JSON object");
        JsonNode crop = o.get("crop_size");
        int c = crop == null || crop.isNull() ? defaultCrop : crop.isNumber() ? integer(crop, "crop_size")
                : integer(crop.get("height"), "crop_size.height", defaultCrop);
        JsonNode size = o.get("size");
        int ss = size == null || size.isNull() ? c : size.isNumber() ? integer(size, "size")
                : integer(size.get("shortest_edge"), "size.shortest_edge", c);
        return new Preprocessing(mean, std, ss, c);
    }

    private static int integer(JsonNode v, String field, int dflt) {
        return v == null || v.isNull() ? dflt : integer(v, field);
    }

    private static int integer(JsonNode v, String field) {
        if (!v.isIntegralNumber() || !v.canConvertToInt())
            throw new IllegalArgumentException("field '" + field + "' must be an integer, got " + v);
        return v.asInt();
    }

    private static float[] floats(JsonNode a, float[] dflt) {
        if (a == null || a.isNull()) return dflt;
        if (a.isNumber()) return new float[] {a.floatValue(), a.floatValue(), a.floatValue()};
        if (!a.isArray() || a.size() != 3 || !a.get(0).isNumber() || !a.get(1).isNumber() || !a.get(2).isNumber())
            throw new IllegalArgumentException("image_mean/image_std must be 3 numbers, got " + a);
        return new float[] {a.get(0).floatValue(), a.get(1).floatValue(), a.get(2).floatValue()};
    }
}
