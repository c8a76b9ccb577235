package io.timesformer4j.train;

import java.io.PrintWriter;
import java.util.Locale;

/** Prints the seed script's per-epoch line {@code [e] loss: x, val_acc: y}, and why a fit stopped early. */
public final class ConsoleLog implements TrainingListener {
    private final PrintWriter out;

    public ConsoleLog(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void onEpochEnd(EpochEnd e) {
        out.println(e.metrics().seedLine());
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
