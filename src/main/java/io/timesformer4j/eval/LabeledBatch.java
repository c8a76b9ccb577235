package io.timesformer4j.eval;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * One batch for the training and evaluation loops. The tensors are created on demand so that the loop can
 * create (and free) them inside its per-step {@code PointerScope}.
 */
public interface LabeledBatch {
    /** Number of samples (clips), not counting views. */
    int size();

    /** Views per sample; {@link #inputs()} holds {@code size() * views()} rows, sample-major. */
    default int views() {
        return 1;
    }

    /** The model input, {@code (size*views, ...)}. */
    Tensor inputs();

    /** Class indices {@code (size)}, int64. */
    Tensor labels();

    /** Class indices as Java ints (for metrics without a tensor round-trip). */
    int[] labelArray();

    /** Names of the samples (file paths) in order, for reports; may be empty. */
    default List<String> ids() {
        return List.of();
    }
}
