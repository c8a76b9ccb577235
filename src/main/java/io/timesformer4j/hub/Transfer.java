package io.timesformer4j.hub;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of one download: on a terminal a live bar with size and rate (me.tongfei:progressbar); otherwise
 * (pipes, CI logs, tests) one line when it starts and one with the size, time and rate when it ends.
 */
abstract class Transfer implements AutoCloseable {
    final String label;
    final long total;
    final long startedAt = System.nanoTime();
    long done;
    long resumedFrom;

    Transfer(String label, long total, long from) {
        this.label = label;
        this.total = total;
        this.done = from;
        this.resumedFrom = from;
    }

    static Transfer start(String label, long total, long from, PrintStream log) {
        if (log == null) return new Transfer(label, total, from) {
            @Override void shown() {}
            @Override public void close() {}
        };
        if (System.console() != null && log == System.err) return new Bar(label, total, from, log);
        log.println("downloading " + label + " (" + HubClient.mb(total) + (from > 0 ? ", resuming at " + HubClient.mb(from) : "")
                + ")");
        return new Transfer(label, total, from) {
            @Override void shown() {}
            @Override public void close() {
                double s = Math.max(1e-9, (System.nanoTime() - startedAt) / 1e9);
                log.printf(Locale.ROOT, "downloaded %s: %s in %.1f s (%s/s)%n", label, HubClient.mb(done - resumedFrom), s,
                        HubClient.mb((long) ((done - resumedFrom) / s)));
            }
        };
    }

    void step(long bytes) {
        done += bytes;
        shown();
    }

    void restart(long from) {
        done = from;
        resumedFrom = from;
        shown();
    }

    abstract void shown();

    @Override
    public abstract void close();

    private static final class Bar extends Transfer {
        private final ProgressBar pb;

        Bar(String label, long total, long from, PrintStream out) {
            super(label, total, from);
            pb = new ProgressBarBuilder().setTaskName(label).setInitialMax(total).startsFrom(from, java.time.Duration.ZERO)
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" MB", 1 << 20).showSpeed()
                    .setConsumer(new ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(250).build();
        }

        @Override void shown() {
            pb.stepTo(done);
        }

        @Override public void close() {
            pb.close();
        }
    }
}
