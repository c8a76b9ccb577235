package io.timesformer4j.cli;

import io.timesformer4j.runtime.Natives;
import io.timesformer4j.runtime.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code timesformer} command. Each capability is one subcommand class in this package. */
@Command(name = "timesformer", mixinStandardHelpOptions = true, versionProvider = Main.VersionInfo.class,
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
                FeaturesCommand.class,
                ExportCommand.class,
                DemoCommand.class,
                SynthCommand.class,
                ExtractCommand.class,
        },
        footerHeading = "%nEnvironment:%n",
        footer = {"  TIMESFORMER_DEBUG=1       stack traces behind errors",
                "  TIMESFORMER_FFMPEG_LOG=1  FFmpeg's own error log",
                "  TIMESFORMER_JAVA_OPTS     JVM options of bin/timesformer (e.g. -Xmx8g)"})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code -V}: the project version and, when the launcher knows it, the git commit. */
    static final class VersionInfo implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String c = Version.gitCommit();
            return new String[] {"timesformer4j " + Version.project() + (c == null ? "" : " (" + c + ")"),
                    "libtorch 2.10.0 (org.bytedeco:pytorch 2.10.0-1.5.13), FFmpeg 8.0.1 (org.bytedeco:ffmpeg 8.0.1-1.5.13)",
                    "Java " + System.getProperty("java.version")};
        }
    }

    /**
     * The command line with its one exception handler: user errors are one line and {@link ExitCode#BAD_INPUT};
     * bugs an "internal error, please report" line and {@link ExitCode#INTERNAL_ERROR}; the stack trace only
     * with {@code TIMESFORMER_DEBUG=1}. Every (sub)command gets {@code -V} and the exit-code section in its help.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> handle(ex, cmd.getErr()).code);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("error: " + ex.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, cmd.getErr()))
                cmd.getErr().println("(see: " + cmd.getCommandSpec().qualifiedName() + " --help)");
            return ExitCode.BAD_INPUT.code;
        });
        configure(cl);
        return cl;
    }

    private static void configure(CommandLine cl) {
        CommandLine.Model.CommandSpec s = cl.getCommandSpec();
        if (s.versionProvider() == null && s.version().length == 0) s.versionProvider(new VersionInfo());
        s.exitCodeOnExecutionException(ExitCode.INTERNAL_ERROR.code);
        s.usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(exitCodes());
        for (CommandLine sub : cl.getSubcommands().values()) configure(sub);
    }

    private static java.util.Map<String, String> exitCodes() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (ExitCode e : ExitCode.values()) m.put(String.format(java.util.Locale.ROOT, "%3d", e.code), e.meaning);
        return m;
    }

    /** Reports {@code ex} on {@code err} and says which exit code it means. */
    static ExitCode handle(Throwable ex, java.io.PrintWriter err) {
        boolean debug = System.getenv("TIMESFORMER_DEBUG") != null;
        Throwable t = ex instanceof java.io.UncheckedIOException u && u.getCause() != null ? u.getCause() : ex;
        ExitCode code = classify(t);
        if (code == ExitCode.INTERNAL_ERROR) {
            err.println("internal error, please report: " + t.getClass().getName() + (t.getMessage() == null ? ""
                    : ": " + firstLine(t.getMessage())));
            if (!debug) err.println("(run again with TIMESFORMER_DEBUG=1 for the stack trace)");
        } else {
            err.println("error: " + describe(t));
        }
        if (debug) ex.printStackTrace(err);
        err.flush();
        return code;
    }

    /** Bad input (files, videos, weights, run folders, argument values) or a bug. */
    static ExitCode classify(Throwable t) {
        if (t instanceof io.timesformer4j.dist.DistException) return ExitCode.DISTRIBUTED;  // names the rank and cause
        if (t instanceof java.io.IOException) return ExitCode.BAD_INPUT;          // VideoException, WeightsException, files
        if (t instanceof IllegalArgumentException) return ExitCode.BAD_INPUT;     // argument values, self-validating records
        if (t instanceof io.timesformer4j.api.ClassifierException) return ExitCode.BAD_INPUT;  // a model or video (file + reason)
        if (t instanceof CommandLine.ParameterException) return ExitCode.BAD_INPUT;
        if (t instanceof OutOfMemoryError) return ExitCode.OUT_OF_MEMORY;
        return ExitCode.INTERNAL_ERROR;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
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
        CommandLine cl = commandLine();
        int code = cl.execute(args);
        // the commands print through picocli's PrintWriters, which flush only on println: text printed with
        // print() last (evaluate's frame-order table) was lost at System.exit
        cl.getOut().flush();
        cl.getErr().flush();
        System.exit(code);
    }
}
