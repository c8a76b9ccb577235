package io.timesformer4j.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of {@code metrics.jsonl}.
 *
 * @param epoch     1-based epoch number
 * @param trainLoss mean cross-entropy over the epoch's training clips (with label smoothing if set)
 * @param trainAcc  training accuracy (model in train mode, so with dropout)
 * @param valLoss   mean validation cross-entropy (NaN without validation data)
 * @param valAcc    validation top-1 accuracy (NaN without validation data)
 * @param lr        learning rate at the epoch's last step
 * @param seconds   wall time of the epoch (training and validation)
 * @param clipsPerSecond training clips per second
 * @param skipped   videos skipped while loading this epoch (training and validation; repeats every epoch)
 * @param loaderWaitSeconds seconds of the training pass this process spent waiting for the next batch (the
 *                  loader is the bottleneck when this is a large share of {@code trainSeconds}); 0 in files
 *                  written before it existed
 * @param trainSeconds wall time of the training pass alone (without validation); 0 in older files
 */
public record EpochMetrics(
        @JsonProperty("epoch") int epoch,
        @JsonProperty("train_loss") double trainLoss,
        @JsonProperty("train_acc") double trainAcc,
        @JsonProperty("val_loss") double valLoss,
        @JsonProperty("val_acc") double valAcc,
        @JsonProperty("lr") double lr,
        @JsonProperty("seconds") double seconds,
        @JsonProperty("clips_per_s") double clipsPerSecond,
        @JsonProperty("skipped") int skipped,
        @JsonProperty("loader_wait_s") double loaderWaitSeconds,
        @JsonProperty("train_s") double trainSeconds) {

    /** An epoch without loader timings (tests, callers that do not measure them). */
    public EpochMetrics(int epoch, double trainLoss, double trainAcc, double valLoss, double valAcc, double lr,
                        double seconds, double clipsPerSecond, int skipped) {
        this(epoch, trainLoss, trainAcc, valLoss, valAcc, lr, seconds, clipsPerSecond, skipped, 0, 0);
    }

    /** Share of the training pass spent waiting for the loader, 0..1 (NaN when not measured). */
    public double loaderWaitShare() {
        return trainSeconds > 0 ? loaderWaitSeconds / trainSeconds : Double.NaN;
    }

    /** The seed script's per-epoch line: {@code [epoch] loss: x, val_acc: y}. */
    public String seedLine() {
        return String.format(java.util.Locale.ROOT, "[%d] loss: %.4f, val_acc: %.4f", epoch, trainLoss, valAcc);
    }
}
