package io.timesformer4j.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code --nproc-per-node N}: starts N worker JVMs on this machine as {@code torchrun --standalone} does (a free
 * port on 127.0.0.1, {@code MASTER_ADDR/MASTER_PORT/RANK/LOCAL_RANK/WORLD_SIZE/LOCAL_WORLD_SIZE} per child), shows
 * rank 0's output as it is and the other ranks' output prefixed with {@code [rank r]}, and watches them: when a
 * worker fails, the others get {@code timeout} (plus a grace period) to stop on their own, then are killed. The
 * exit status is 0 when every worker succeeded, else {@link #WORKER_FAILED}.
 */
public final class Launcher {
    /** Exit status when a worker failed. */
    public static final int WORKER_FAILED = 4;
    private static final Duration GRACE = Duration.ofSeconds(10);

    private Launcher() {}

    /**
     * Runs {@code mainClass <args>} (the CLI's {@code Main}) in {@code nproc} worker JVMs (the same java, JVM options and
     * class path as this one) and waits for them.
     */
    public static int run(String mainClass, List<String> args, int nproc, Duration timeout, PrintWriter out, PrintWriter err)
            throws IOException {
        if (nproc < 1) throw new IllegalArgumentException("--nproc-per-node must be >= 1, got " + nproc);
        int port = freePort();
        List<String> cmd = workerCommand(mainClass, args);
        err.printf("launching %d workers on 127.0.0.1:%d (gloo)%n", nproc, port);
        err.flush();
        List<Process> procs = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        Thread hook = new Thread(() -> procs.forEach(Process::destroyForcibly));
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (int r = 0; r < nproc; r++) {
                ProcessBuilder pb = new ProcessBuilder(cmd);
                Map<String, String> env = pb.environment();
                env.keySet().removeIf(k -> k.startsWith("TORCHELASTIC_") || k.startsWith("SLURM_"));
                // c10d logs every failed connect with a native stack trace; our one-line messages say it already
                if (System.getenv("TIMESFORMER_DEBUG") == null) env.putIfAbsent("TORCH_CPP_LOG_LEVEL", "FATAL");
                env.put(DistEnv.LAUNCHER_VARIABLE, "nproc-per-node");
                env.put("MASTER_ADDR", "127.0.0.1");
                env.put("MASTER_PORT", Integer.toString(port));
                env.put("RANK", Integer.toString(r));
                env.put("LOCAL_RANK", Integer.toString(r));
                env.put("WORLD_SIZE", Integer.toString(nproc));
                env.put("LOCAL_WORLD_SIZE", Integer.toString(nproc));
                Process p = pb.start();
                procs.add(p);
                String prefix = r == 0 ? "" : "[rank " + r + "] ";
                pumps.add(pump(p.getInputStream(), r == 0 ? out : err, prefix, r == 0));
                pumps.add(pump(p.getErrorStream(), err, prefix, false));
            }
            int status = watch(procs, timeout, err);
            for (Thread t : pumps) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return status;
        } finally {
            procs.forEach(Process::destroyForcibly);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
    }

    /** {@code java <this JVM's options> -cp <this class path> <mainClass> <args>}. */
    public static List<String> workerCommand(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-agentlib:") || a.startsWith("-javaagent:") || a.startsWith("-Xrunjdwp")) continue;
            cmd.add(a);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** Waits for all workers; after the first failure, the rest get the timeout to stop by themselves. */
    private static int watch(List<Process> procs, Duration timeout, PrintWriter err) {
        int failedRank = -1;
        long killAt = Long.MAX_VALUE;
        boolean[] reported = new boolean[procs.size()];
        while (true) {
            boolean running = false;
            for (int r = 0; r < procs.size(); r++) {
                Process p = procs.get(r);
                if (p.isAlive()) {
                    running = true;
                    continue;
                }
                if (reported[r]) continue;
                reported[r] = true;
                int code = p.exitValue();
                if (code != 0) {
                    err.printf("launcher: rank %d %s%s%n", r, describe(code), failedRank < 0
                            ? "; the other ranks stop within --dist-timeout (" + timeout.toSeconds() + " s)" : "");
                    err.flush();
                    if (failedRank < 0) {
                        failedRank = r;
                        killAt = System.nanoTime() + timeout.plus(GRACE).toNanos();
                    }
                }
            }
            if (!running) return failedRank < 0 ? 0 : WORKER_FAILED;
            if (System.nanoTime() > killAt) {
                for (int r = 0; r < procs.size(); r++) {
                    if (procs.get(r).isAlive()) {
                        err.printf("launcher: rank %d still running %d s after rank %d failed: killing it%n", r,
                                timeout.plus(GRACE).toSeconds(), failedRank);
                        err.flush();
                        procs.get(r).destroyForcibly();
                    }
                }
                killAt = Long.MAX_VALUE;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                procs.forEach(Process::destroyForcibly);
                return WORKER_FAILED;
            }
        }
    }

    /** {@code exited with status 2} or {@code was killed by signal 9 (SIGKILL)}. */
    static String describe(int code) {
        if (code > 128 && code < 160) {
            int sig = code - 128;
            String name = switch (sig) {
                case 9 -> " (SIGKILL)";
                case 15 -> " (SIGTERM)";
                case 6 -> " (SIGABRT)";
                case 11 -> " (SIGSEGV)";
                case 2 -> " (SIGINT)";
                default -> "";
            };
            return "was killed by signal " + sig + name;
        }
        return "exited with status " + code;
    }

    /** A free TCP port on loopback (torchrun's standalone mode picks it the same way). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** Copies a child's stream: rank 0's stdout byte for byte (progress bars redraw with \r), others per line. */
    private static Thread pump(InputStream in, PrintWriter to, String prefix, boolean raw) {
        Thread t = new Thread(() -> {
            try (in) {
                if (raw) {
                    InputStreamReader r = new InputStreamReader(in, StandardCharsets.UTF_8);
                    char[] buf = new char[8192];
                    for (int n; (n = r.read(buf)) > 0; ) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                } else {
                    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                    for (String line; (line = r.readLine()) != null; ) to.println(prefix + line);
                    to.flush();
                }
            } catch (IOException ignored) {
                // the child went away
            }
        }, "launcher-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
