package io.timesformer4j.run;

import io.timesformer4j.train.EpochMetrics;
import io.timesformer4j.train.Trainer;
import io.timesformer4j.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Scalars for TensorBoard ({@code tensorboard --logdir RUN/tensorboard}): per optimizer step {@code train/loss}
 * (micro-batch loss) and {@code train/lr}; per epoch, at the epoch's last step, {@code epoch/train_loss},
 * {@code epoch/train_acc}, {@code epoch/val_loss}, {@code epoch/val_acc}, {@code epoch/lr} and
 * {@code epoch/clips_per_s}, {@code epoch/loader_wait_s}. A resumed run adds a new event file to the same folder; TensorBoard merges them.
 */
public final class TensorBoardLog implements TrainingListener {
    private final Path dir;
    private EventFileWriter w;

    public TensorBoardLog(Path dir) {
        this.dir = dir;
    }

    /** The event file (after the fit started). */
    public Path file() {
        return w == null ? null : w.file();
    }

    @Override
    public void onTrainStart(TrainStart s) throws IOException {
        if (w == null) w = new EventFileWriter(dir, now());
    }

    @Override
    public void onStep(StepEnd s) {
        try {
            w.scalar("train/loss", s.loss(), s.step(), now());
            w.scalar("train/lr", s.lr(), s.step(), now());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(dir + ": cannot write the TensorBoard events", e);
        }
    }

    @Override
    public void onEpochEnd(EpochEnd e) throws IOException {
        EpochMetrics m = e.metrics();
        double t = now();
        long step = e.step();
        w.scalar("epoch/train_loss", m.trainLoss(), step, t);
        w.scalar("epoch/train_acc", m.trainAcc(), step, t);
        if (!Double.isNaN(m.valAcc())) {
            w.scalar("epoch/val_loss", m.valLoss(), step, t);
            w.scalar("epoch/val_acc", m.valAcc(), step, t);
        }
        w.scalar("epoch/lr", m.lr(), step, t);
        w.scalar("epoch/clips_per_s", m.clipsPerSecond(), step, t);
        w.scalar("epoch/loader_wait_s", m.loaderWaitSeconds(), step, t);
    }

    @Override
    public void onTrainEnd(Trainer.Result r) throws IOException {
        close();
    }

    @Override
    public void onTrainFailed(Throwable t) {
        try {
            close();
        } catch (IOException e) {
            t.addSuppressed(e);
        }
    }

    private void close() throws IOException {
        if (w != null) w.close();
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }
}
