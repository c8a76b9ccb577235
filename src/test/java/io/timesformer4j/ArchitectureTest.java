package io.timesformer4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package dependency rules of docs/ARCHITECTURE.md, checked on the main sources: every reference to
 * another project package (an import or a fully qualified name) must be one the rules allow.
 */
class ArchitectureTest {
    /** Package -> the project packages it may use. {@code model} is a leaf beside {@code data}. */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("runtime", Set.of()),
            Map.entry("video", Set.of("runtime")),
            Map.entry("data", Set.of("runtime", "video")),
            Map.entry("model", Set.of("runtime")),
            Map.entry("eval", Set.of("runtime", "video", "data", "model")),
            Map.entry("train", Set.of("runtime", "video", "data", "model", "eval")),
            Map.entry("dist", Set.of("runtime", "video", "data", "model", "eval", "train")),
            Map.entry("run", Set.of("runtime", "video", "data", "model", "eval", "train")),
            Map.entry("app", Set.of("runtime", "video", "data", "model", "eval", "train", "dist", "run")),
            Map.entry("hub", Set.of()),
            Map.entry("export", Set.of("runtime", "model")),
            Map.entry("api", Set.of("runtime", "video", "data", "model", "hub", "run")),
            Map.entry("cli", Set.of("runtime", "video", "data", "model", "eval", "train", "dist", "run", "app", "hub", "export", "api")));

    private static final Pattern REF = Pattern.compile("\\bio\\.timesformer4j\\.([a-z]+)\\.");

    @Test
    void packagesUseOnlyWhatTheRulesAllow() throws IOException {
        Path root = Path.of("src/main/java/io/timesformer4j");
        assertTrue(Files.isDirectory(root), "run from the project root: " + root.toAbsolutePath());
        List<String> broken = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(f).getName(0).toString();
                if (!ALLOWED.containsKey(pkg)) {
                    unknown.add(pkg);
                    continue;
                }
                String src = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
                Matcher m = REF.matcher(src);
                while (m.find()) {
                    String used = m.group(1);
                    if (!used.equals(pkg) && !ALLOWED.get(pkg).contains(used)) broken.add(root.relativize(f) + " uses " + used);
                }
            }
        }
        assertTrue(unknown.isEmpty(), "packages without a rule (add them to ARCHITECTURE.md and this test): " + unknown);
        assertTrue(broken.isEmpty(), "dependency rules broken:\n" + String.join("\n", broken.stream().distinct().toList()));
    }

    /** The test itself catches a wrong import (so that a green run means something). */
    @Test
    void theCheckSeesAnImport() {
        Matcher m = REF.matcher("import io.timesformer4j.data.Sample;");
        assertTrue(m.find() && m.group(1).equals("data"));
        assertTrue(!ALLOWED.get("model").contains("data") && !ALLOWED.get("data").contains("model"));
    }
}
