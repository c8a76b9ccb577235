package io.timesformer4j.model;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.zeros;

/**
 * Masked video modelling (VideoMAE, Tong et al. 2022) on a TimeSformer encoder: the encoder sees only the visible
 * tubes of a {@link TubeMask} ({@link TimeSformer#forwardVisible}); a light decoder (a linear map to a smaller
 * width, learned mask tokens, fixed sinusoidal position embeddings over all {@code T*N} positions, a few
 * transformer blocks with joint attention, LayerNorm, a linear head to patch pixels) predicts the pixels of the
 * masked patches; the loss is the MSE against the per-patch normalised pixels of the masked patches only.
 *
 * <p>Parameter names: {@code encoder.timesformer.*} (the encoder, Hugging Face names under {@code encoder.};
 * {@code encoder.classifier.*} exists but is not used here) and {@code decoder.*}.
 */
public final class MaskedVideoModel extends Module {
    /** Target normalisation epsilon (VideoMAE: {@code (x - mean) / (std + 1e-6)} per patch). */
    static final double PATCH_EPS = 1e-6;

    /**
     * Decoder shape.
     *
     * @param width  hidden size of the decoder blocks
     * @param depth  number of decoder blocks
     * @param heads  attention heads (must divide width)
     */
    public record DecoderConfig(int width, int depth, int heads) {
        public DecoderConfig {
            if (width < 1 || depth < 1 || heads < 1 || width % heads != 0)
                throw new IllegalArgumentException("decoder width " + width + " must be a positive multiple of its heads "
                        + heads + ", depth " + depth + " >= 1");
        }

        /**
         * VideoMAE's proportions for an encoder: half its width, 4 blocks, the encoder's head size
         * ({@code width} and {@code depth} override them when &gt; 0).
         */
        public static DecoderConfig defaults(TimesformerConfig encoder, int width, int depth) {
            int w = width > 0 ? width : Math.max(1, encoder.hiddenSize() / 2);
            int headDim = Math.max(1, encoder.hiddenSize() / encoder.numAttentionHeads());
            int heads = Math.max(1, w / headDim);
            while (w % heads != 0) heads--;
            return new DecoderConfig(w, depth > 0 ? depth : 4, heads);
        }
    }

    /** One step's results: the scalar loss, and the prediction and target of the masked patches {@code (B, T*Nm, P)}. */
    public record Output(Tensor loss, Tensor prediction, Tensor target) {}

    private final TimeSformer encoder;
    private final DecoderConfig decoderConfig;
    private final float[] mean, std;
    private final Dense toDecoder;
    private final Tensor maskToken;                  // (1, 1, Dd)
    private final Tensor decoderPos;                 // (1, T, N, Dd), fixed sinusoids (buffer)
    private final List<TimesformerLayer> blocks = new ArrayList<>();
    private final LayerNormImpl decoderNorm;
    private final Dense head;
    private final Module decoder;                   // container: JavaCPP calls back into it, keep it reachable
    private final Module layerList;

    /**
     * @param encoder the TimeSformer to pretrain (its parameters are this module's {@code encoder.*})
     * @param decoder decoder shape
     * @param mean    per-channel mean of the input normalisation (to recover pixels for the target)
     * @param std     per-channel std of the input normalisation
     */
    public MaskedVideoModel(TimeSformer encoder, DecoderConfig decoder, float[] mean, float[] std) {
        this.encoder = register_module("encoder", encoder);
        this.decoderConfig = decoder;
        this.mean = mean.clone();
        this.std = std.clone();
        TimesformerConfig c = encoder.config();
        int dd = decoder.width();
        this.decoder = register_module("decoder", new Module());
        LinearOptions lo = new LinearOptions(c.hiddenSize(), dd);
        lo.bias().put(false);
        toDecoder = new Dense(this.decoder.register_module("encoder_to_decoder", new LinearImpl(lo)));
        maskToken = zeros(1, 1, dd);
        this.decoder.register_parameter("mask_token", maskToken);
        int tp = c.numFrames() / tubelet(c);                                                    // T' time positions
        decoderPos = sinusoids(tp * c.numPatches(), dd).view(1, tp, c.numPatches(), dd);
        this.decoder.register_buffer("position_embeddings", decoderPos);
        TimesformerConfig blockConfig = TimesformerConfig.of(c.imageSize(), c.patchSize(), c.numFrames(), dd,
                decoder.depth(), decoder.heads(), 4 * dd, AttentionType.JOINT_SPACE_TIME, c.labels());
        layerList = this.decoder.register_module("layer", new Module());
        for (int i = 0; i < decoder.depth(); i++)
            blocks.add(layerList.register_module(Integer.toString(i), new TimesformerLayer(blockConfig, 0.0)));
        decoderNorm = this.decoder.register_module("layernorm", TimesformerLayer.layerNorm(dd, c.layerNormEps()));
        head = new Dense(this.decoder.register_module("head", new LinearImpl(dd, patchDim())));
        initDecoder(c.initializerRange());
    }

