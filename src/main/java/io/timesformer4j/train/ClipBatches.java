package io.timesformer4j.train;

import io.timesformer4j.eval.LabeledBatch;
import io.timesformer4j.data.BadInput;
import io.timesformer4j.data.Batch;
import io.timesformer4j.data.ClipLoader;
import io.timesformer4j.data.ClipSpec;
import io.timesformer4j.data.DistributedSampler;
import io.timesformer4j.data.Mode;
import io.timesformer4j.data.Sample;
import java.util.Iterator;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A {@link BatchSource} over video samples: each epoch is a new {@link ClipLoader} for {@code (seed, epoch)}
 * (shuffled and augmented in TRAIN, fixed order and centre views in VAL/TEST), so the batches of an epoch
 * are the same whether the run was resumed or not.
 */
public final class ClipBatches implements BatchSource {
    private final List<Sample> samples;
    private final ClipSpec spec;
    private final Mode mode;
    private final int batchSize, workers;
    private final long seed;
    private final DistributedSampler shard;

    public ClipBatches(List<Sample> samples, ClipSpec spec, Mode mode, int batchSize, int workers, long seed) {
        this(samples, spec, mode, batchSize, workers, seed, DistributedSampler.single());
    }

    /**
     * The batches of one rank: in TRAIN its padded shard of the epoch's shuffled order (every rank the same
     * number of batches, as the gradient all-reduce needs), in VAL/TEST its unpadded shard of the list order
     * (the shards together hold each sample once, so counts summed over ranks are the exact global ones).
     */
    public ClipBatches(List<Sample> samples, ClipSpec spec, Mode mode, int batchSize, int workers, long seed,
                       DistributedSampler shard) {
        this.shard = shard;
        this.samples = List.copyOf(samples);
        this.spec = spec;
        this.mode = mode;
        this.batchSize = batchSize;
        this.workers = workers;
        this.seed = seed;
    }

    @Override
    public Epoch epoch(int epoch) {
        ClipLoader loader = shard.world() == 1
                ? new ClipLoader(samples, spec, mode, batchSize, workers, seed, epoch)
                : new ClipLoader(samples, mode == Mode.TRAIN ? shard.indices(samples.size(), seed, epoch, true, false)
                        : shard.unpadded(samples.size()), spec, mode, batchSize, workers, seed, epoch, ClipLoader.defaultDecoder());
        return new Epoch() {
            @Override public Iterator<LabeledBatch> iterator() {
                Iterator<Batch> it = loader.iterator();
                return new Iterator<>() {
                    @Override public boolean hasNext() { return it.hasNext(); }
                    @Override public LabeledBatch next() { return wrap(it.next()); }
                };
            }
            @Override public List<BadInput> skipped() {
                return loader.skipped();
            }
            @Override public List<BadInput> warnings() {
                return loader.warnings();
            }
            @Override public void close() { loader.close(); }
        };
    }

    @Override
    public int batchCount() {
        return (sampleCount() + batchSize - 1) / batchSize;
    }

    /** Samples of this rank per epoch. */
    @Override
    public int sampleCount() {
        if (shard.world() == 1) return samples.size();
        return mode == Mode.TRAIN ? DistributedSampler.numSamples(samples.size(), shard.world(), false)
                : shard.unpadded(samples.size()).length;
    }

    /** {@code path: reason} ({@code path: warning: reason} for a warning), the line format of {@code skipped.txt}. */
    public static String line(BadInput b) {
        return b.toString();
    }

    /** Adapts a loader batch. */
    public static LabeledBatch wrap(Batch b) {
        return new LabeledBatch() {
            @Override public int size() { return b.batch(); }
            @Override public int views() { return b.views(); }
            @Override public Tensor inputs() { return b.pixelValues(); }          // (B*V, T, C, H, W)
            @Override public Tensor labels() { return b.labelTensor(); }          // (B)
            @Override public int[] labelArray() { return b.labels().clone(); }
            @Override public List<String> ids() { return b.samples().stream().map(s -> s.path().toString()).toList(); }
        };
    }
}
