package io.timesformer4j.eval;

import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * What the trainer optimises: a libtorch module (its parameters, train/eval mode, state) and the forward
 * function from an input batch to logits {@code (N, numClasses)}. For TimeSformer the input is
 * {@code (N, T, C, H, W)}; tests use small MLPs.
 */
public interface Classifier {
    /** The module owning every trainable parameter. */
    Module module();

    /** Logits {@code (N, K)} for inputs whose first dimension is N. */
    Tensor logits(Tensor input);

    /** Wraps a module and its forward function. */
    static Classifier of(Module module, UnaryOperator<Tensor> forward) {
        return new Classifier() {
            @Override public Module module() { return module; }
            @Override public Tensor logits(Tensor input) { return forward.apply(input); }
        };
    }
}
