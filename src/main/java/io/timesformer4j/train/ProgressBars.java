package io.timesformer4j.train;

import io.timesformer4j.eval.Progress;
import java.io.PrintWriter;

/**
 * A progress bar (terminal) or progress lines (logs) per training and validation pass, in clips with rate
 * and ETA. Add it before {@link ConsoleLog} so that a pass's last line comes before the epoch's line.
 */
public final class ProgressBars implements TrainingListener {
    private final PrintWriter out;
    private int epochs, trainClips;
    private Progress bar = Progress.none();

    public ProgressBars(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void onTrainStart(TrainStart s) {
        epochs = s.config().epochs();
        trainClips = s.trainClips();
    }

    @Override
    public void onEpochStart(int epoch) {
        open("train " + (epoch + 1) + "/" + epochs, trainClips);
    }

    @Override
    public void onStep(StepEnd s) {
        bar.step(s.clips());
    }

    @Override
    public void onValidationStart(int epoch, long clips) {
        open("val   " + (epoch + 1) + "/" + epochs, clips);
    }

    @Override
    public void onValidationStep(int epoch, int clips) {
        bar.step(clips);
    }

    @Override
    public void onEpochEnd(EpochEnd e) {
        close();
    }

    @Override
    public void onTrainFailed(Throwable t) {
        close();
    }

    private void open(String task, long total) {
        close();
        bar = Progress.start(task, total, out);
    }

    private void close() {
        bar.close();
        bar = Progress.none();
    }
}
