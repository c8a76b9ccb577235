package io.timesformer4j.model;

import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

import static org.bytedeco.pytorch.global.torch.erf;
import static org.bytedeco.pytorch.global.torch.scalar_tensor;

/**
 * The official TimeSformer initialisation ({@code VisionTransformer.__init__} / {@code _init_weights}):
 * {@code trunc_normal_(std=.02)} for cls/pos embeddings and every Linear weight, zero Linear biases,
 * LayerNorm weight 1 / bias 0, time embeddings zero, the patch convolution at PyTorch's default, and for
 * divided attention {@code temporal_fc} zero in every block.
 *
 * <p>About {@code temporal_fc}: the official loop {@code for m in self.blocks.modules(): if 'Block' in str(m):
 * if i > 0: zero(m.temporal_fc); i += 1} reads as "all but block 0", but {@code modules()} yields the
 * {@code ModuleList} itself first (its string contains "Block"), which takes {@code i = 0}; so block 0 is
 * zeroed as well and every divided block starts as a pure spatial block.
 */
public final class OfficialInit {
    private OfficialInit() {}

    /** Re-initialises every parameter of {@code model} from libtorch's global generator. */
    public static void apply(TimeSformer model) {
        double std = model.config().initializerRange();
        try (NoGradGuard g = new NoGradGuard()) {
            truncNormal(model.posEmbed, std);
            truncNormal(model.clsToken, std);
            if (model.timeEmbed != null) model.timeEmbed.zero_();
            for (TimesformerLayer l : model.layers) {
                for (Dense lin : new Dense[] {l.attn.qkv, l.attn.proj, l.fc1, l.fc2}) linear(lin, std);
                ones(l.norm1.weight(), l.norm1.bias());
                ones(l.norm2.weight(), l.norm2.bias());
                if (l.temporalAttn != null) {
                    linear(l.temporalAttn.qkv, std);
                    linear(l.temporalAttn.proj, std);
                    linear(l.temporalFc, std);
                    ones(l.temporalNorm1.weight(), l.temporalNorm1.bias());
                }
            }
            for (TimesformerLayer l : model.layers) {
                if (l.temporalFc != null) {
                    l.temporalFc.module.weight().zero_();
                    l.temporalFc.module.bias().zero_();
                }
            }
            ones(model.norm.weight(), model.norm.bias());
            linear(model.classifier, std);
        }
    }

    /**
     * The from-scratch variant ({@code --init-scheme scratch}): after {@link #apply}, every {@code temporal_fc}
     * (weight trunc-normal {@code initializer_range}, bias 0, as Hugging Face's {@code _init_weights} leaves it)
     * and the time embeddings (trunc-normal {@code initializer_range}) start non-zero. The official zeros make a
     * divided model start as an image model, which suits ImageNet-initialised training; from scratch they make it
     * blind to frame order at step 0 (docs/training.md).
     */
    public static void applyScratch(TimeSformer model) {
        double std = model.config().initializerRange();
        try (NoGradGuard g = new NoGradGuard()) {
            if (model.timeEmbed != null) truncNormal(model.timeEmbed, std);
            for (TimesformerLayer l : model.layers) if (l.temporalFc != null) linear(l.temporalFc, std);
        }
    }

    /** A Linear layer as the official init leaves it: trunc-normal weight, zero bias. */
    static void linear(Dense layer, double std) {
        LinearImpl l = layer.module;
        truncNormal(l.weight(), std);
        if (l.bias() != null && l.bias().defined()) l.bias().zero_();
    }

    private static void ones(Tensor w, Tensor b) {
        w.fill_(new Scalar(1.0));
        b.zero_();
    }

    /** timm's {@code trunc_normal_(t, std=std, a=-2, b=2)} by the inverse-CDF (erfinv) method, in place. */
    public static void truncNormal(Tensor t, double std) {
        double a = -2, b = 2, mean = 0;
        double l = 0.5 * (1 + erf1((a - mean) / std / Math.sqrt(2)));
        double u = 0.5 * (1 + erf1((b - mean) / std / Math.sqrt(2)));
        try (NoGradGuard g = new NoGradGuard()) {
            t.uniform_(2 * l - 1, 2 * u - 1, new GeneratorOptional());
            t.erfinv_();
            t.mul_(new Scalar(std * Math.sqrt(2)));
            t.add_(new Scalar(mean));
            t.clamp_(new ScalarOptional(new Scalar(a)), new ScalarOptional(new Scalar(b)));
        }
    }

    private static double erf1(double x) {
        return erf(scalar_tensor(new Scalar(x), new TensorOptions(ScalarType.Double))).item_double();
    }
}
