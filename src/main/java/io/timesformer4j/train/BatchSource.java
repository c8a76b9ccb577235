package io.timesformer4j.train;

import io.timesformer4j.eval.LabeledBatch;
import io.timesformer4j.data.BadInput;
import java.util.List;

/**
 * A dataset split as seen by the loops: the batches of one epoch, deterministic per epoch (so that a resumed
 * run sees exactly the batches an uninterrupted one would).
 */
public interface BatchSource {
    /** Batches of epoch {@code epoch} (0-based); the iterable is closed after the epoch. */
    Epoch epoch(int epoch);

    /** Number of batches per epoch (for progress bars and LR schedules). */
    int batchCount();

    /** Number of samples per epoch. */
    int sampleCount();

    /** The batches of one epoch. */
    interface Epoch extends Iterable<LabeledBatch>, AutoCloseable {
        /** Inputs skipped while loading this epoch. */
        default List<BadInput> skipped() {
            return List.of();
        }

        /** Inputs used while loading this epoch that are damaged (a truncated video: only the frames that decode). */
        default List<BadInput> warnings() {
            return List.of();
        }

        @Override
        default void close() {}
    }

    /** A source that returns the same in-memory batches every epoch (tests, small data). */
    static BatchSource of(List<? extends LabeledBatch> batches) {
        List<LabeledBatch> copy = List.copyOf(batches);
        int samples = copy.stream().mapToInt(LabeledBatch::size).sum();
        return new BatchSource() {
            @Override public Epoch epoch(int epoch) {
                return copy::iterator;
            }
            @Override public int batchCount() { return copy.size(); }
            @Override public int sampleCount() { return samples; }
        };
    }
}
