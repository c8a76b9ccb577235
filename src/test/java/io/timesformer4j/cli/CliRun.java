package io.timesformer4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * One in-process run of the command line: {@code Main.commandLine().execute(args)} with System.out/System.err and
 * picocli's out/err writers captured as UTF-8 strings (the old streams are restored afterwards).
 */
record CliRun(int code, String out, String err) {
    static CliRun run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out, oldErr = System.err;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(o, true));
            cl.setErr(new PrintWriter(e, true));
            int code = cl.execute(args);
            return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Exit code and both streams, for assertion messages. */
    String all() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
