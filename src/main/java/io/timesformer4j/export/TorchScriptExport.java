package io.timesformer4j.export;

import io.timesformer4j.model.AttentionType;
import io.timesformer4j.model.Pooling;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.model.TimesformerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.CompilationUnit;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Writes a model as a TorchScript archive ({@code .pt}) that {@code torch.jit.load} (Python), {@code
 * torch::jit::load} (C++) and DJL's PyTorch engine open without this project.
 *
 * <p>libtorch has no tracer in the Java mapping, so the module is scripted from source: a hierarchy of
 * {@code JitModule}s mirroring the Hugging Face module tree ({@code timesformer.embeddings...},
 * {@code timesformer.encoder.layer.<i>...}, {@code classifier}), each with the trained tensors registered as
 * parameters under the same names (so {@code state_dict()} keys equal {@code model.safetensors}'), and
 * {@code forward} methods compiled by libtorch's TorchScript compiler from the source built here. The source
 * uses only aten operators (conv2d, linear, layer_norm, scaled_dot_product_attention, gelu, cat, mean,
 * reshape...), the same ones in the same order as {@link TimeSformer#forward}, so the outputs match the eager
 * model to float rounding.
 *
 * <p>Methods of the exported module: {@code forward(pixel_values) -> logits (B, num_labels)} and
 * {@code features(pixel_values) -> (B, hidden_size)}, the final-LayerNorm CLS token. {@code pixel_values} is
 * {@code (B, T, C, H, W)}, normalised, with T, H and W of the config (the eager model's resizing of position and
 * time embeddings for other sizes is not exported; the module asserts the shape).
 */
public final class TorchScriptExport {
    private static final String NS = "__torch__.timesformer4j.";

    private TorchScriptExport() {}

    /**
     * Exports {@code model} (eval-mode semantics: no dropout, no drop path) to {@code out}, atomically. Before
     * writing, the scripted module and the eager model run on the same random clip; an export that does not
     * reproduce the model (a model option the script does not implement) is refused with the difference.
     */
    public static void save(TimeSformer model, Path out) throws IOException {
        JitModule m;
        try {
            m = build(model);
        } catch (RuntimeException e) {
            throw new IOException(out + ": cannot script this model (" + firstLine(e.getMessage()) + ")", e);
        }
        selfCheck(model, m, out);
        Path abs = out.toAbsolutePath();
        if (abs.getParent() != null) Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        try {
            m.save(tmp.toString());
        } catch (RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw new IOException(out + ": cannot write the TorchScript archive (" + firstLine(e.getMessage()) + ")", e);
        }
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Scripted and eager outputs on one random clip of the config's shape must agree to float rounding. */
    static void selfCheck(TimeSformer model, JitModule m, Path out) throws IOException {
        TimesformerConfig c = model.config();
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            boolean wasTraining = model.is_training();
            model.eval();
            Tensor probe = model.stateDict().get("classifier.weight");
            Tensor x = torch.randn(1, c.numFrames(), c.numChannels(), c.imageSize(), c.imageSize())
                    .to(probe.scalar_type().intern());
            Tensor want = model.forward(x);
            Tensor got;
            try {
                // a handle of its own: toTensor() is a reference into the IValue, which the collector may free
                got = new Tensor(m.forward(new IValueVector(new IValue(x))).toTensor());
            } catch (RuntimeException e) {
                throw new IOException(out + ": the scripted module fails on a (1, " + c.numFrames() + ", " + c.numChannels()
                        + ", " + c.imageSize() + ", " + c.imageSize() + ") clip: " + firstLine(e.getMessage())
                        + " (a model option the TorchScript export does not support)", e);
            } finally {
                if (wasTraining) model.train(true);
            }
            double diff = got.sub(want).abs().max().item_double();
            double scale = Math.max(1.0, want.abs().max().item_double());
            if (!(diff <= 1e-4 * scale))
                throw new IOException(out + ": the scripted module does not reproduce the model (max |logit difference| "
                        + String.format(Locale.ROOT, "%.3g", diff) + "): a model option the TorchScript export does not "
                        + "support; nothing written");
        }
    }

    /** The scripted module, in eval mode. */
    public static JitModule build(TimeSformer model) {
        // the model options beyond the official model (off by default): tubelets and an input transform
        return build(model, model.config().tubeletSize(), model.config().inputTransform().jsonName());
    }

    /**
     * The scripted module for {@code k} frames per token (a Conv3d patch embedding when {@code k > 1}) and an
     * input transform ({@code none}, {@code temporal_residual}, {@code frame_difference}) applied first.
     */
    static JitModule build(TimeSformer model, int k, String transform) {
        TimesformerConfig c = model.config();
        Map<String, Tensor> sd = model.stateDict();
        CompilationUnit cu = new CompilationUnit();
        Builder b = new Builder(cu, sd);
        int d = c.hiddenSize();
        String eps = num(c.layerNormEps());
        boolean divided = c.attentionType() == AttentionType.DIVIDED_SPACE_TIME;
        boolean spaceOnly = c.attentionType() == AttentionType.SPACE_ONLY;
        String gelu = c.hiddenAct().equals("gelu") ? "torch.gelu(h)" : "torch.gelu(h, approximate=\"tanh\")";

        JitModule root = b.module("TimesformerForVideoClassification");
        JitModule backbone = b.child(root, "timesformer", "TimesformerModel");
        JitModule emb = b.child(backbone, "embeddings", "TimesformerEmbeddings");
        b.params(emb, "timesformer.embeddings.", "cls_token", "position_embeddings");
        if (!spaceOnly) b.params(emb, "timesformer.embeddings.", "time_embeddings");
        JitModule pe = b.child(emb, "patch_embeddings", "TimesformerPatchEmbeddings");
        b.linearLike(b.child(pe, "projection", "Conv2d"), "timesformer.embeddings.patch_embeddings.projection.");
        List<Integer> stemWidths = c.convStem();
        if (!stemWidths.isEmpty()) {
            JitModule stem = b.child(pe, "stem", "ConvStem");
            for (int i = 0; i < stemWidths.size(); i++) {
                String sp = "timesformer.embeddings.patch_embeddings.stem." + i + ".";
                JitModule layer = b.child(stem, Integer.toString(i), "ConvStemLayer");
                b.linearLike(b.child(layer, "conv", "Conv3d"), sp + "conv.");
                b.linearLike(b.child(layer, "norm", "GroupNorm"), sp + "norm.");
            }
        }
        JitModule encoder = b.child(backbone, "encoder", "TimesformerEncoder");
        JitModule layers = b.child(encoder, "layer", "ModuleList");
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "timesformer.encoder.layer." + i + ".";
            JitModule layer = b.child(layers, Integer.toString(i), "TimesformerLayer_" + i);
            attention(b, b.child(layer, "attention", "TimesformerAttention_" + i), p + "attention.", c);
            b.linearLike(b.child(b.child(layer, "intermediate", "TimesformerIntermediate_" + i), "dense", "Linear"),
                    p + "intermediate.dense.");
            b.linearLike(b.child(b.child(layer, "output", "TimesformerOutput_" + i), "dense", "Linear"), p + "output.dense.");
            b.linearLike(b.child(layer, "layernorm_before", "LayerNorm"), p + "layernorm_before.");
            b.linearLike(b.child(layer, "layernorm_after", "LayerNorm"), p + "layernorm_after.");
            String mlp = """
                    def mlp(self, x: Tensor) -> Tensor:
                        h = torch.linear(x, self.intermediate.dense.weight, self.intermediate.dense.bias)
                        h = %s
                        return torch.linear(h, self.output.dense.weight, self.output.dense.bias)

                    def ln_after(self, x: Tensor) -> Tensor:
                        return torch.layer_norm(x, [%d], self.layernorm_after.weight, self.layernorm_after.bias, %s)

                    def ln_before(self, x: Tensor) -> Tensor:
                        return torch.layer_norm(x, [%d], self.layernorm_before.weight, self.layernorm_before.bias, %s)
                    """.formatted(gelu, d, eps, d, eps);
            if (divided) {
                b.linearLike(b.child(layer, "temporal_layernorm", "LayerNorm"), p + "temporal_layernorm.");
                attention(b, b.child(layer, "temporal_attention", "TimesformerTemporalAttention_" + i),
                        p + "temporal_attention.", c);
                b.linearLike(b.child(layer, "temporal_dense", "Linear"), p + "temporal_dense.");
                // the official divided block, in the order of TimesformerLayer.forward
                layer.define(mlp + """

                        def forward(self, x: Tensor, b: int, t: int) -> Tensor:
                            d = x.size(2)
                            n = (x.size(1) - 1) // t
                            # temporal attention among the T frames of each patch: rows (B*N, T, D)
                            patches = x.narrow(1, 1, n * t)
                            xt = patches.reshape(b * n, t, d)
                            xt = torch.layer_norm(xt, [d], self.temporal_layernorm.weight, self.temporal_layernorm.bias, %s)
                            res_t = self.temporal_attention.forward(xt).reshape(b, n * t, d)
                            xt = patches + torch.linear(res_t, self.temporal_dense.weight, self.temporal_dense.bias)
                            # spatial attention among the N patches of each frame, with the CLS token: rows (B*T, 1+N, D)
                            init_cls = x.narrow(1, 0, 1)
                            cls = init_cls.unsqueeze(1).expand(b, t, 1, d)
                            xs = torch.cat([cls, xt.view(b, n, t, d).permute(0, 2, 1, 3)], 2).view(b * t, n + 1, d)
                            res_s = self.attention.forward(self.ln_before(xs))
                            cls_res = res_s.select(1, 0).reshape(b, t, d).mean([1], True)
                            tokens = xt.view(b, n, t, d) + res_s.narrow(1, 1, n).view(b, t, n, d).permute(0, 2, 1, 3)
                            x = torch.cat([init_cls + cls_res, tokens.view(b, n * t, d)], 1)
                            return x + self.mlp(self.ln_after(x))
                        """.formatted(eps));
            } else {
                layer.define(mlp + """

                        def forward(self, x: Tensor, b: int, t: int) -> Tensor:
                            x = x + self.attention.forward(self.ln_before(x))
                            return x + self.mlp(self.ln_after(x))
                        """);
            }
        }
        b.linearLike(b.child(backbone, "layernorm", "LayerNorm"), "timesformer.layernorm.");
        b.linearLike(b.child(root, "classifier", "Linear"), "classifier.");
        int p = c.patchSize(), img = c.imageSize(), frames = c.numFrames(), ch = c.numChannels();
        List<String> f = new ArrayList<>();
        f.add("def features(self, pixel_values: Tensor) -> Tensor:");
        f.add("    assert pixel_values.dim() == 5, \"pixel_values must be (B, T, C, H, W)\"");
        f.add("    b = pixel_values.size(0)");
        f.add("    frames = pixel_values.size(1)");
        f.add("    c = pixel_values.size(2)");
        f.add("    h = pixel_values.size(3)");
        f.add("    w = pixel_values.size(4)");
        if (spaceOnly) f.add(("    assert c == %d and h == %d and w == %d and frames %% %d == 0, \"pixel_values must be (B, T, %d, %d, %d)"
                + " with T a multiple of the tubelet size %d\"").formatted(ch, img, img, k, ch, img, img, k));
        else f.add("    assert frames == %d and c == %d and h == %d and w == %d, \"pixel_values must be (B, %d, %d, %d, %d)\""
                .formatted(frames, ch, img, img, frames, ch, img, img));
        f.add("    t = frames // %d".formatted(k));                                             // T' temporal positions
        switch (transform) {                                                                   // as TimeSformer.transformInput
            case "none" -> f.add("    x_in = pixel_values");
            case "temporal_residual" -> f.add("    x_in = pixel_values - pixel_values.mean([1], True)");
            case "frame_difference" -> {
                f.add("    if frames < 2:");
                f.add("        x_in = torch.zeros_like(pixel_values)");
                f.add("    else:");
                f.add("        x_in = torch.cat([pixel_values.narrow(1, 1, frames - 1) - pixel_values.narrow(1, 0, frames - 1),"
                        + " torch.zeros_like(pixel_values.narrow(1, 0, 1))], 1)");
            }
            default -> throw new IllegalArgumentException("input_transform '" + transform + "' is not supported by the export");
        }
        if (!stemWidths.isEmpty()) {                                                           // as TimeSformer.embed
            f.add("    s = x_in.transpose(1, 2)");                                                  // (B, C, T, H, W)
            for (int i = 0; i < stemWidths.size(); i++) {
                int st = i < 2 ? 2 : 1;
                f.add("    sl = getattr(self.timesformer.embeddings.patch_embeddings.stem, \"" + i + "\")");
                f.add("    s = torch.conv3d(s, sl.conv.weight, sl.conv.bias, [1, %d, %d], [1, 1, 1])".formatted(st, st));
                f.add("    s = torch.gelu(torch.group_norm(s, 1, sl.norm.weight, sl.norm.bias, 1e-05))");
            }
            f.add("    x_in = s.transpose(1, 2)");                                                  // (B, T, W, H/S, W/S)
            f.add("    c = x_in.size(2)");
            f.add("    h = x_in.size(3)");
            f.add("    w = x_in.size(4)");
            p = p / c.stemStride();
        }
        f.add("    proj = self.timesformer.embeddings.patch_embeddings.projection");
        if (k == 1) {
            f.add("    x = torch.conv2d(x_in.reshape(b * t, c, h, w), proj.weight, proj.bias, [%d, %d])".formatted(p, p));
            f.add("    x = x.flatten(2, -1).transpose(1, 2)");                                     // (B*T, N, D)
            f.add("    n = x.size(1)");
        } else {
            f.add("    x = torch.conv3d(x_in.transpose(1, 2), proj.weight, proj.bias, [%d, %d, %d])".formatted(k, p, p));
            f.add("    x = x.flatten(3, -1)");                                                     // (B, D, T', N)
            f.add("    n = x.size(3)");
            f.add("    x = x.permute(0, 2, 3, 1).reshape(b * t, n, %d)".formatted(d));             // (B*T', N, D)
        }
        f.add("    x = torch.cat([self.timesformer.embeddings.cls_token.expand(b * t, 1, %d), x], 1)".formatted(d));
        f.add("    x = x + self.timesformer.embeddings.position_embeddings");                       // (B*T, 1+N, D)
        if (!spaceOnly) {
            // time embeddings on the patch tokens; sequence (B, 1+N*T, D), time fastest
            f.add("    cls = x.narrow(0, 0, b).narrow(1, 0, 1)");
            f.add("    tokens = x.narrow(1, 1, n).reshape(b, t, n, %d).permute(0, 2, 1, 3)".formatted(d));
            f.add("    tokens = tokens + self.timesformer.embeddings.time_embeddings");
            f.add("    x = torch.cat([cls, tokens.reshape(b, n * t, %d)], 1)".formatted(d));
        }
        for (int i = 0; i < c.numHiddenLayers(); i++)
            f.add("    x = getattr(self.timesformer.encoder.layer, \"" + i + "\").forward(x, b, t)");
        if (spaceOnly) f.add("    x = x.reshape(b, t, n + 1, %d).mean([1], False)".formatted(d));   // (B, 1+N, D)
        f.add("    ln = self.timesformer.layernorm");
        if (c.pooling() == Pooling.MEAN) {                                                     // the mean patch token
            f.add("    x = x.narrow(1, 1, x.size(1) - 1).mean([1], False)");                        // (B, D)
            f.add("    return torch.layer_norm(x, [%d], ln.weight, ln.bias, %s)".formatted(d, eps));
        } else {
            f.add("    x = torch.layer_norm(x, [%d], ln.weight, ln.bias, %s)".formatted(d, eps));
            f.add("    return x.select(1, 0)");                                                     // (B, D)
        }
        f.add("");
        f.add("def forward(self, pixel_values: Tensor) -> Tensor:");
        f.add("    return torch.linear(self.features(pixel_values), self.classifier.weight, self.classifier.bias)");
        root.define(String.join("\n", f) + "\n");
        root.eval();
        return root;
    }

    /** A {@code SelfAttention} as a scripted module: fused qkv, SDPA, output projection. */
    private static void attention(Builder b, JitModule m, String prefix, TimesformerConfig c) {
        JitModule inner = b.child(m, "attention", "SelfAttention");
        JitModule qkv = b.child(inner, "qkv", "Linear");
        b.params(qkv, prefix + "attention.qkv.", "weight");
        boolean bias = b.has(prefix + "attention.qkv.bias");
        if (bias) b.params(qkv, prefix + "attention.qkv.", "bias");
        b.linearLike(b.child(b.child(m, "output", "SelfOutput"), "dense", "Linear"), prefix + "output.dense.");
        int h = c.numAttentionHeads();
        m.define("""
                def forward(self, x: Tensor) -> Tensor:
                    r = x.size(0)
                    l = x.size(1)
                    d = x.size(2)
                    qkv = torch.linear(x, self.attention.qkv.weight%s).reshape(r, l, 3, %d, d // %d).permute(2, 0, 3, 1, 4)
                    a = torch.scaled_dot_product_attention(qkv.select(0, 0), qkv.select(0, 1), qkv.select(0, 2))
                    return torch.linear(a.transpose(1, 2).reshape(r, l, d), self.output.dense.weight, self.output.dense.bias)
                """.formatted(bias ? ", self.attention.qkv.bias" : "", h, h));
    }

    /** Creates the module tree and registers the trained tensors. */
    private static final class Builder {
        private final CompilationUnit cu;
        private final Map<String, Tensor> sd;
        private final List<String> used = new ArrayList<>();
        private int serial;

        Builder(CompilationUnit cu, Map<String, Tensor> sd) {
            this.cu = cu;
            this.sd = sd;
        }

        JitModule module(String type) {
            return new JitModule(new QualifiedName(NS + type + "_" + (serial++)), cu, true);
        }

        JitModule child(JitModule parent, String name, String type) {
            JitModule m = module(type);
            parent.register_module(name, m);
            return m;
        }

        boolean has(String name) {
            return sd.containsKey(name);
        }

        void linearLike(JitModule m, String prefix) {
            params(m, prefix, "weight");
            if (has(prefix + "bias")) params(m, prefix, "bias");
        }

        void params(JitModule m, String prefix, String... names) {
            for (String n : names) {
                Tensor t = sd.get(prefix + n);
                if (t == null) throw new IllegalStateException("model has no parameter " + prefix + n);
                try (NoGradGuard g = new NoGradGuard()) {
                    m.register_parameter(n, t.detach().clone(), false);
                }
                used.add(prefix + n);
            }
        }
    }

    private static String num(double v) {
        String s = String.format(Locale.ROOT, "%.17g", v);
        return s.contains("e") || s.contains(".") ? s : s + ".0";
    }

    static String firstLine(String s) {
        if (s == null) return "unknown error";
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
