package io.timesformer4j.cli;

import picocli.CommandLine.Option;

/**
 * The CPU budget options shared by the commands that decode videos and run the model ({@code train},
 * {@code evaluate}, {@code predict}): decode worker threads and libtorch's intra-op threads.
 */
public final class ComputeOptions {
    @Option(names = {"--workers", "--num-workers"}, paramLabel = "<workers>", description = "Decode threads (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int workers = 2;

    @Option(names = "--threads", paramLabel = "<threads>", defaultValue = "0",
            description = "libtorch threads (default 0: the cores left after the decode workers, at least 1).")
    int threads;
}
