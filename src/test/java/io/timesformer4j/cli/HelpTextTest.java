package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's --help renders cleanly: no picocli format warnings (an unescaped '%' in a description). */
class HelpTextTest {
    private static void collect(CommandLine cl, List<List<String>> out, List<String> prefix) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            List<String> p = new ArrayList<>(prefix);
            p.add(e.getKey());
            out.add(p);
            collect(e.getValue(), out, p);
        }
    }

    @Test
    void everyHelpRendersWithoutPicocliWarnings() {
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of());
        collect(Main.commandLine(), commands, List.of());
        for (List<String> cmd : commands) {
            List<String> args = new ArrayList<>(cmd);
            args.add("--help");
            CliRun r = CliRun.run(args.toArray(String[]::new));
            String all = r.out() + r.err();
            assertEquals(0, r.code(), args + ": " + all);
            assertFalse(all.contains("WARN"), args + " --help printed a warning:\n" + all);
            assertFalse(all.contains("%n"), args + " --help has a raw %n:\n" + all);
        }
    }
}
