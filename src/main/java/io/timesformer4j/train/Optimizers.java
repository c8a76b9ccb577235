package io.timesformer4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.StringTensorDictItem;
import org.bytedeco.pytorch.StringTensorDictItemVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Builds the optimizer for a module: {@link FusedAdam} for Adam and AdamW, libtorch's {@code SGD} for SGD.
 *
 * <p>Adam and SGD apply their weight decay to every parameter (as {@code torch.optim} does with one group).
 * AdamW uses two parameter groups: group 0 is decayed; group 1 ({@link #isNoDecay}) holds biases, norms,
 * the position/time embeddings and the CLS token with weight decay 0 (the usual ViT/TimeSformer fine-tuning practice).
 * Adam's betas and eps are PyTorch's defaults (0.9, 0.999, 1e-8).
 */
public final class Optimizers {
    private Optimizers() {}

    /** Creates the optimizer over {@code module}'s trainable parameters. */
    public static TrainOptimizer create(Module module, OptimizerSpec spec) {
        List<Tensor> decay = new ArrayList<>(), noDecay = new ArrayList<>();
        StringTensorDictItemVector items = module.named_parameters(true).items();
        for (long i = 0; i < items.size(); i++) {
            StringTensorDictItem it = items.get(i);
            String name = it.key().getString();
            Tensor p = new Tensor(it.value());      // value() points into the item, freed when the item is collected
            java.lang.ref.Reference.reachabilityFence(it);
            if (!p.requires_grad()) continue;
            (isNoDecay(name, p.dim()) ? noDecay : decay).add(p);
        }
        java.lang.ref.Reference.reachabilityFence(items);
        List<Tensor> all = new ArrayList<>(decay);
        all.addAll(noDecay);
        if (all.isEmpty()) throw new IllegalArgumentException("the model has no trainable parameters");
        switch (spec.kind()) {
            case ADAM -> {
                return FusedAdam.adam(List.of(new FusedAdam.Group(all, spec.weightDecay())), spec.lr(), 0.9, 0.999, 1e-8);
            }
            case SGD -> {
                SGDOptions o = new SGDOptions(spec.lr());
                o.momentum().put(spec.momentum());
                o.weight_decay().put(spec.weightDecay());
                o.nesterov().put(spec.nesterov());
                return TrainOptimizer.of(new SGD(new TensorVector(all.toArray(new Tensor[0])), o));
            }
            case ADAMW -> {
                List<FusedAdam.Group> groups = new ArrayList<>();   // the first non-empty list is group 0, as before
                if (!decay.isEmpty()) groups.add(new FusedAdam.Group(decay, spec.weightDecay()));
                if (!noDecay.isEmpty()) groups.add(new FusedAdam.Group(noDecay, 0.0));
                return FusedAdam.adamW(groups, spec.lr(), 0.9, 0.999, 1e-8);
            }
            default -> throw new IllegalStateException(spec.kind().toString());
        }
    }

    /**
     * True for parameters AdamW must not decay: tensors with at most one dimension (biases, LayerNorm
     * weights) and the embeddings the official model lists in {@code no_weight_decay()}: the CLS token and the
     * position and time embeddings. The patch-embedding convolution is a weight like any other and is decayed.
     */
    public static boolean isNoDecay(String name, long ndim) {
        String n = name.toLowerCase(Locale.ROOT);
        return ndim <= 1 || n.endsWith("cls_token") || n.endsWith("position_embeddings") || n.endsWith("time_embeddings")
                || n.endsWith("pos_embed") || n.endsWith("time_embed");
    }
}
