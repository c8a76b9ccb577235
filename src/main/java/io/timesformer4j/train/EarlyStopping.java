package io.timesformer4j.train;

import java.util.List;
import java.util.Locale;

/**
 * Stops a fit when the monitored metric has not improved by more than {@code minDelta} for {@code patience}
 * epochs: validation accuracy (higher is better) when the run validates, the training loss (lower is better)
 * otherwise. Decided from the metrics history alone, so a resumed run stops where the uninterrupted one would.
 */
public final class EarlyStopping implements TrainingListener {
    private final int patience;
    private final double minDelta;

    public EarlyStopping(int patience, double minDelta) {
        if (patience < 1) throw new IllegalArgumentException("--early-stop-patience must be >= 1, got " + patience);
        if (!(minDelta >= 0)) throw new IllegalArgumentException("--early-stop-min-delta must be >= 0, got " + minDelta);
        this.patience = patience;
        this.minDelta = minDelta;
    }

    public int patience() {
        return patience;
    }

    public double minDelta() {
        return minDelta;
    }

    @Override
    public void onEpochEnd(EpochEnd e) {
        List<EpochMetrics> h = e.history();
        boolean byVal = !Double.isNaN(h.get(h.size() - 1).valAcc());
        double best = Double.NaN;
        int bestAt = -1;
        for (int i = 0; i < h.size(); i++) {
            double v = byVal ? h.get(i).valAcc() : -h.get(i).trainLoss();
            if (Double.isNaN(v)) continue;
            if (bestAt < 0 || v > best + minDelta) {
                best = v;
                bestAt = i;
            }
        }
        int stale = h.size() - 1 - bestAt;
        if (bestAt >= 0 && stale >= patience) {
            e.stop().request(String.format(Locale.ROOT, "early stopping: %s did not improve by more than %s for %d epochs "
                    + "(best %.4f at epoch %d)", byVal ? "val_acc" : "train_loss", minDelta, stale,
                    byVal ? best : -best, h.get(bestAt).epoch()));
        }
    }
}