    public TimeSformer encoder() {
        return encoder;
    }

    public DecoderConfig decoderConfig() {
        return decoderConfig;
    }

    /** Pixel values per token: {@code tubelet * patch * patch * channels} (one patch of k frames). */
    public int patchDim() {
        TimesformerConfig c = encoder.config();
        return tubelet(c) * c.patchSize() * c.patchSize() * c.numChannels();
    }

    /**
     * Frames per token, k: the encoder's tubelet size (tokens of {@code T' = T/k} time positions); every masked
     * token's target is its {@code (k, p, p)} cube of pixels (VideoMAE's 2x16x16 cubes for k = 2).
     */
    static int tubelet(TimesformerConfig c) {
        return c.tubeletSize();
    }

    /**
     * {@code pixelValues (B, T, C, H, W)} (normalised as the encoder wants) and a mask of B clips: the loss over the
     * masked patches, with their prediction and target {@code (B, T'*Nm, P)} ({@code T' = T/k} token time positions).
     */
    public Output forward(Tensor pixelValues, TubeMask mask) {
        long b = pixelValues.size(0), t = pixelValues.size(1) / tubelet(encoder.config());               // T'
        long n = mask.numPatches(), nv = mask.visibleCount(), nm = mask.maskedCount(), dd = decoderConfig.width();
        checkGrid(pixelValues, n);
        Tensor vis = mask.visibleIndex(), msk = mask.maskedIndex();                           // (B, Nv), (B, Nm)
        Tensor tokens = encoder.forwardVisible(pixelValues, vis, false).tokens();             // (B, T, Nv, D)
        Tensor pos = decoderPos.expand(b, t, n, dd);                                          // (B, T, N, Dd)
        Tensor visPos = pos.gather(2, vis.view(b, 1, nv, 1).expand(b, t, nv, dd));           // (B, T, Nv, Dd)
        Tensor mskPos = pos.gather(2, msk.view(b, 1, nm, 1).expand(b, t, nm, dd));           // (B, T, Nm, Dd)
        Tensor x = cat(new TensorVector(
                toDecoder.apply(tokens).add(visPos).reshape(b, t * nv, dd),
                maskToken.view(1, 1, 1, dd).add(mskPos).reshape(b, t * nm, dd)), 1);          // (B, T*N, Dd)
        for (TimesformerLayer blk : blocks) x = blk.forward(x, b, t);
        Tensor pred = head.apply(decoderNorm.forward(x.narrow(1, t * nv, t * nm)));           // (B, T*Nm, P)
        Tensor target;
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor[] stats = patchStats(pixelValues);
            long q = stats[0].size(3), ch = stats[0].size(4);
            Tensor normed = stats[0].sub(stats[1]).div(stats[2].add(new Scalar(PATCH_EPS)));  // (B, T, N, Q, C)
            target = normed.reshape(b, t, n, q * ch)
                    .gather(2, msk.view(b, 1, nm, 1).expand(b, t, nm, q * ch))
                    .reshape(b, t * nm, q * ch);                                                // (B, T*Nm, P)
        }
        return new Output(mse_loss(pred, target), pred, target);
    }

    /**
     * The clip as the model sees it after reconstruction, in pixel units {@code [0, 1]} {@code (B, T, C, H, W)}:
     * visible patches as they are, masked patches from the prediction, de-normalised with the true patch's mean
     * and standard deviation (as VideoMAE visualises its per-patch normalised target).
     */
    public Tensor reconstruct(Tensor pixelValues, TubeMask mask) {
        try (NoGradGuard g = new NoGradGuard()) {
            int k = tubelet(encoder.config()), p = encoder.config().patchSize();
            long b = pixelValues.size(0), frames = pixelValues.size(1), t = frames / k, c = pixelValues.size(2);
            long h = pixelValues.size(3), w = pixelValues.size(4);
            long n = mask.numPatches(), nm = mask.maskedCount();
            Tensor pred = forward(pixelValues, mask).prediction();                            // (B, T*Nm, P)
            Tensor[] stats = patchStats(pixelValues);                                          // (B, T, N, Q, C)
            long q = stats[0].size(3);
            Tensor idx = mask.maskedIndex().view(b, 1, nm, 1, 1).expand(b, t, nm, q, c);
            Tensor mu = stats[1].gather(2, idx.narrow(3, 0, 1)), sd = stats[2].gather(2, idx.narrow(3, 0, 1));
            Tensor filled = pred.view(b, t, nm, q, c).mul(sd.add(new Scalar(PATCH_EPS))).add(mu);
            Tensor all = stats[0].scatter(2, idx, filled);                                     // (B, T', N, Q, C)
            return all.view(b, t, h / p, w / p, k, p, p, c).permute(0, 1, 4, 7, 2, 5, 3, 6).reshape(b, frames, c, h, w)
                    .clamp(new ScalarOptional(new Scalar(0.0)), new ScalarOptional(new Scalar(1.0)));
        }
    }

    /** Input pixels in {@code [0, 1]} units (the normalisation undone), {@code (B, T, C, H, W)}. */
    public Tensor pixels(Tensor pixelValues) {
        Tensor s = Tensor.create(std.clone(), 1, 1, 3, 1, 1), m = Tensor.create(mean.clone(), 1, 1, 3, 1, 1);
        return pixelValues.mul(s).add(m);
    }

    /**
     * Patches of the clip in pixel units and their per-patch, per-channel mean and (unbiased) standard deviation:
     * {@code [patches (B, T', N, Q, C), mean (B, T', N, 1, C), std (B, T', N, 1, C)]}, Q = k*p*p pixels (the
     * token's k frames, each p x p row-major), positions row-major.
     */
    private Tensor[] patchStats(Tensor pixelValues) {
        int k = tubelet(encoder.config()), p = encoder.config().patchSize();
        long b = pixelValues.size(0), t = pixelValues.size(1) / k, c = pixelValues.size(2);
        long h = pixelValues.size(3), w = pixelValues.size(4);
        long gh = h / p, gw = w / p;
        Tensor x = pixels(pixelValues).view(b, t, k, c, gh, p, gw, p).permute(0, 1, 4, 6, 2, 5, 7, 3)
                .reshape(b, t, gh * gw, (long) k * p * p, c);                                  // (B, T', N, Q, C)
        Tensor mu = x.mean(new long[] {3}, true, new ScalarTypeOptional());
        Tensor sd = x.var(new long[] {3}, true, true).sqrt();
        return new Tensor[] {x, mu, sd};
    }

    private void checkGrid(Tensor pixelValues, long n) {
        int p = encoder.config().patchSize();
        long have = (pixelValues.size(3) / p) * (pixelValues.size(4) / p);
        if (have != n) throw new IllegalArgumentException("the mask has " + n + " positions, the clip "
                + TimeSformer.shape(pixelValues) + " has " + have + " patches per frame");
        int k = tubelet(encoder.config());
        if (pixelValues.size(1) % k != 0 || pixelValues.size(1) / k != decoderPos.size(1))
            throw new IllegalArgumentException("the decoder is built for " + decoderPos.size(1) * k + " frames, the clip has "
                    + pixelValues.size(1));
    }

    /** Decoder init as the encoder's Linear layers: trunc-normal weights, zero biases; mask token trunc-normal. */
    private void initDecoder(double stdInit) {
        try (NoGradGuard g = new NoGradGuard()) {
            OfficialInit.truncNormal(maskToken, stdInit);
            List<Dense> linears = new ArrayList<>(List.of(toDecoder, head));
            for (TimesformerLayer l : blocks) linears.addAll(List.of(l.attn.qkv, l.attn.proj, l.fc1, l.fc2));
            for (Dense lin : linears) OfficialInit.linear(lin, stdInit);
        }
    }

    /** VideoMAE's fixed 1-D sinusoid table {@code (L, D)}: sin on even, cos on odd channels, angle pos / 10000^(2(j/2)/D). */
    static Tensor sinusoids(int length, int dim) {
        float[] v = new float[length * dim];
        for (int pos = 0; pos < length; pos++) {
            for (int j = 0; j < dim; j++) {
                double angle = pos / Math.pow(10000, 2.0 * (j / 2) / dim);
                v[pos * dim + j] = (float) (j % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
            }
        }
        return Tensor.create(v, length, dim);
    }
}
