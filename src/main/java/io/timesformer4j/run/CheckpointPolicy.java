package io.timesformer4j.run;

/**
 * Which checkpoints a run keeps. {@code checkpoint/} always holds the latest finished epoch (what
 * {@code --resume RUN} continues from); besides it, every {@code saveEvery}-th epoch is copied to
 * {@code checkpoints/epoch-NNNN/}, of which the newest {@code keepLast} stay (0 = all).
 *
 * @param saveEvery keep a copy every N epochs (0 = none, unless {@code keepLast} is set: then every epoch)
 * @param keepLast  how many kept copies stay (0 = all)
 */
public record CheckpointPolicy(int saveEvery, int keepLast) {
    public static final CheckpointPolicy LATEST_ONLY = new CheckpointPolicy(0, 0);

    public CheckpointPolicy {
        if (saveEvery < 0) throw new IllegalArgumentException("--save-every must be >= 0, got " + saveEvery);
        if (keepLast < 0) throw new IllegalArgumentException("--keep-last must be >= 0, got " + keepLast);
    }

    /** Whether the checkpoint after epoch {@code epoch} (1-based) is kept. */
    public boolean keeps(int epoch) {
        int every = saveEvery > 0 ? saveEvery : keepLast > 0 ? 1 : 0;
        return every > 0 && epoch % every == 0;
    }
}
