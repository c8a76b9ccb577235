package io.timesformer4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code timesformer benchmark ...}: every performance figure the project claims comes from here. */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Measure throughput (model training, clip loading, decoding) next to the machine's matmul peak.",
        subcommands = {
                BenchModelCommand.class,
                BenchDecodeCommand.class,
                BenchLoadCommand.class,
                BenchDdpCommand.class,
        })
public final class BenchmarkCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
