package io.timesformer4j.train;

import io.timesformer4j.data.BadInput;
import java.io.IOException;
import java.util.List;

/**
 * Callbacks of {@link Trainer#fit}: everything a run does besides optimising (console lines, progress bars,
 * metrics.jsonl, checkpoints, the best model, plots, TensorBoard, early stopping) is a listener, and the
 * caller chooses which. Listeners are called in the order they were added; an exception from one ends the fit.
 */
public interface TrainingListener {
    /** Before the first epoch of this fit (after a resume: the first epoch still to do). */
    default void onTrainStart(TrainStart s) throws IOException {}

    /** Epoch {@code epoch} (0-based) begins. */
    default void onEpochStart(int epoch) throws IOException {}

    /** A training micro-batch finished (forward, backward, and the optimizer step when one was due). */
    default void onStep(StepEnd s) {}

    /** Validation of epoch {@code epoch} begins over {@code clips} clips. */
    default void onValidationStart(int epoch, long clips) {}

    /** {@code clips} more validation clips were predicted. */
    default void onValidationStep(int epoch, int clips) {}

    /** An epoch finished, validation included. */
    default void onEpochEnd(EpochEnd e) throws IOException {}

    /** The fit finished (all epochs, or stopped early). */
    default void onTrainEnd(Trainer.Result r) throws IOException {}

    /** The fit ended with an exception; release what the listener holds (progress bars, open files). */
    default void onTrainFailed(Throwable t) {}

    /**
     * @param startEpoch     first epoch (0-based) this fit runs
     * @param step           optimizer steps taken before it
     * @param batchesPerEpoch training batches per epoch
     * @param trainClips     training clips per epoch
     * @param valClips       validation clips per epoch (0 without validation)
     */
    record TrainStart(TrainConfig config, int startEpoch, long step, int batchesPerEpoch, int trainClips, int valClips) {}

    /**
     * @param epoch 0-based epoch
     * @param step  optimizer steps taken so far
     * @param clips clips in this micro-batch
     * @param loss  its mean loss (before the division for accumulation)
     * @param lr    the learning rate of the last optimizer step
     */
    record StepEnd(int epoch, long step, int clips, double loss, double lr) {}

    /**
     * @param metrics    the epoch's line of metrics.jsonl (1-based epoch)
     * @param improved   whether this epoch is the new best (always true without validation)
     * @param bestValAcc best validation accuracy so far
     * @param bestEpoch  its epoch (1-based)
     * @param step       optimizer steps taken so far
     * @param skipped    inputs skipped while loading this epoch (training and validation), then the damaged ones that
     *                   were used ({@link BadInput#warning()}: a truncated video read from the frames that decode)
     * @param history    every epoch's metrics so far, this one included
     * @param stop       ask the loop to stop after this epoch (early stopping)
     */
    record EpochEnd(EpochMetrics metrics, boolean improved, double bestValAcc, int bestEpoch, long step,
                    List<BadInput> skipped, List<EpochMetrics> history, Stop stop) {}

    /** A stop request shared by the listeners of one epoch end. */
    final class Stop {
        private String reason;

        /** Ends the fit after the current epoch (the remaining listeners still see it). */
        public void request(String why) {
            if (reason == null) reason = why;
        }

        public boolean requested() {
            return reason != null;
        }

        public String reason() {
            return reason;
        }
    }
}
