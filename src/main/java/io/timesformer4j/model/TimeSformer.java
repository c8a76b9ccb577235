package io.timesformer4j.model;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.Conv3dImpl;
import org.bytedeco.pytorch.Conv3dOptions;
import org.bytedeco.pytorch.GroupNormImpl;
import org.bytedeco.pytorch.GroupNormOptions;
import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.kNearest;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.global.torch.ScalarType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.dropout;
import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.interpolate;
import static org.bytedeco.pytorch.global.torch.zeros;
import static org.bytedeco.pytorch.global.torch.zeros_like;

/**
 * TimeSformer video classifier, computing exactly what the official {@code VisionTransformer}
 * (facebookresearch/TimeSformer {@code vit.py}) computes, with Hugging Face parameter names
 * ({@code timesformer.embeddings.cls_token}, ..., {@code classifier.weight}).
 *
 * <p>Input {@code pixel_values (B, T, C, H, W)}, already normalised. Frames or sizes different from the
 * config are handled as the official model does: position embeddings resized by nearest interpolation on
 * the patch grid, time embeddings by nearest interpolation over frames. The constructor applies the
 * official initialisation (see {@link OfficialInit}).
 *
 * <p>Two options beyond the official model, both off by default (then the model is the official one):
 * {@code tubelet_size} {@code k > 1} embeds each {@code (k, p, p)} cube of {@code k} consecutive frames with a
 * Conv3d (ViViT's tubelets, VideoMAE's 2x16x16 cubes), so there are {@code T' = T/k} temporal positions and
 * every token sees motion from the first step; {@code input_transform} (see {@link InputTransform}) is applied
 * to the clip before the patch embedding. Below, {@code T} in token shapes means {@code T'}.
 *
 * <p>Two more for small datasets from scratch (docs/training.md), also off by default: {@code conv_stem}, a few
 * Conv3d 3x3x3 + GroupNorm(1) + GELU layers before the patch projection (the first two halve height and width,
 * so the projection's kernel is {@code p / stride} and every token still covers a {@code (k, p, p)} cube, now
 * seen through convolutions: the early-convolution stem of Xiao et al. 2021, in 3D), and {@code pooling = mean}
 * (VideoMAE's head: the classifier reads the final LayerNorm of the mean patch token instead of the CLS token).
 */
public final class TimeSformer extends Module {
    private final TimesformerConfig config;
    final Tensor clsToken;          // (1, 1, D)
    final Tensor posEmbed;          // (1, 1+N, D)
    final Tensor timeEmbed;         // (1, T', D) with T' = T / tubelet_size, null for space_only
    final Conv2dImpl patchProj;     // tubelet_size 1: Conv2d (C -> D, p x p, stride p), else null
    final Conv3dImpl tubeletProj;   // tubelet_size k > 1: Conv3d (C -> D, k x p x p, stride k x p x p), else null
    final List<Conv3dImpl> stemConvs = new ArrayList<>();       // conv_stem: Conv3d (C_i -> W_i, 3x3x3, pad 1)
    final List<GroupNormImpl> stemNorms = new ArrayList<>();    // GroupNorm(1, W_i) after each
    final List<TimesformerLayer> layers = new ArrayList<>();
    final LayerNormImpl norm;
    final Dense classifier;
    // plain container modules (timesformer, embeddings, ...): JavaCPP calls back into these Java objects
    // (train/eval/to), so they must stay reachable as long as the model
    private final List<Module> containers = new ArrayList<>();

    /** All intermediate tensors of one forward pass (see the fixture README for their meaning). */
    public record Outputs(Tensor embeddings, List<Tensor> hiddenStates, Tensor sequenceOutput, Tensor pooledPrenorm,
                          Tensor lastHiddenState, Tensor clsFeature, Tensor logits) {}

