package io.timesformer4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: JVMs that start at the same moment on one JavaCPP cache (the ranks of a data-parallel job) all
 * load the natives. Before the fix one in ten such starts failed ("libjniopenblas.so: libopenblas.so.0:
 * cannot open shared object file", or a SIGBUS in ld.so): every start re-extracted the OpenBLAS folder's
 * libopenblas.so.0 over JavaCPP's link to MKL while the other JVM was loading through it.
 */
class ConcurrentNativesStartTest {
    /** What each child JVM runs: load everything, compute on libtorch, say which BLAS it got. */
    public static final class Probe {
        public static void main(String[] args) {
            Natives.ensureLoaded();
            org.bytedeco.pytorch.Tensor t = org.bytedeco.pytorch.global.torch.ones(2, 3);
            System.out.println("loaded " + Natives.blas() + " " + (long) t.matmul(t.t()).sum().item_double());
        }
    }

    @TempDir
    Path dir;

    @Test
    void threeJvmsStartedTogetherOnAnEmptyCacheAllLoadAndAWarmStartWritesNothing() throws Exception {
        Path cache = dir.resolve("javacpp-cache");                    // empty: the first-start case
        String expected = expectedBlas();
        long t0 = System.nanoTime();
        List<Process> jvms = new ArrayList<>();
        for (int i = 0; i < 3; i++) jvms.add(start(cache, i));
        for (int i = 0; i < jvms.size(); i++) {
            Process p = jvms.get(i);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "JVM " + i + " still running after 120 s");
            String out = Files.readString(dir.resolve("out" + i + ".txt"), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "JVM " + i + ":\n" + out);
            assertTrue(out.contains("loaded " + expected + " 12"), "JVM " + i + ":\n" + out);
        }
        System.out.printf("3 JVMs on an empty cache: all loaded in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        // the cache is now a fixed point: one more start changes no file, link or time in it (the old code
        // rewrote libopenblas.so.0 at every start, which is what the others tripped over)
        Map<String, String> before = snapshot(cache);
        Process warm = start(cache, 3);
        assertTrue(warm.waitFor(120, TimeUnit.SECONDS));
        String out = Files.readString(dir.resolve("out3.txt"), StandardCharsets.UTF_8);
        assertEquals(0, warm.exitValue(), out);
        Map<String, String> after = snapshot(cache);
        List<String> changed = new ArrayList<>();
        for (String k : after.keySet()) if (!after.get(k).equals(before.get(k))) changed.add(k);
        for (String k : before.keySet()) if (!after.containsKey(k)) changed.add(k + " (deleted)");
        assertTrue(changed.isEmpty(), "a warm start rewrote " + changed);
        assertTrue(Files.isRegularFile(cache.resolve(NativeCache.READY_FILE)));
    }

    /** Deletes the cache here: JUnit's clean-up warns about each link that points outside the folder (CUDA's). */
    @AfterEach
    void deleteCache() throws IOException {
        Path cache = dir.resolve("javacpp-cache");
        if (!Files.exists(cache, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(cache)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String expectedBlas() {
        boolean openblas = "openblas".equalsIgnoreCase(System.getProperty(Natives.BLAS_PROPERTY, ""));
        return !openblas && Loader.getPlatform().endsWith("-x86_64") ? "MKL" : "OpenBLAS";
    }

    private Process start(Path cache, int i) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss4m", "-Xmx256m", "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"),
                "-Dorg.bytedeco.javacpp.cachedir=" + cache));
        String blas = System.getProperty(Natives.BLAS_PROPERTY, "");
        if (!blas.isBlank()) cmd.add("-D" + Natives.BLAS_PROPERTY + "=" + blas);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out" + i + ".txt").toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }

    /** Every path in the cache: its identity (inode), kind, size, time and link target. */
    private static Map<String, String> snapshot(Path cache) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(cache)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isDirectory()) continue;                    // the files and links are what a loader reads
                String link = a.isSymbolicLink() ? " -> " + Files.readSymbolicLink(p) : "";
                m.put(cache.relativize(p).toString(), a.fileKey() + " " + a.size() + " " + a.lastModifiedTime() + link);
            }
        }
        return m;
    }
}
