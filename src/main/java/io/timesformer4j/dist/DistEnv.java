package io.timesformer4j.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where this process sits in a data-parallel job, read from the launcher's environment.
 *
 * <ul>
 *   <li>torchrun, Kubeflow PyTorchJob, Volcano, or our own {@code --nproc-per-node}: {@code RANK},
 *       {@code WORLD_SIZE}, {@code MASTER_ADDR}, {@code MASTER_PORT}, optional {@code LOCAL_RANK} (default 0).
 *       Under torchrun {@code TORCHELASTIC_USE_AGENT_STORE=True}: the agent hosts the store on
 *       MASTER_ADDR:MASTER_PORT, every rank is a client and keys live under
 *       {@code /worker/attempt_<TORCHELASTIC_RESTART_COUNT>} ({@code torch/distributed/rendezvous.py}).</li>
 *   <li>SLURM ({@code srun} without torchrun): {@code SLURM_PROCID}, {@code SLURM_NTASKS},
 *       {@code SLURM_LOCALID}; the master is {@code MASTER_ADDR} when set, else the first host of
 *       {@code SLURM_NODELIST} (or {@code SLURM_JOB_NODELIST}); the port is {@code MASTER_PORT}, else 29500.</li>
 * </ul>
 *
 * @param rank          global rank
 * @param world         number of ranks
 * @param localRank     rank on this machine (picks the device on GPU machines)
 * @param masterAddr    host of the store
 * @param masterPort    port of the store
 * @param agentStore    the launcher's agent hosts the store (torchrun): all ranks connect as clients
 * @param keyPrefix     prefix of every store key ({@code /worker/attempt_N} under torchrun, else empty)
 * @param launcher      which launcher set the variables ({@code torchrun}, {@code nproc-per-node}, {@code slurm},
 *                      {@code env} for the others)
 */
public record DistEnv(int rank, int world, int localRank, String masterAddr, int masterPort, boolean agentStore,
                      String keyPrefix, String launcher) {
    /** PyTorch's default MASTER_PORT. */
    public static final int DEFAULT_PORT = 29500;
    /** Set by {@link Launcher} for its workers, so the run folder says which launcher started them. */
    public static final String LAUNCHER_VARIABLE = "TIMESFORMER_LAUNCHER";

    public DistEnv {
        if (world < 1) throw new DistException("WORLD_SIZE must be >= 1, got " + world);
        if (rank < 0 || rank >= world) throw new DistException("RANK " + rank + " is outside 0.." + (world - 1) + " (WORLD_SIZE=" + world + ")");
        if (masterPort < 1 || masterPort > 65535) throw new DistException("MASTER_PORT " + masterPort + " is not a port (1..65535)");
        if (masterAddr == null || masterAddr.isBlank()) throw new DistException("MASTER_ADDR is empty");
    }

    /** torchrun's restart count ({@code TORCHELASTIC_RESTART_COUNT}, from the key prefix); 0 for other launchers. */
    public int restart() {
        String p = "/worker/attempt_";
        return keyPrefix.startsWith(p) ? Integer.parseInt(keyPrefix.substring(p.length())) : 0;
    }

    /** The job this process belongs to, or empty when no launcher variables are set (one process). */
    public static Optional<DistEnv> from(Map<String, String> env) {
        if (env.containsKey("RANK") || env.containsKey("WORLD_SIZE")) {
            int world = integer(env, "WORLD_SIZE", null);
            int rank = integer(env, "RANK", null);
            int local = env.containsKey("LOCAL_RANK") ? integer(env, "LOCAL_RANK", 0) : 0;
            String addr = required(env, "MASTER_ADDR");
            int port = integer(env, "MASTER_PORT", null);
            boolean agent = "true".equalsIgnoreCase(env.getOrDefault("TORCHELASTIC_USE_AGENT_STORE", ""));
            String prefix = agent ? "/worker/attempt_" + integer(env, "TORCHELASTIC_RESTART_COUNT", 0) : "";
            String launcher = env.containsKey("TORCHELASTIC_RUN_ID") ? "torchrun" : env.getOrDefault(LAUNCHER_VARIABLE, "env");
            return Optional.of(new DistEnv(rank, world, local, addr, port, agent, prefix, launcher));
        }
        if (env.containsKey("SLURM_PROCID") && env.containsKey("SLURM_NTASKS")) {
            int world = integer(env, "SLURM_NTASKS", null);
            if (world == 1) return Optional.empty();
            int rank = integer(env, "SLURM_PROCID", null);
            int local = integer(env, "SLURM_LOCALID", 0);
            String addr = env.get("MASTER_ADDR");
            if (addr == null || addr.isBlank()) {
                String list = env.getOrDefault("SLURM_NODELIST", env.get("SLURM_JOB_NODELIST"));
                if (list == null || list.isBlank()) throw new DistException("SLURM_PROCID is set but neither MASTER_ADDR nor SLURM_NODELIST is");
                addr = firstHost(list);
            }
            int port = env.containsKey("MASTER_PORT") ? integer(env, "MASTER_PORT", null) : DEFAULT_PORT;
            return Optional.of(new DistEnv(rank, world, local, addr, port, false, "", "slurm"));
        }
        return Optional.empty();
    }

    /** The first host of a SLURM node list: {@code node[003-005,9],gpu1} gives {@code node003}. */
    public static String firstHost(String nodeList) {
        String first = splitTop(nodeList.trim()).get(0);
        int open = first.indexOf('[');
        if (open < 0) return first;
        int close = first.indexOf(']', open);
        if (close < 0) throw new DistException("SLURM_NODELIST '" + nodeList + "': unbalanced '['");
        String range = first.substring(open + 1, close).split(",")[0];
        String lo = range.split("-")[0];
        return first.substring(0, open) + lo + first.substring(close + 1).replaceAll("\\[.*", "");
    }

    /** Splits at commas outside brackets. */
    private static List<String> splitTop(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[') depth++;
            else if (c == ']') depth--;
            else if (c == ',' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static String required(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) throw new DistException(name + " is not set (RANK/WORLD_SIZE are, so a launcher expects "
                + "MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE)");
        return v.trim();
    }

    private static int integer(Map<String, String> env, String name, Integer dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            if (dflt != null) return dflt;
            throw new DistException(name + " is not set (a launcher sets MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE)");
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new DistException(name + "='" + v + "' is not an integer");
        }
    }
}
