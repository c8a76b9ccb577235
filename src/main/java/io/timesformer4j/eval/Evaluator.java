package io.timesformer4j.eval;

import io.timesformer4j.model.Autocast;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Runs a classifier in eval mode over batches and collects softmax probabilities averaged over each sample's
 * views (the TimeSformer test protocol: temporal x spatial views, mean of softmax scores).
 */
public final class Evaluator {
    private Evaluator() {}

    /**
     * Predicts every batch. Each batch is processed inside its own {@code PointerScope} under no-grad, so
     * native memory stays flat. The module is left in eval mode.
     */
    public static Predictions predict(Classifier model, Iterable<LabeledBatch> batches, Precision precision,
                                      Progress progress) {
        model.module().eval();
        List<float[]> probs = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        try (NoGradGuard ng = new NoGradGuard()) {
            for (LabeledBatch b : batches) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor logits;
                    try (Autocast.Scope ps = precision.enter()) {
                        logits = model.logits(b.inputs());                    // (B*V, K)
                    }
                    long k = logits.size(1);
                    Tensor p = torch.softmax(logits.to(ScalarType.Float), 1)
                            .reshape(b.size(), b.views(), k).mean(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional())
                            .contiguous();                                    // (B, K)
                    float[] flat = new float[(int) (b.size() * k)];
                    p.data_ptr_float().get(flat);
                    int[] y = b.labelArray();
                    for (int i = 0; i < b.size(); i++) {
                        float[] row = new float[(int) k];
                        System.arraycopy(flat, (int) (i * k), row, 0, (int) k);
                        probs.add(row);
                        labels.add(y[i]);
                    }
                    ids.addAll(b.ids());
                }
                progress.step(b.size());
            }
        }
        int[] ys = labels.stream().mapToInt(Integer::intValue).toArray();
        return new Predictions(probs.toArray(new float[0][]), ys, ids.size() == ys.length ? ids : List.of());
    }
}
