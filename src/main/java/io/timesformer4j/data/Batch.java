package io.timesformer4j.data;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * One batch of clips on the Java heap. Pixels are in {@code (batch*views, T, C, H, W)} order, sample-major
 * (the {@code views} clips of sample 0 first), normalised float32; labels are per sample.
 *
 * @param pixels  {@code batch*views*frames*3*height*width} floats
 * @param batch   samples in this batch (can be fewer than the loader's batch size: last batch, skipped inputs)
 * @param views   clips per sample (1 in TRAIN/VAL; temporalViews*spatialViews in TEST)
 * @param frames  T
 * @param height  H (= crop size)
 * @param width   W (= crop size)
 * @param labels  {@code batch} label indices
 * @param samples the samples, in batch order
 */
public record Batch(float[] pixels, int batch, int views, int frames, int height, int width, int[] labels, List<Sample> samples) {
    public Batch {
        if ((long) batch * views * frames * 3 * height * width != pixels.length) {
            throw new IllegalArgumentException("pixels has " + pixels.length + " floats, shape says "
                    + ((long) batch * views * frames * 3 * height * width));
        }
        if (labels.length != batch || samples.size() != batch) throw new IllegalArgumentException("labels/samples size != batch");
        samples = List.copyOf(samples);
    }

    /** Float tensor {@code (B*V, T, C, H, W)}. Native memory: create inside the step's {@code PointerScope}. */
    public Tensor pixelValues() {
        return Tensor.create(pixels, (long) batch * views, frames, 3, height, width);
    }

    /** Int64 tensor {@code (B)} of label indices. Native memory: create inside the step's {@code PointerScope}. */
    public Tensor labelTensor() {
        long[] l = new long[labels.length];
        for (int i = 0; i < l.length; i++) l[i] = labels[i];
        return Tensor.create(l, l.length);
    }
}
