package io.timesformer4j.cli;

/**
 * The exit codes of {@code timesformer}, listed in {@code --help} and the README. Everything a user can fix
 * (an argument, a file, a video, weights, a run folder) is {@link #BAD_INPUT}, with one line naming the file
 * and the reason; {@link #INTERNAL_ERROR} is a bug in timesformer4j.
 */
public enum ExitCode {
    OK(0, "success"),
    NOTHING_READ(1, "predict, features: no video could be read"),
    BAD_INPUT(2, "bad input: an argument, dataset, video, weights or run folder (one line names it)"),
    OUT_OF_MEMORY(3, "out of Java heap memory"),
    DISTRIBUTED(4, "data-parallel training: a rank could not join, lost the others, or (launcher) a worker failed"),
    INTERNAL_ERROR(70, "internal error: a bug, please report it (TIMESFORMER_DEBUG=1 shows the trace)");

    public final int code;
    public final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }
}
