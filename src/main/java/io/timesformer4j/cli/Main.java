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
                PretrainCommand.class,
                EvaluateCommand.class,
                PredictCommand.class,
                DemoCommand.class,
                SynthCommand.class,
                ExtractCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // Bad input is reported as one clear line, not a stack trace (set TIMESFORMER_DEBUG=1 for the trace).
            if (System.getenv("TIMESFORMER_DEBUG") != null) ex.printStackTrace();
            cmd.getErr().println("error: " + describe(ex));
            return 2;
        });
        return cl;
    }

    /** One line for the user: file-system exceptions carry only the path as their message, so add the reason. */
    static String describe(Throwable ex) {
        if (ex instanceof java.nio.file.NoSuchFileException e) return e.getFile() + ": no such file or directory";
        if (ex instanceof java.nio.file.AccessDeniedException e) return e.getFile() + ": permission denied";
        if (ex instanceof java.nio.file.NotDirectoryException e) return e.getFile() + ": not a directory";
        if (ex instanceof java.nio.file.FileAlreadyExistsException e) return e.getFile() + ": exists and is not a directory";
        if (ex instanceof java.nio.file.DirectoryNotEmptyException e) return e.getFile() + ": directory not empty";
        if (ex instanceof OutOfMemoryError) return "out of Java heap memory (" + ex.getMessage() + "); try a smaller "
                + "--batch-size or --workers, or more heap with TIMESFORMER_JAVA_OPTS=-Xmx8g";
        return ex.getMessage() != null ? ex.getMessage() : ex.toString();
    }

    public static void main(String[] args) {
        Natives.ensureLoaded();
        System.exit(commandLine().execute(args));
    }
}
