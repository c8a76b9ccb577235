package io.timesformer4j.video;

import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The frame selection rule of FFmpeg's {@code fps} filter with its defaults ({@code round=near},
 * {@code eof_action=round}), so that {@code timesformer extract --fps F} picks the frames that
 * {@code ffmpeg -i VIDEO -vf fps=F DIR/frame%04d.png} writes.
 *
 * <p>Rule: every input timestamp {@code t_i} (seconds from the file's start) maps to the output tick
 * {@code r_i = round(t_i * F)}, halves rounded away from zero. Output tick {@code n} shows the last input
 * frame with {@code r_i <= n}. Ticks run from {@code r_0} up to {@code round(t_end * F) - 1}, where
 * {@code t_end} is the last frame's timestamp plus its duration. So a 10 fps clip at 30 fps repeats each
 * frame 3 times, and at 5 fps keeps frames 0, 2, 4, ...
 *
 * <p>Streaming use: call {@link #push} for each decoded frame (it says how many copies of the
 * <em>previous</em> frame to write now), then {@link #finish} with the end time (copies of the last frame).
 */
public final class FpsResampler {
    private final BigInteger fpsNum;
    private final BigInteger fpsDen;
    private long next;
    private boolean started;

    /** Output rate {@code fpsNum/fpsDen} frames per second, e.g. 30/1 or 30000/1001. */
    public FpsResampler(long fpsNum, long fpsDen) {
        if (fpsNum <= 0 || fpsDen <= 0) throw new IllegalArgumentException("fps must be > 0, got " + fpsNum + "/" + fpsDen);
        this.fpsNum = BigInteger.valueOf(fpsNum);
        this.fpsDen = BigInteger.valueOf(fpsDen);
    }

    /** Output tick of time {@code tNum/tDen} seconds: {@code t*fps} rounded to nearest, halves away from zero. */
    public long tick(long tNum, long tDen) {
        BigInteger n = BigInteger.valueOf(tNum).multiply(fpsNum);
        BigInteger d = BigInteger.valueOf(tDen).multiply(fpsDen);
        return new java.math.BigDecimal(n).divide(new java.math.BigDecimal(d), 0, RoundingMode.HALF_UP).longValueExact();
    }

    /**
     * A new input frame at {@code tNum/tDen} seconds.
     *
     * @return how many copies of the previous input frame to output now (0 drops it when it was never output)
     */
    public long push(long tNum, long tDen) {
        long r = tick(tNum, tDen);
        if (!started) {
            started = true;
            next = r;
            return 0;
        }
        long copies = Math.max(0, r - next);
        next += copies;
        return copies;
    }

    /** End of input at {@code tNum/tDen} seconds (last timestamp + duration): copies of the last frame to output. */
    public long finish(long tNum, long tDen) {
        if (!started) return 0;
        long copies = Math.max(0, tick(tNum, tDen) - next);
        next += copies;
        return copies;
    }
}
