package io.timesformer4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Hugging Face {@code TimesformerConfig} fields, plus the class names ({@code id2label} in order).
 *
 * <p>{@link #toJson()} / {@link #fromJson(JsonNode)} read and write the Hugging Face {@code config.json}.
 * {@link #parameterCount()} and {@link #forwardFlopsPerClip()} are computed from the config alone, without
 * allocating a model.
 */
public record TimesformerConfig(
        int imageSize,
        int patchSize,
        int numChannels,
        int numFrames,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        double hiddenDropoutProb,
        double attentionProbsDropoutProb,
        double initializerRange,
        double layerNormEps,
        boolean qkvBias,
        AttentionType attentionType,
        double dropPathRate,
        List<String> labels,
        int tubeletSize,
        InputTransform inputTransform,
        List<Integer> convStem,
        Pooling pooling) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Largest model accepted: 4e9 parameters (16 GB of float32; the biggest released TimeSformer has 0.12e9). */
    public static final long MAX_PARAMETERS = 4_000_000_000L;
    /** Largest token count per clip (frames x patches + 1) accepted; base at 8 x 224 px has 1569. */
    public static final long MAX_TOKENS = 200_000;

    public TimesformerConfig {
        labels = List.copyOf(labels);
        range("image_size", imageSize, 1, 8192);
        range("patch_size", patchSize, 1, 8192);
        range("num_channels", numChannels, 1, 64);
        range("num_frames", numFrames, 1, 4096);
        range("hidden_size", hiddenSize, 1, 65_536);
        range("num_hidden_layers", numHiddenLayers, 1, 1024);
        range("num_attention_heads", numAttentionHeads, 1, 65_536);
        range("intermediate_size", intermediateSize, 1, 1 << 20);
        range("num_labels", labels.size(), 1, 1_000_000);
        fraction("hidden_dropout_prob", hiddenDropoutProb);
        fraction("attention_probs_dropout_prob", attentionProbsDropoutProb);
        fraction("drop_path_rate", dropPathRate);
        if (!(initializerRange >= 0 && initializerRange <= 1))
            throw new IllegalArgumentException("initializer_range " + initializerRange + " is not in [0, 1]");
        if (!(layerNormEps > 0 && layerNormEps <= 1))
            throw new IllegalArgumentException("layer_norm_eps " + layerNormEps + " is not in (0, 1]");
        if (imageSize <= 0 || patchSize <= 0 || imageSize % patchSize != 0)
            throw new IllegalArgumentException("image_size " + imageSize + " must be a positive multiple of patch_size "
                    + patchSize);
        if (numChannels <= 0 || numFrames <= 0 || numHiddenLayers <= 0 || intermediateSize <= 0)
            throw new IllegalArgumentException("num_channels, num_frames, num_hidden_layers, intermediate_size must be > 0");
        if (numAttentionHeads <= 0 || hiddenSize <= 0 || hiddenSize % numAttentionHeads != 0)
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " must be a positive multiple of "
                    + "num_attention_heads " + numAttentionHeads);
        if (labels.isEmpty()) throw new IllegalArgumentException("a model needs at least one label");
        if (!hiddenAct.equals("gelu") && !hiddenAct.equals("gelu_new") && !hiddenAct.equals("gelu_pytorch_tanh"))
            throw new IllegalArgumentException("unsupported hidden_act '" + hiddenAct + "' (gelu, gelu_new, gelu_pytorch_tanh)");
        if (attentionType == null) throw new IllegalArgumentException("attention_type is required");
        if (inputTransform == null) inputTransform = InputTransform.NONE;
        if (pooling == null) pooling = Pooling.CLS;
        convStem = convStem == null ? List.of() : List.copyOf(convStem);
        if (convStem.size() > MAX_STEM_LAYERS)
            throw new IllegalArgumentException("conv_stem has " + convStem.size() + " layers (at most " + MAX_STEM_LAYERS + ")");
        for (int w : convStem) range("conv_stem width", w, 1, 1024);
        if (patchSize % stemStride(convStem) != 0)
            throw new IllegalArgumentException("patch_size " + patchSize + " must be a multiple of the conv stem's stride "
                    + stemStride(convStem) + " (" + convStem.size() + " layers)");
        if (tubeletSize < 1 || numFrames % tubeletSize != 0)
            throw new IllegalArgumentException("num_frames " + numFrames + " must be a positive multiple of tubelet_size "
                    + tubeletSize);
        long tokens = (long) (numFrames / tubeletSize) * ((long) (imageSize / patchSize) * (imageSize / patchSize)) + 1;
        if (tokens > MAX_TOKENS)
            throw new IllegalArgumentException("num_frames " + numFrames + " x (image_size " + imageSize + " / patch_size "
                    + patchSize + ")^2 = " + tokens + " tokens per clip, more than " + MAX_TOKENS);
        long grid = imageSize / patchSize;
        long params = parameterCount(hiddenSize, intermediateSize, grid * grid, qkvBias, attentionType, numChannels, patchSize,
                numFrames, tubeletSize, numHiddenLayers, labels.size(), convStem);
        if (params > MAX_PARAMETERS)
            throw new IllegalArgumentException("hidden_size " + hiddenSize + ", intermediate_size " + intermediateSize
                    + ", num_hidden_layers " + numHiddenLayers + " make " + params + " parameters, more than " + MAX_PARAMETERS);
    }

    /** Most layers of a {@link #convStem()}. */
    public static final int MAX_STEM_LAYERS = 8;

    /**
     * The spatial stride of a conv stem of these widths: its first two layers halve height and width, the others keep
     * them (1 without a stem).
     */
    public static int stemStride(List<Integer> convStem) {
        return 1 << Math.min(2, convStem.size());
    }

    /** The spatial stride of this config's conv stem (1 without one). */
    public int stemStride() {
        return stemStride(convStem);
    }

    /** Channels entering the patch projection: the last stem width, or {@code num_channels} without a stem. */
    public int projectionChannels() {
        return convStem.isEmpty() ? numChannels : convStem.get(convStem.size() - 1);
    }

    private static void range(String field, long v, long min, long max) {
        if (v < min || v > max) throw new IllegalArgumentException(field + " " + v + " is not in [" + min + ", " + max + "]");
    }

    private static void fraction(String field, double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(field + " " + v + " is not in [0, 1)");
    }

    /** The Hugging Face fields only: tubelet 1 (a Conv2d per frame) and no input transform, as officially. */
    public TimesformerConfig(int imageSize, int patchSize, int numChannels, int numFrames, int hiddenSize,
                             int numHiddenLayers, int numAttentionHeads, int intermediateSize, String hiddenAct,
                             double hiddenDropoutProb, double attentionProbsDropoutProb, double initializerRange,
                             double layerNormEps, boolean qkvBias, AttentionType attentionType, double dropPathRate,
                             List<String> labels) {
        this(imageSize, patchSize, numChannels, numFrames, hiddenSize, numHiddenLayers, numAttentionHeads,
                intermediateSize, hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb, initializerRange, layerNormEps,
                qkvBias, attentionType, dropPathRate, labels, 1, InputTransform.NONE, List.of(), Pooling.CLS);
    }

    /** Temporal token positions {@code T' = num_frames / tubelet_size} (the length of the time embeddings). */
    public int timePositions() {
        return numFrames / tubeletSize;
    }

    /** A config with the official defaults for everything but the shape (no dropout, eps 1e-6, qkv bias). */
    public static TimesformerConfig of(int imageSize, int patchSize, int numFrames, int hiddenSize, int layers,
                                       int heads, int intermediate, AttentionType attention, List<String> labels) {
        return new TimesformerConfig(imageSize, patchSize, 3, numFrames, hiddenSize, layers, heads, intermediate,
                "gelu", 0.0, 0.0, 0.02, 1e-6, true, attention, 0.0, labels);
    }

    /** {@code LABEL_0 .. LABEL_{n-1}}, the Hugging Face default names. */
    public static List<String> defaultLabels(int n) {
        List<String> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add("LABEL_" + i);
        return l;
    }

    public int numLabels() {
        return labels.size();
    }

    /** Patches per frame, {@code N = (image/patch)^2}. */
    public int numPatches() {
        int g = imageSize / patchSize;
        return g * g;
    }

    public TimesformerConfig withLabels(List<String> newLabels) {
        return new TimesformerConfig(imageSize, patchSize, numChannels, numFrames, hiddenSize, numHiddenLayers,
                numAttentionHeads, intermediateSize, hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb,
                initializerRange, layerNormEps, qkvBias, attentionType, dropPathRate, newLabels, tubeletSize, inputTransform, convStem, pooling);
    }

    public TimesformerConfig withFrames(int frames) {
        return new TimesformerConfig(imageSize, patchSize, numChannels, frames, hiddenSize, numHiddenLayers,
                numAttentionHeads, intermediateSize, hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb,
                initializerRange, layerNormEps, qkvBias, attentionType, dropPathRate, labels, tubeletSize, inputTransform, convStem, pooling);
    }

    public TimesformerConfig withImageSize(int size) {
        return new TimesformerConfig(size, patchSize, numChannels, numFrames, hiddenSize, numHiddenLayers,
                numAttentionHeads, intermediateSize, hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb,
                initializerRange, layerNormEps, qkvBias, attentionType, dropPathRate, labels, tubeletSize, inputTransform, convStem, pooling);
    }

    public TimesformerConfig withRegularization(double hiddenDropout, double attentionDropout, double dropPath) {
        return new TimesformerConfig(imageSize, patchSize, numChannels, numFrames, hiddenSize, numHiddenLayers,
                numAttentionHeads, intermediateSize, hiddenAct, hiddenDropout, attentionDropout,
                initializerRange, layerNormEps, qkvBias, attentionType, dropPath, labels, tubeletSize, inputTransform, convStem, pooling);
    }

    /** A copy with {@code tubelet} frames per token (a Conv3d {@code (tubelet, p, p)} patch embedding when > 1). */
    public TimesformerConfig withTubeletSize(int tubelet) {
        return new TimesformerConfig(imageSize, patchSize, numChannels, numFrames, hiddenSize, numHiddenLayers,
                numAttentionHeads, intermediateSize, hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb,
                initializerRange, layerNormEps, qkvBias, attentionType, dropPathRate, labels, tubelet, inputTransform, convStem, pooling);
    }

    public TimesformerConfig withInputTransform(InputTransform transform) {
        return new TimesformerConfig(imageSize, patchSize, numChannels, numFrames, hiddenSize, numHiddenLayers,
                numAttentionHeads, intermediateSize, hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb,
                initializerRange, layerNormEps, qkvBias, attentionType, dropPathRate, labels, tubeletSize, transform, convStem, pooling);
    }

    /** A copy with a conv stem of these widths before the patch projection (empty: none, the official model). */
    public TimesformerConfig withConvStem(List<Integer> widths) {
        return new TimesformerConfig(imageSize, patchSize, numChannels, numFrames, hiddenSize, numHiddenLayers,
                numAttentionHeads, intermediateSize, hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb,
                initializerRange, layerNormEps, qkvBias, attentionType, dropPathRate, labels, tubeletSize, inputTransform,
                widths, pooling);
    }

    public TimesformerConfig withPooling(Pooling p) {
        return new TimesformerConfig(imageSize, patchSize, numChannels, numFrames, hiddenSize, numHiddenLayers,
                numAttentionHeads, intermediateSize, hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb,
                initializerRange, layerNormEps, qkvBias, attentionType, dropPathRate, labels, tubeletSize, inputTransform,
                convStem, p);
    }

    public TimesformerConfig withAttention(AttentionType type) {
        return new TimesformerConfig(imageSize, patchSize, numChannels, numFrames, hiddenSize, numHiddenLayers,
                numAttentionHeads, intermediateSize, hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb,
                initializerRange, layerNormEps, qkvBias, type, dropPathRate, labels, tubeletSize, inputTransform, convStem, pooling);
    }

    public TimesformerConfig withPatchSize(int patch) {
        return new TimesformerConfig(imageSize, patch, numChannels, numFrames, hiddenSize, numHiddenLayers,
                numAttentionHeads, intermediateSize, hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb,
                initializerRange, layerNormEps, qkvBias, attentionType, dropPathRate, labels, tubeletSize, inputTransform, convStem, pooling);
    }

    /** Number of trainable parameters of the model this config builds (equals the official model's count). */
    public long parameterCount() {
        return parameterCount(hiddenSize, intermediateSize, numPatches(), qkvBias, attentionType, numChannels, patchSize,
                numFrames, tubeletSize, numHiddenLayers, numLabels(), convStem);
    }

    private static long parameterCount(long d, long i, long n, boolean qkvBias, AttentionType attentionType, int numChannels,
            int patchSize, int numFrames, int tubeletSize, int numHiddenLayers, int numLabels, List<Integer> convStem) {
        long qkv = 3 * d * d + (qkvBias ? 3 * d : 0);
        long attention = qkv + d * d + d;                    // qkv + output projection
        long block = 2 * d + attention + 2 * d + (d * i + i) + (i * d + d);   // norm1, attn, norm2, mlp
        if (attentionType == AttentionType.DIVIDED_SPACE_TIME) block += 2 * d + attention + d * d + d;
        long stem = 0, in = numChannels;
        for (int w : convStem) {                              // Conv3d 3x3x3 + bias, GroupNorm weight + bias
            stem += 27 * in * w + w + 2L * w;
            in = w;
        }
        long q = patchSize / stemStride(convStem);            // projection kernel on the stem's map
        long embeddings = stem + d + (n + 1) * d + in * tubeletSize * q * q * d + d;
        if (attentionType != AttentionType.SPACE_ONLY) embeddings += (long) (numFrames / tubeletSize) * d;
        return embeddings + numHiddenLayers * block + 2 * d + d * numLabels + numLabels;
    }

    /**
     * Forward floating-point operations for one clip at the config's frames and size, counting a
     * multiply-add as 2 (matmuls, convolution, attention scores and weighted sums; norms and softmax are
     * ignored). A training step costs about 3x this.
     */
    public double forwardFlopsPerClip() {
        double d = hiddenSize, i = intermediateSize, n = numPatches(), t = timePositions();
        double q = (double) patchSize / stemStride();
        double flops = 2 * n * t * d * projectionChannels() * tubeletSize * q * q;          // patch embedding
        double side = imageSize, in = numChannels;
        for (int l = 0; l < convStem.size(); l++) {                                         // conv stem, 3x3x3
            if (l < 2) side /= 2;
            flops += 2 * 27 * in * convStem.get(l) * numFrames * side * side;
            in = convStem.get(l);
        }
        double perBlock;
        switch (attentionType) {
            case DIVIDED_SPACE_TIME -> {
                double tokens = 1 + n * t;
                double temporal = 2 * n * t * d * 3 * d + n * 4 * t * t * d + 2 * n * t * d * d + 2 * n * t * d * d;
                double spatialTokens = t * (n + 1);
                double spatial = 2 * spatialTokens * d * 3 * d + t * 4 * (n + 1) * (n + 1) * d + 2 * spatialTokens * d * d;
                perBlock = temporal + spatial + 4 * tokens * d * i;
            }
            case JOINT_SPACE_TIME -> {
                double l = 1 + n * t;
                perBlock = 2 * l * d * 3 * d + 4 * l * l * d + 2 * l * d * d + 4 * l * d * i;
            }
            default -> {
                double l = n + 1;
                perBlock = t * (2 * l * d * 3 * d + 4 * l * l * d + 2 * l * d * d + 4 * l * d * i);
            }
        }
        return flops + numHiddenLayers * perBlock + 2 * d * numLabels();
    }

    /** The Hugging Face {@code config.json} content. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add("TimesformerForVideoClassification");
        o.put("attention_probs_dropout_prob", attentionProbsDropoutProb);
        o.put("attention_type", attentionType.hfName());
        o.put("drop_path_rate", dropPathRate);
        o.put("hidden_act", hiddenAct);
        o.put("hidden_dropout_prob", hiddenDropoutProb);
        o.put("hidden_size", hiddenSize);
        ObjectNode id2label = o.putObject("id2label");
        for (int k = 0; k < labels.size(); k++) id2label.put(Integer.toString(k), labels.get(k));
        o.put("image_size", imageSize);
        o.put("initializer_range", initializerRange);
        o.put("intermediate_size", intermediateSize);
        ObjectNode label2id = o.putObject("label2id");
        for (int k = 0; k < labels.size(); k++) label2id.put(labels.get(k), k);
        o.put("layer_norm_eps", layerNormEps);
        o.put("model_type", "timesformer");
        o.put("num_attention_heads", numAttentionHeads);
        o.put("num_channels", numChannels);
        o.put("num_frames", numFrames);
        o.put("num_hidden_layers", numHiddenLayers);
        o.put("patch_size", patchSize);
        o.put("qkv_bias", qkvBias);
        o.put("torch_dtype", "float32");
        // timesformer4j extensions, written only when they differ from the official model (Hugging Face's
        // TimesformerConfig ignores them, but its model would compute something else: see docs/model.md)
        if (tubeletSize != 1) o.put("tubelet_size", tubeletSize);
        if (inputTransform != InputTransform.NONE) o.put("input_transform", inputTransform.jsonName());
        if (!convStem.isEmpty()) {
            var a = o.putArray("conv_stem");
            convStem.forEach(a::add);
        }
        if (pooling != Pooling.CLS) o.put("pooling", pooling.jsonName());
        return o;
    }

    /** Reads a Hugging Face {@code config.json} tree; missing fields take the HF defaults (base model). */
    public static TimesformerConfig fromJson(JsonNode o) {
        if (o == null || !o.isObject()) throw new IllegalArgumentException("config.json is not a JSON object");
        String type = o.path("model_type").asText("timesformer");
        if (!type.equals("timesformer"))
            throw new IllegalArgumentException("config.json has model_type '" + type + "', expected 'timesformer'");
        List<String> labels;
        JsonNode id2label = o.get("id2label");
        if (id2label != null && !id2label.isNull() && !id2label.isObject())
            throw new IllegalArgumentException("field 'id2label' must be an object of \"id\": \"name\"");
        if (id2label != null && id2label.size() > 1_000_000)
            throw new IllegalArgumentException("field 'id2label' has " + id2label.size() + " entries (limit 1000000)");
        if (id2label != null && id2label.isObject() && id2label.size() > 0) {
            Map<Integer, String> byId = new TreeMap<>();
            id2label.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual())
                    throw new IllegalArgumentException("field 'id2label' entry '" + e.getKey() + "' is not a string");
                try {
                    byId.put(Integer.parseInt(e.getKey()), e.getValue().asText());
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException("config.json id2label key '" + e.getKey() + "' is not an integer");
                }
            });
            labels = new ArrayList<>();
            int expect = 0;
            for (var e : byId.entrySet()) {
                if (e.getKey() != expect++)
                    throw new IllegalArgumentException("config.json id2label ids are not 0..n-1 (missing " + (expect - 1) + ")");
                labels.add(e.getValue());
            }
        } else {
            int n = integer(o, "num_labels", 2);
            range("num_labels", n, 1, 1_000_000);
            labels = defaultLabels(n);
        }
        return new TimesformerConfig(
                integer(o, "image_size", 224), integer(o, "patch_size", 16), integer(o, "num_channels", 3),
                integer(o, "num_frames", 8), integer(o, "hidden_size", 768), integer(o, "num_hidden_layers", 12),
                integer(o, "num_attention_heads", 12), integer(o, "intermediate_size", 3072),
                text(o, "hidden_act", "gelu"), number(o, "hidden_dropout_prob", 0.0),
                number(o, "attention_probs_dropout_prob", 0.0), number(o, "initializer_range", 0.02),
                number(o, "layer_norm_eps", 1e-6), bool(o, "qkv_bias", true),
                AttentionType.fromHfName(text(o, "attention_type", "divided_space_time")),
                number(o, "drop_path_rate", 0.0), labels, integer(o, "tubelet_size", 1),
                InputTransform.parse(text(o, "input_transform", "none")), integers(o, "conv_stem"),
                Pooling.parse(text(o, "pooling", "cls")));
    }

    /** An integer field (absent or null: the default); 1e12, 8.5, "8" or a value past int range are errors naming it. */
    private static int integer(JsonNode o, String field, int dflt) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return dflt;
        boolean integral = v.isIntegralNumber() || (v.isFloatingPointNumber() && v.asDouble() == Math.rint(v.asDouble()));
        if (!v.isNumber() || !integral)
            throw new IllegalArgumentException("field '" + field + "' must be an integer, got " + v);
        double d = v.asDouble();
        if (!v.canConvertToInt() || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE)
            throw new IllegalArgumentException("field '" + field + "' = " + v + " is out of range");
        return v.asInt();
    }

    /** An array of integers (absent or null: empty); anything else is an error naming the field. */
    private static List<Integer> integers(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray() || v.size() > MAX_STEM_LAYERS)
            throw new IllegalArgumentException("field '" + field + "' must be an array of at most " + MAX_STEM_LAYERS
                    + " integers, got " + (v.isArray() ? v.size() + " entries" : v.toString()));
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isIntegralNumber() || !e.canConvertToInt())
                throw new IllegalArgumentException("field '" + field + "' must hold integers, got " + e);
            out.add(e.asInt());
        }
        return out;
    }

    private static double number(JsonNode o, String field, double dflt) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber() || !Double.isFinite(v.asDouble()))
            throw new IllegalArgumentException("field '" + field + "' must be a finite number, got " + v);
        return v.asDouble();
    }

    private static boolean bool(JsonNode o, String field, boolean dflt) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw new IllegalArgumentException("field '" + field + "' must be true or false, got " + v);
        return v.asBoolean();
    }

    private static String text(JsonNode o, String field, String dflt) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isTextual()) throw new IllegalArgumentException("field '" + field + "' must be a string, got " + v);
        return v.asText();
    }
}
