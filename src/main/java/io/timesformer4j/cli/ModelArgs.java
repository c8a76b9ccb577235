package io.timesformer4j.cli;

import io.timesformer4j.hub.HubClient;
import io.timesformer4j.hub.HubId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code --model} and {@code --init} values: a local path as it is, or, when no such path exists and the value
 * reads as {@code org/name[@revision]}, the model's snapshot folder in the Hugging Face cache (downloaded if
 * needed, progress on the command's stderr).
 */
final class ModelArgs {
    private ModelArgs() {}

    static Path resolve(Path value, CommandSpec spec) throws IOException {
        if (value == null || !HubId.looksLike(value.toString())) return value;
        return HubClient.resolveModel(value.toString(), progress(spec));
    }

    /**
     * Where Hub downloads report: stderr with a live bar on a terminal, else the command's err writer as a
     * PrintStream (a line at a time).
     */
    static PrintStream progress(CommandSpec spec) {
        if (System.console() != null) return System.err;      // a terminal: the live progress bar
        PrintWriter w = spec.commandLine().getErr();
        OutputStream lines = new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override public void write(int b) {
                line.write(b);
                if (b == '\n' || b == '\r') flush();
            }

            @Override public void flush() {
                w.print(line.toString(StandardCharsets.UTF_8));
                w.flush();
                line.reset();
            }
        };
        return new PrintStream(lines, true, StandardCharsets.UTF_8);
    }
}
