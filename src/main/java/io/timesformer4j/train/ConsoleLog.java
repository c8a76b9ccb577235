package io.timesformer4j.train;

import java.io.PrintWriter;
import java.util.Locale;

/** Prints the seed script's per-epoch line {@code [e] loss: x, val_acc: y}, and why a fit stopped early. */
public final class ConsoleLog implements TrainingListener {
    private final PrintWriter out;

    public ConsoleLog(PrintWriter out) {
        this.out = out;
    }

    /** Above this share of the training pass spent waiting for batches, the epoch line gets a loader hint. */
    static final double LOADER_HINT_SHARE = 0.25;

    @Override
    public void onEpochEnd(EpochEnd e) {
        EpochMetrics m = e.metrics();
        out.println(m.seedLine());
        if (m.loaderWaitShare() > LOADER_HINT_SHARE) {
            out.printf(Locale.ROOT, "  the loader was the bottleneck: %.1f s of the %.1f s training pass waited for batches"
                    + " (more --workers, or smaller source videos, would help)%n", m.loaderWaitSeconds(), m.trainSeconds());
        }
        out.flush();
    }

    @Override
    public void onTrainEnd(Trainer.Result r) {
        if (r.stopReason() != null) {
            out.printf(Locale.ROOT, "stopped after epoch %d: %s%n", r.history().isEmpty() ? 0
                    : r.history().get(r.history().size() - 1).epoch(), r.stopReason());
            out.flush();
        }
    }
}
