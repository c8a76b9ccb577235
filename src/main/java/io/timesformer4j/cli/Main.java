package io.timesformer4j.cli;

import io.timesformer4j.runtime.Natives;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code timesformer} command. Each capability is one subcommand class in this package. */
@Command(name = "timesformer", mixinStandardHelpOptions = true, version = "timesformer4j 0.1.0",
        description = "Train, evaluate and run TimeSformer video classifiers on the JVM.",
        subcommands = {
                CommandLine.HelpCommand.class,
                InfoCommand.class,
                ForwardCommand.class,
                BenchmarkCommand.class,
                TrainCommand.class,
                EvaluateCommand.class,
                PredictCommand.class,
                DemoCommand.class,
                ExtractCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // Bad input is reported as one clear line, not a stack trace (set TIMESFORMER_DEBUG=1 for the trace).
            if (System.getenv("TIMESFORMER_DEBUG") != null) ex.printStackTrace();
            cmd.getErr().println("error: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            return 2;
        });
        return cl;
    }

    public static void main(String[] args) {
        Natives.ensureLoaded();
        System.exit(commandLine().execute(args));
    }
}
