package io.timesformer4j.eval;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of one pass over a dataset, in clips, with rate and ETA. On a terminal it is a live progress bar
 * (me.tongfei:progressbar); otherwise (CI logs, pipes) a plain line at most every 10 s and at the end.
 */
public interface Progress extends AutoCloseable {
    /** Records {@code clips} more processed clips. */
    void step(int clips);

    @Override
    void close();

    /** No output at all. */
    static Progress none() {
        return new Progress() {
            @Override public void step(int clips) {}
            @Override public void close() {}
        };
    }

    /** A bar when {@code System.console()} is present (a terminal), plain lines otherwise. */
    static Progress start(String task, long totalClips, PrintWriter out) {
        return System.console() != null ? bar(task, totalClips, out) : lines(task, totalClips, out, 10_000);
    }

    /** A terminal progress bar. */
    static Progress bar(String task, long totalClips, PrintWriter out) {
        ProgressBar pb = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalClips)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" clips", 1).showSpeed()
                .setConsumer(new WriterConsumer(out)).setUpdateIntervalMillis(500).build();
        return new Progress() {
            @Override public void step(int clips) { pb.stepBy(clips); }
            @Override public void close() { pb.close(); }
        };
    }

    /** Plain lines {@code task  12/48 clips  25%  3.10 clips/s  ETA 0:00:12}, at most one per interval. */
    static Progress lines(String task, long totalClips, PrintWriter out, long intervalMillis) {
        long start = System.nanoTime();
        return new Progress() {
            long done, lastPrint = start;
            boolean printedFinal;

            @Override public void step(int clips) {
                done += clips;
                long now = System.nanoTime();
                if ((now - lastPrint) / 1_000_000 >= intervalMillis) { print(now); lastPrint = now; }
            }

            @Override public void close() {
                if (!printedFinal) print(System.nanoTime());
                printedFinal = true;
            }

            private void print(long now) {
                double s = Math.max(1e-9, (now - start) / 1e9), rate = done / s;
                long eta = rate > 0 ? (long) Math.ceil(Math.max(0, totalClips - done) / rate) : 0;
                Duration d = Duration.ofSeconds(eta);
                out.printf(Locale.ROOT, "%s %d/%d clips %3d%% %.2f clips/s ETA %d:%02d:%02d%n", task, done, totalClips,
                        totalClips == 0 ? 100 : (int) (100 * done / totalClips), rate, d.toHours(), d.toMinutesPart(),
                        d.toSecondsPart());
                out.flush();
            }
        };
    }

    /** Redraws the bar in place on a terminal ({@code \r} + the line), a newline on close. */
    final class WriterConsumer implements ProgressBarConsumer {
        private final PrintWriter out;

        WriterConsumer(PrintWriter out) {
            this.out = out;
        }

        @Override public int getMaxRenderedLength() { return 100; }

        @Override public void accept(String rendered) {
            out.print('\r');
            out.print(rendered);
            out.flush();
        }

        @Override public void close() {
            out.println();
            out.flush();
        }
    }
}
