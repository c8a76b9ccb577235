package io.timesformer4j.train;

import io.timesformer4j.eval.Classifier;
import io.timesformer4j.eval.LabeledBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Test fixtures: a two-layer MLP with dropout and Gaussian-blob batches held as Java arrays. */
final class TinyData {
    private TinyData() {}

    /** {@code (N, in)} → Linear → ReLU → dropout(0.2) → Linear → {@code (N, classes)}. */
    static final class Mlp extends Module {
        final LinearImpl fc1, fc2;

        Mlp(int in, int hidden, int classes) {
            fc1 = register_module("fc1", new LinearImpl(in, hidden));
            fc2 = register_module("fc2", new LinearImpl(hidden, classes));
        }

        Tensor forward(Tensor x) {
            return fc2.forward(torch.dropout(torch.relu(fc1.forward(x)), 0.2, is_training()));
        }

        Classifier classifier() {
            return Classifier.of(this, this::forward);
        }
    }

    /** A batch of float rows; {@code views} rows per label. */
    record ArrayBatch(float[] x, int dim, int views, int[] y) implements LabeledBatch {
        @Override public int size() { return y.length; }
        @Override public Tensor inputs() { return Tensor.create(x, (long) y.length * views, dim); }
        @Override public Tensor labels() {
            long[] l = new long[y.length];
            for (int i = 0; i < l.length; i++) l[i] = y[i];
            return Tensor.create(l, y.length);
        }
        @Override public int[] labelArray() { return y.clone(); }
    }

    /** {@code n} samples in {@code classes} Gaussian blobs of dimension {@code dim}, split into batches. */
    static List<ArrayBatch> blobs(int n, int classes, int dim, int batch, long seed) {
        return blobs(n, classes, dim, batch, seed, seed);
    }

    /**
     * Blobs whose centres come from {@code centreSeed} and whose noise comes from {@code noiseSeed}: the same
     * classes with new samples (a validation set disjoint from the training set).
     */
    static List<ArrayBatch> blobs(int n, int classes, int dim, int batch, long centreSeed, long noiseSeed) {
        Random r = new Random(centreSeed);
        float[][] centers = new float[classes][dim];
        for (float[] c : centers) for (int d = 0; d < dim; d++) c[d] = (float) (r.nextGaussian() * 2);
        if (noiseSeed != centreSeed) r = new Random(noiseSeed);
        List<ArrayBatch> out = new ArrayList<>();
        for (int s = 0; s < n; s += batch) {
            int b = Math.min(batch, n - s);
            float[] x = new float[b * dim];
            int[] y = new int[b];
            for (int i = 0; i < b; i++) {
                y[i] = (s + i) % classes;
                for (int d = 0; d < dim; d++) x[i * dim + d] = centers[y[i]][d] + (float) r.nextGaussian() * 0.5f;
            }
            out.add(new ArrayBatch(x, dim, 1, y));
        }
        return out;
    }
}
