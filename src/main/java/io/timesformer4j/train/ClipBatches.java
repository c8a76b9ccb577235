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
        // a training rank whose clips of a batch all fail still takes part in that step (Trainer: weight 0)
        if (shard.world() > 1 && mode == Mode.TRAIN) loader = loader.withEmptyBatches();
        final ClipLoader l = loader;
        return new Epoch() {
            @Override public Iterator<LabeledBatch> iterator() {
                Iterator<Batch> it = l.iterator();
                return new Iterator<>() {
                    @Override public boolean hasNext() { return it.hasNext(); }
                    @Override public LabeledBatch next() { return wrap(it.next()); }
                };
            }
            @Override public List<BadInput> skipped() {
                return l.skipped();
            }
            @Override public List<BadInput> warnings() {
                return l.warnings();
            }
            @Override public void close() { l.close(); }
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

    /**
     * Adapts a loader batch. An empty batch (every clip of it failed to load, on a data-parallel rank) becomes
     * a placeholder: {@code size() == 0}, with one all-zero clip per view as input and label 0, for the
     * zero-weighted step the Trainer takes with it.
     */
    public static LabeledBatch wrap(Batch b) {
        if (b.batch() == 0) return placeholder(b);
        return new LabeledBatch() {
            @Override public int size() { return b.batch(); }
            @Override public int views() { return b.views(); }
            @Override public Tensor inputs() { return b.pixelValues(); }          // (B*V, T, C, H, W)
            @Override public Tensor labels() { return b.labelTensor(); }          // (B)
            @Override public int[] labelArray() { return b.labels().clone(); }
            @Override public List<String> ids() { return b.samples().stream().map(s -> s.path().toString()).toList(); }
        };
    }

    private static LabeledBatch placeholder(Batch b) {
        return new LabeledBatch() {
            @Override public int size() { return 0; }
            @Override public int views() { return b.views(); }
            @Override public Tensor inputs() {
                return org.bytedeco.pytorch.global.torch.zeros(b.views(), b.frames(), 3, b.height(), b.width());
            }
            @Override public Tensor labels() { return Tensor.create(new long[] {0}, 1); }
            @Override public int[] labelArray() { return new int[0]; }
        };
    }
}
