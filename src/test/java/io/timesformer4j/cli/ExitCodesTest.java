package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.model.WeightsException;
import io.timesformer4j.runtime.Version;
import io.timesformer4j.video.VideoException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The exit codes, the exception handler, -V, the help conventions and the option aliases. */
class ExitCodesTest {
    private static String[] handled(Throwable t, ExitCode expected) {
        StringWriter w = new StringWriter();
        assertEquals(expected, Main.handle(t, new PrintWriter(w, true)));
        return w.toString().lines().toArray(String[]::new);
    }

    @Test
    void userErrorsAreOneLineAndBugsSayPleaseReport() {
        String[] v = handled(new VideoException(Path.of("a.mp4"), "not a video"), ExitCode.BAD_INPUT);
        assertEquals(1, v.length);
        assertTrue(v[0].startsWith("error: ") && v[0].contains("a.mp4"), v[0]);
        assertEquals(List.of("error: w.pt: truncated"), List.of(handled(new WeightsException("w.pt: truncated"), ExitCode.BAD_INPUT)));
        assertEquals(List.of("error: --views must be TxS"),
                List.of(handled(new IllegalArgumentException("--views must be TxS"), ExitCode.BAD_INPUT)));
        assertEquals(List.of("error: x: no such file or directory"),
                List.of(handled(new java.io.UncheckedIOException(new java.nio.file.NoSuchFileException("x")), ExitCode.BAD_INPUT)));
        String[] bug = handled(new NullPointerException("Cannot invoke \"Foo.bar()\"\n  more"), ExitCode.INTERNAL_ERROR);
        assertEquals("internal error, please report: java.lang.NullPointerException: Cannot invoke \"Foo.bar()\"", bug[0]);
        assertTrue(bug.length == 2 && bug[1].contains("TIMESFORMER_DEBUG=1"), String.join("\n", bug));
        assertEquals(ExitCode.OUT_OF_MEMORY, Main.classify(new OutOfMemoryError("Java heap space")));
    }

    @Test
    void badArgumentsExitWithBadInputAndOneErrorLine() {
        CliRun r = CliRun.run("train", "--bogus");
        assertEquals(ExitCode.BAD_INPUT.code, r.code(), r.all());
        assertTrue(r.err().startsWith("error: Unknown option: '--bogus'"), r.err());
        assertFalse(r.err().contains("Usage:"), r.err());
        CliRun n = CliRun.run("train", "--epochs", "three");
        assertEquals(ExitCode.BAD_INPUT.code, n.code(), n.all());
        assertTrue(n.err().contains("three"), n.err());
    }

    @Test
    void versionFlagPrintsTheProjectVersion() {
        for (String[] args : List.of(new String[] {"-V"}, new String[] {"train", "-V"}, new String[] {"benchmark", "model", "--version"})) {
            CliRun r = CliRun.run(args);
            assertEquals(0, r.code(), r.all());
            assertTrue(r.out().startsWith("timesformer4j " + Version.project()), List.of(args) + ": " + r.out());
        }
        assertFalse(Version.project().equals("unknown"), "version.properties was not filtered by the build");
    }

    @Test
    void helpListsTheExitCodes() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"train", "--help"}, new String[] {"predict", "--help"})) {
            String out = CliRun.run(args).out().replaceAll("\\s+", " ");
            assertTrue(out.contains("Exit codes:"), out);
            for (ExitCode e : ExitCode.values()) assertTrue(out.contains(e.meaning), e + " missing in " + List.of(args));
        }
    }

    /** Every option of every command: kebab-case {@code <placeholder>}, a description that is a sentence. */
    @Test
    void helpFollowsOneConvention() {
        List<String> bad = new ArrayList<>();
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        for (CommandLine cl : all) {
            for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
                String where = cl.getCommandSpec().qualifiedName() + " " + o.longestName();
                if (o.usageHelp() || o.versionHelp()) continue;
                if (o.arity().max() > 0 && !o.paramLabel().matches("<[a-z0-9]+(-[a-z0-9]+)*>(\\[,<[a-z0-9]+>\\.\\.\\.])?"))
                    bad.add(where + ": placeholder " + o.paramLabel());
                String d = String.join(" ", o.description()).strip();
                if (!d.endsWith(".") && !d.endsWith("?")) bad.add(where + ": description does not end with a full stop: " + d);
                if (!d.isEmpty() && Character.isLowerCase(d.charAt(0)) && !d.matches("^(fp32|tiny|libtorch)\\b.*"))
                    bad.add(where + ": description not in sentence case: " + d);
                for (String n : o.names()) if (n.startsWith("--") && !n.matches("--[a-z0-9]+(-[a-z0-9]+)*")) bad.add(where + ": name " + n);
                if (o.names()[0].equals("--batch") || o.names()[0].equals("--size"))
                    bad.add(where + ": one spelling per idea: --batch-size / --image-size");
            }
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    private static void collect(CommandLine cl, List<CommandLine> out) {
        out.add(cl);
        for (var e : cl.getSubcommands().entrySet()) if (!e.getKey().equals("help")) collect(e.getValue(), out);
    }

    /** The names a PyTorch / Hugging Face user would type set the same fields. */
    @Test
    void pytorchAndHuggingFaceSpellingsAreAliases() {
        TrainCommand c = new TrainCommand();
        new CommandLine(c).parseArgs("--data", "d", "--num-frames", "4", "--max-grad-norm", "1.5",
                "--gradient-accumulation-steps", "3", "--output-dir", "runs/x", "--num-workers", "5");
        assertEquals(4, c.frames);
        assertEquals(1.5, c.clipGrad);
        assertEquals(3, c.accumulate);
        assertEquals(Path.of("runs/x"), c.out);
        assertEquals(5, c.compute.workers);
        BenchLoadCommand b = new BenchLoadCommand();
        new CommandLine(b).parseArgs("--batch-size", "3", "--image-size", "64");
        assertEquals(3, b.batch);
        assertEquals(64, b.size);
        BenchModelCommand m = new BenchModelCommand();
        new CommandLine(m).parseArgs("--batch-size", "3");
        assertEquals(3, m.batch);
    }
}
