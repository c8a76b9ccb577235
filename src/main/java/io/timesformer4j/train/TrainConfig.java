package io.timesformer4j.train;

import io.timesformer4j.eval.Precision;
/**
 * How to optimise (independent of the model and the data).
 *
 * @param epochs         number of epochs
 * @param optimizer      optimizer and base learning rate
 * @param schedule       learning-rate schedule
 * @param labelSmoothing cross-entropy label smoothing in [0, 1)
 * @param clipGrad       max global gradient L2 norm; 0 = no clipping
 * @param accumulate     micro-batches per optimizer step (the loss of each is divided by this)
 * @param precision      forward precision
 * @param seed           seeds libtorch's RNG per epoch (dropout, drop path) together with the epoch number
 */
public record TrainConfig(int epochs, OptimizerSpec optimizer, ScheduleSpec schedule, double labelSmoothing,
                          double clipGrad, int accumulate, Precision precision, long seed) {
    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (labelSmoothing < 0 || labelSmoothing >= 1) throw new IllegalArgumentException("label smoothing must be in [0, 1)");
        if (clipGrad < 0) throw new IllegalArgumentException("clip-grad must be >= 0");
        if (accumulate < 1) throw new IllegalArgumentException("accumulate must be >= 1");
    }

    /** The seed script's settings: 10 epochs, Adam lr 1e-4, constant LR, plain cross-entropy. */
    public static TrainConfig seedDefaults(long seed) {
        return new TrainConfig(10, OptimizerSpec.seedDefault(), ScheduleSpec.constant(), 0, 0, 1, Precision.FP32, seed);
    }

    /** libtorch RNG seed used for epoch {@code epoch} (0-based). */
    public long torchSeed(int epoch) {
        return seed * 1_000_003L + epoch;
    }
}
