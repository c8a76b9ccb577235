package io.timesformer4j.run;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of a pretraining run's {@code metrics.jsonl}.
 *
 * @param epoch          1-based epoch number
 * @param loss           mean MSE over the epoch's clips (per-patch normalised pixels of the masked patches)
 * @param lr             learning rate at the epoch's last step
 * @param seconds        wall time of the epoch
 * @param clipsPerSecond training clips per second
 * @param skipped        videos skipped while loading this epoch
 */
public record PretrainMetrics(
        @JsonProperty("epoch") int epoch,
        @JsonProperty("loss") double loss,
        @JsonProperty("lr") double lr,
        @JsonProperty("seconds") double seconds,
        @JsonProperty("clips_per_s") double clipsPerSecond,
        @JsonProperty("skipped") int skipped) {

    /** The per-epoch line: {@code [epoch] loss: x, lr: y, z s}. */
    public String line() {
        return String.format(java.util.Locale.ROOT, "[%d] loss: %.4f, lr: %.3g, %.1f s", epoch, loss, lr, seconds);
    }
}
