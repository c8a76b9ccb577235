package io.timesformer4j.train;

import io.timesformer4j.data.BadInput;
import java.io.IOException;
import java.util.List;
import org.bytedeco.pytorch.Module;

/**
 * What the training loop needs from data-parallel training; {@link #single()} is the one-process no-op.
 * The distributed implementation ({@code dist.DdpGroup}) does what PyTorch's DistributedDataParallel does:
 * the parameters of rank 0 broadcast once, gradients averaged over the ranks by c10d's {@code Reducer}
 * during backward.
 *
 * <p>Call order per micro-batch: {@link #beforeForward}, forward, {@link #beforeBackward}, backward; with
 * {@code sync == false} (an accumulation micro-step that is not the last) the backward leaves the local
 * gradient alone, as {@code DDP.no_sync()} does.
 */
public interface DataParallel {
    /** 0-based rank of this process. */
    int rank();

    /** Number of processes. */
    int worldSize();

    /** Whether this process writes the run folder (rank 0). */
    default boolean writes() {
        return rank() == 0;
    }

    /** Makes every replica equal to rank 0's and installs the gradient averaging; once, before the first step. */
    void attach(Module module);

    /** Before the forward of a training micro-batch. */
    void beforeForward(boolean sync);

    /** After the forward, before the backward of a training micro-batch. */
    void beforeBackward(boolean sync);

    /** Element-wise sums over all ranks (exact for counts held in doubles). */
    double[] sum(double... values) throws IOException;

    /** Waits until every rank got here; {@code what} names the point in error messages. */
    void barrier(String what) throws IOException;

    /**
     * The inputs skipped in {@code epoch} by all ranks, rank 0's first, on the rank that {@link #writes()} (its
     * {@code skipped.txt}); the other ranks get their own list back. Every rank must call it.
     */
    default List<BadInput> gatherSkipped(int epoch, List<BadInput> mine) throws IOException {
        return mine;
    }

    /** One process: no communication. */
    static DataParallel single() {
        return Single.INSTANCE;
    }

    /** The one-process implementation. */
    enum Single implements DataParallel {
        INSTANCE;

        @Override public int rank() { return 0; }
        @Override public int worldSize() { return 1; }
        @Override public void attach(Module module) {}
        @Override public void beforeForward(boolean sync) {}
        @Override public void beforeBackward(boolean sync) {}
        @Override public double[] sum(double... values) { return values.clone(); }
        @Override public void barrier(String what) {}
    }
}
