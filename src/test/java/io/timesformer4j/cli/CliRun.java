package io.timesformer4j.cli;

import java.io.StringWriter;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * One in-process run of the command line: {@code Main.commandLine().execute(args)} with picocli's out/err
 * writers captured (every command prints through them; no global stream is touched).
 */
record CliRun(int code, String out, String err) {
    static CliRun run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Exit code and both streams, for assertion messages. */
    String all() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