    /** Builds the model with the official random initialisation (libtorch's global generator). */
    public TimeSformer(TimesformerConfig config) {
        this.config = config;
        int d = config.hiddenSize();
        Module backbone = keep(register_module("timesformer", new Module()));
        Module embeddings = keep(backbone.register_module("embeddings", new Module()));
        // keep our own handles: register_parameter returns a reference into a vector that later
        // registrations reallocate; the registered parameter shares the TensorImpl with these handles
        clsToken = zeros(1, 1, d);
        posEmbed = zeros(1, config.numPatches() + 1, d);
        timeEmbed = config.attentionType() == AttentionType.SPACE_ONLY ? null : zeros(1, config.timePositions(), d);
        embeddings.register_parameter("cls_token", clsToken);
        embeddings.register_parameter("position_embeddings", posEmbed);
        if (timeEmbed != null) embeddings.register_parameter("time_embeddings", timeEmbed);
        int k = config.tubeletSize(), p = config.patchSize() / config.stemStride();     // p: kernel on the stem's map
        Module patchContainer = keep(embeddings.register_module("patch_embeddings", new Module()));
        if (!config.convStem().isEmpty()) {
            Module stem = keep(patchContainer.register_module("stem", new Module()));
            int in = config.numChannels();
            for (int i = 0; i < config.convStem().size(); i++) {
                int w = config.convStem().get(i), stride = i < 2 ? 2 : 1;
                Module layer = keep(stem.register_module(Integer.toString(i), new Module()));
                Conv3dOptions co = new Conv3dOptions(in, w, new LongPointer(3, 3, 3));
                co.stride().put(new long[] {1, stride, stride});
                co.padding().put(new LongPointer(1, 1, 1));
                stemConvs.add(layer.register_module("conv", new Conv3dImpl(co)));
                stemNorms.add(layer.register_module("norm", new GroupNormImpl(new GroupNormOptions(1, w))));
                in = w;
            }
        }
        int c = config.projectionChannels();
        if (k == 1) {
            Conv2dOptions co = new Conv2dOptions(c, d, new LongPointer(p, p));
            co.stride().put(new long[] {p, p});
            patchProj = patchContainer.register_module("projection", new Conv2dImpl(co));
            tubeletProj = null;
        } else {      // same parameter names; weight (D, C, k, p, p)
            Conv3dOptions co = new Conv3dOptions(c, d, new LongPointer(k, p, p));
            co.stride().put(new long[] {k, p, p});
            tubeletProj = patchContainer.register_module("projection", new Conv3dImpl(co));
            patchProj = null;
        }
        Module layerList = keep(keep(backbone.register_module("encoder", new Module())).register_module("layer", new Module()));
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            double dpr = config.numHiddenLayers() == 1 ? 0.0
                    : config.dropPathRate() * i / (config.numHiddenLayers() - 1);     // linspace(0, rate, depth)
            layers.add(layerList.register_module(Integer.toString(i), new TimesformerLayer(config, dpr)));
        }
        norm = backbone.register_module("layernorm", TimesformerLayer.layerNorm(d, config.layerNormEps()));
        classifier = new Dense(register_module("classifier", new LinearImpl(d, config.numLabels())));
        OfficialInit.apply(this);
    }

    private Module keep(Module m) {
        containers.add(m);
        return m;
    }

    public TimesformerConfig config() {
        return config;
    }

    /** {@code pixelValues (B, T, C, H, W)} -> logits {@code (B, num_labels)}. */
    public Tensor forward(Tensor pixelValues) {
        return forwardWithOutputs(pixelValues, false).logits();
    }

    /** Classifier input {@code (B, D)}: the final-LayerNorm CLS token (official {@code forward_features}), or with {@code pooling = mean} the final LayerNorm of the mean patch token. */
    public Tensor features(Tensor pixelValues) {
        return forwardWithOutputs(pixelValues, false).clsFeature();
    }

    /**
     * The forward pass keeping its intermediates. {@code hiddenStates} is filled only when
     * {@code keepHiddenStates}; {@code pooledPrenorm} is non-null only for space-only attention.
     */
    public Outputs forwardWithOutputs(Tensor pixelValues, boolean keepHiddenStates) {
        checkInput(pixelValues);
        long b = pixelValues.size(0), t = pixelValues.size(1) / config.tubeletSize();               // T'
        int p = config.patchSize();
        long n = (pixelValues.size(3) / p) * (pixelValues.size(4) / p);
        Tensor x = embed(pixelValues, null);                                // (B, 1+N*T, D) or (B*T, 1+N, D)
        Tensor embeddings = x;
        List<Tensor> hidden = new ArrayList<>();
        x = encode(x, b, t, keepHiddenStates ? hidden : null);
        Tensor sequence = x;
        long d = config.hiddenSize();
        Tensor pooled = null;
        if (config.attentionType() == AttentionType.SPACE_ONLY) {
            pooled = x.reshape(b, t, n + 1, d).mean(new long[] {1}, false, new ScalarTypeOptional());   // (B, 1+N, D)
            x = pooled;
        }
        Tensor last = norm.forward(x);
        Tensor clsFeature = config.pooling() == Pooling.MEAN
                ? norm.forward(pooled != null
                        ? x.narrow(1, 1, n).mean(new long[] {1}, false, new ScalarTypeOptional())            // (B, D)
                        : x.narrow(1, 1, n * t).mean(new long[] {1}, false, new ScalarTypeOptional()))
                : last.select(1, 0);                                                                    // (B, D)
        return new Outputs(embeddings, hidden, sequence, pooled, last, clsFeature, classifier.apply(clsFeature));
    }

    /** The encoder run on the visible tubes only (see {@link #forwardVisible}). */
    public record VisibleOutputs(Tensor embeddings, List<Tensor> hiddenStates, Tensor sequenceOutput, Tensor tokens) {}

    /**
     * The encoder on a tube-masked clip: only the patches at the spatial positions {@code visible (B, Nv)}
     * (int64, each row sorted ascending, the same positions in every frame) enter the transformer. Embeddings are
     * those of the full forward, gathered: {@code (B, 1+Nv*T, D)} for divided/joint attention (position and time
     * embeddings of the kept tokens), {@code (B*T, 1+Nv, D)} for space-only. Every block is the unchanged
     * {@link TimesformerLayer}: divided attention is then temporal attention over the T tokens of each visible
     * position and spatial attention over the Nv visible positions (and CLS) of each frame, joint attention is
     * over all 1+Nv*T tokens. With every position visible this is exactly {@link #forwardWithOutputs}.
     *
     * @return the embeddings, the per-block outputs (when {@code keepHiddenStates}), the last block's output and
     *         {@code tokens (B, T, Nv, D)}: the patch tokens after the final LayerNorm, frame-major
     */
    public VisibleOutputs forwardVisible(Tensor pixelValues, Tensor visible, boolean keepHiddenStates) {
        checkInput(pixelValues);
        if (visible.dim() != 2 || visible.size(0) != pixelValues.size(0))
            throw new IllegalArgumentException("visible positions must be (B, Nv) with B = " + pixelValues.size(0)
                    + ", got " + shape(visible));
        long b = pixelValues.size(0), t = pixelValues.size(1) / config.tubeletSize(), nv = visible.size(1);   // t = T'
        long d = config.hiddenSize();
        Tensor x = embed(pixelValues, visible);
        Tensor embeddings = x;
        List<Tensor> hidden = new ArrayList<>();
        x = encode(x, b, t, keepHiddenStates ? hidden : null);
        Tensor last = norm.forward(x);
        Tensor tokens = config.attentionType() == AttentionType.SPACE_ONLY
                ? last.view(b, t, 1 + nv, d).narrow(2, 1, nv)                                    // (B, T, Nv, D)
                : last.narrow(1, 1, nv * t).view(b, nv, t, d).permute(0, 2, 1, 3);             // (B, T, Nv, D)
        return new VisibleOutputs(embeddings, hidden, x, tokens);
    }

    /**
     * Patch, CLS, position and time embeddings. {@code visible (B, Nv)}: keep only these spatial positions in
     * every frame (null: all N). Returns {@code (B, 1+Nv*T, D)} (tokens position-major, time fastest) for
     * divided/joint attention, {@code (B*T, 1+Nv, D)} for space-only.
     */
    private Tensor embed(Tensor pixelValues, Tensor visible) {
        long b = pixelValues.size(0), c = pixelValues.size(2);
        long h = pixelValues.size(3), w = pixelValues.size(4);
        int p = config.patchSize(), k = config.tubeletSize();
        long t = pixelValues.size(1) / k;                                                              // T' positions
        long gw = w / p, n = (h / p) * gw, d = config.hiddenSize();
        boolean train = is_training();
        double drop = config.hiddenDropoutProb();

        Tensor input = transformInput(pixelValues);                                                    // (B, T, C, H, W)
        if (!stemConvs.isEmpty()) {
            Tensor s = input.transpose(1, 2);                                                          // (B, C, T, H, W)
            for (int i = 0; i < stemConvs.size(); i++)
                s = gelu(stemNorms.get(i).forward(stemConvs.get(i).forward(s)));                       // (B, W_i, T, H_i, W_i)
            input = s.transpose(1, 2);                                                                 // (B, T, W, H/S, W/S)
            c = input.size(2);
            h = input.size(3);
            w = input.size(4);
        }
        Tensor x;
        if (k == 1) {
            x = patchProj.forward(input.reshape(b * t, c, h, w)).flatten(2, -1).transpose(1, 2);      // (B*T, N, D)
        } else {
            x = tubeletProj.forward(input.transpose(1, 2))                                             // (B, D, T', H/p, W/p)
                    .flatten(3, -1).permute(0, 2, 3, 1).reshape(b * t, n, d);                          // (B*T', N, D)
        }
        x = cat(new TensorVector(clsToken.expand(b * t, 1, d), x), 1);                                  // (B*T, 1+N, D)
        x = x.add(positionEmbedding(n, h / p, gw));
        if (visible != null) {                                        // the same positions in each of the T frames
            long nv = visible.size(1);
            Tensor idx = visible.view(b, 1, nv, 1).expand(b, t, nv, d);                                // (B, T, Nv, D)
            Tensor kept = x.narrow(1, 1, n).view(b, t, n, d).gather(2, idx).view(b * t, nv, d);        // (B*T, Nv, D)
            x = cat(new TensorVector(x.narrow(1, 0, 1), kept), 1);                                      // (B*T, 1+Nv, D)
            n = nv;
        }
        if (train && drop > 0) x = dropout(x, drop, true);
        if (config.attentionType() != AttentionType.SPACE_ONLY) {
            Tensor cls = x.narrow(0, 0, b).narrow(1, 0, 1);                                             // (B, 1, D)
            Tensor tokens = x.narrow(1, 1, n).reshape(b, t, n, d).permute(0, 2, 1, 3);                 // (B, N, T, D)
            tokens = tokens.add(timeEmbedding(t));
            if (train && drop > 0) tokens = dropout(tokens, drop, true);
            x = cat(new TensorVector(cls, tokens.reshape(b, n * t, d)), 1);                             // (B, 1+N*T, D)
        }
        return x;
    }

    /**
     * The blocks: {@code x} as {@link #embed} returns it, same shape out; each block's output added to {@code keep}.
     *
     * <p>Each block runs in its own {@code PointerScope} ({@link NativeScopes}): its intermediates are freed when
     * it ends, and a block's output once the next block has read it (unless kept). The returned tensor (and the
     * kept ones) belong to the caller's scope.
     */
    private Tensor encode(Tensor x, long b, long t, List<Tensor> keep) {
        Tensor embeddings = x;
        for (TimesformerLayer layer : layers) {
            Tensor in = x;
            x = NativeScopes.scoped(() -> layer.forward(in, b, t));
            if (keep != null) keep.add(x);
            else if (in != embeddings) NativeScopes.release(in);       // the previous block's output: read, not kept
        }
        return x;
    }

    private void checkInput(Tensor pixelValues) {
        if (pixelValues.dim() != 5)
            throw new IllegalArgumentException("pixel_values must be (B, T, C, H, W), got " + shape(pixelValues));
        long c = pixelValues.size(2), h = pixelValues.size(3), w = pixelValues.size(4);
        int p = config.patchSize();
        if (c != config.numChannels() || h % p != 0 || w % p != 0 || h < p || w < p)
            throw new IllegalArgumentException("pixel_values " + shape(pixelValues) + " do not fit the model: need "
                    + config.numChannels() + " channels and H, W multiples of the patch size " + p);
        if (pixelValues.size(1) % config.tubeletSize() != 0)
            throw new IllegalArgumentException("pixel_values " + shape(pixelValues) + " do not fit the model: the frame "
                    + "count must be a multiple of the tubelet size " + config.tubeletSize());
    }

    /**
     * {@code (B, T, C, H, W)} -> the same shape: the config's {@link InputTransform} (the identity for
     * {@code none}).
     */
    Tensor transformInput(Tensor x) {
        long frames = x.size(1);
        return switch (config.inputTransform()) {
            case NONE -> x;
            case TEMPORAL_RESIDUAL -> x.sub(x.mean(new long[] {1}, true, new ScalarTypeOptional()));
            case FRAME_DIFFERENCE -> frames < 2 ? zeros_like(x) : cat(new TensorVector(
                    x.narrow(1, 1, frames - 1).sub(x.narrow(1, 0, frames - 1)), zeros_like(x.narrow(1, 0, 1))), 1);
        };
    }

    /** {@code (1, 1+N, D)}: the position embeddings, resized on the patch grid (nearest) if the input differs. */
    private Tensor positionEmbedding(long n, long gh, long gw) {
        if (n + 1 == posEmbed.size(1)) return posEmbed;
        long d = posEmbed.size(2);
        long grid = Math.round(Math.sqrt(posEmbed.size(1) - 1));
        Tensor clsPos = posEmbed.narrow(1, 0, 1);
        Tensor other = posEmbed.narrow(1, 1, posEmbed.size(1) - 1).transpose(1, 2).reshape(1, d, grid, grid);
        InterpolateFuncOptions io = new InterpolateFuncOptions();
        io.size().put(new LongVector(gh, gw));
        io.mode().put(new kNearest());
        Tensor resized = interpolate(other, io).flatten(2, -1).transpose(1, 2);                        // (1, N, D)
        return cat(new TensorVector(clsPos, resized), 1);
    }

    /** {@code (1, T, D)}: the time embeddings, resized over frames (nearest) if the input differs. */
    private Tensor timeEmbedding(long t) {
        if (t == timeEmbed.size(1)) return timeEmbed;
        return resizeNearest1d(timeEmbed, t);
    }

    /** {@code (1, L, D)} -> {@code (1, size, D)} by nearest interpolation along L ({@code F.interpolate} rule). */
    static Tensor resizeNearest1d(Tensor seq, long size) {
        InterpolateFuncOptions io = new InterpolateFuncOptions();
        io.size().put(new LongVector(new long[] {size}));
        io.mode().put(new kNearest());
        return interpolate(seq.transpose(1, 2), io).transpose(1, 2);
    }

    /**
     * Stores the weights and biases of every Linear and convolution in bf16, for a model that from now on runs
     * only no-grad forwards under bf16 autocast ({@code predict}, {@code evaluate}, {@link Autocast#bf16()}).
     *
     * <p>Autocast casts exactly these tensors to bf16 at every forward (they are the operands of its
     * lower-precision ops: {@code linear}, {@code conv2d}, {@code conv3d}), so the logits do not change by a bit;
     * each forward just stops reading every fp32 weight and writing its bf16 copy, and the fp32 copies are gone
     * (base: 120 M of 121.6 M parameters, 240 MB less). Everything autocast keeps in fp32 stays fp32: LayerNorm
     * and GroupNorm affine parameters, the CLS token and the position and time embeddings (the residual stream).
     * Such a model no longer runs in fp32 and must not be trained or saved.
     */
    public void storeMatmulWeightsInBf16() {
        try (NoGradGuard g = new NoGradGuard()) {
            for (Module m : matmulModules()) m.to(ScalarType.BFloat16, false);
        }
    }

    /**
     * Readies this model to run only no-grad bf16 forwards ({@code predict}, {@code evaluate}, the Java API):
     * {@link #storeMatmulWeightsInBf16()}, then every Linear layer's bf16 weight packed once into oneDNN's blocked
     * layout, where this CPU runs oneDNN's bf16 inner product (AVX-512 or AMX; see {@code Dense}). The plain
     * bf16 weights are released, so the packed model takes no more memory than the stored one, and it can no
     * longer be trained, saved or copied ({@link #stateDict()} refuses). The GEMMs give the stored model's sums;
     * the GELU after {@code fc1} rounds to bf16 once instead of twice, so the logits move by bf16 steps, within
     * the bound docs/model.md states (and closer to fp32 than autocast on the fixtures).
     *
     * @return the number of Linear layers packed: 0 where oneDNN's bf16 path is missing (the model then runs as
     *     {@link #storeMatmulWeightsInBf16()} leaves it)
     */
    public int prepareBf16Inference() {
        storeMatmulWeightsInBf16();
        int packed = 0;
        for (Dense l : linears()) if (l.packForBf16Inference()) packed++;
        return packed;
    }

    /** How many Linear layers {@link #prepareBf16Inference()} packed for oneDNN (0 before it or without oneDNN). */
    public int packedLinears() {
        return (int) linears().stream().filter(Dense::isPacked).count();
    }

    /** The Linear and convolution modules: those whose weights autocast casts to the lower precision. */
    List<Module> matmulModules() {
        List<Module> out = new ArrayList<>(stemConvs);
        if (patchProj != null) out.add(patchProj);
        if (tubeletProj != null) out.add(tubeletProj);
        for (Dense l : linears()) out.add(l.module);
        return out;
    }

    /** Every Linear layer of the blocks, then the classifier. */
    List<Dense> linears() {
        List<Dense> out = new ArrayList<>();
        for (TimesformerLayer l : layers) out.addAll(l.linears());
        out.add(classifier);
        return out;
    }

    /** Parameters by Hugging Face name, in registration order (owning handles on the live parameters). */
    public Map<String, Tensor> stateDict() {
        for (Dense l : linears())
            if (l.isPacked()) throw new IllegalStateException("this model's Linear weights are packed for bf16 inference "
                    + "(prepareBf16Inference): it has no state dict; load the model again to save, copy or train it");
        StringTensorDict dict = named_parameters(true);
        Map<String, Tensor> out = new LinkedHashMap<>();
        var items = dict.items();
        for (long i = 0; i < items.size(); i++) {
            // value() points into the item, which JavaCPP frees when the item is collected: take an owning handle
            org.bytedeco.pytorch.StringTensorDictItem it = items.get(i);
            out.put(it.key().getString(), new Tensor(it.value()));
            java.lang.ref.Reference.reachabilityFence(it);
        }
        java.lang.ref.Reference.reachabilityFence(items);
        return out;
    }

    /**
     * Hugging Face names of the parameters the official code excludes from weight decay
     * ({@code no_weight_decay}: cls token, position and time embeddings).
     */
    public java.util.Set<String> noWeightDecayNames() {
        java.util.Set<String> s = new java.util.LinkedHashSet<>();
        s.add("timesformer.embeddings.cls_token");
        s.add("timesformer.embeddings.position_embeddings");
        if (timeEmbed != null) s.add("timesformer.embeddings.time_embeddings");
        return s;
    }

    /** Number of parameters of the instantiated model. */
    public long parameterCount() {
        long total = 0;
        for (Tensor t : stateDict().values()) total += t.numel();
        return total;
    }

    /** Copies all parameter values into {@code other} (same config); used to clone a model. */
    public void copyTo(TimeSformer other) {
        Map<String, Tensor> dst = other.stateDict();
        try (NoGradGuard g = new NoGradGuard()) {
            for (var e : stateDict().entrySet()) dst.get(e.getKey()).copy_(e.getValue());
        }
    }

    static String shape(Tensor t) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < t.dim(); i++) sb.append(i == 0 ? "" : ", ").append(t.size(i));
        return sb.append(')').toString();
    }
}
