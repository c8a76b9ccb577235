package io.timesformer4j.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The launcher environments: torchrun (agent store), PyTorchJob / plain env, SLURM. */
class DistEnvTest {
    @Test
    void noLauncherVariablesIsOneProcess() {
        assertTrue(DistEnv.from(Map.of("HOME", "/root")).isEmpty());
        assertTrue(DistEnv.from(Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "1")).isEmpty());
    }

    @Test
    void torchrunUsesTheAgentStoreUnderTheAttemptPrefix() {
        DistEnv e = DistEnv.from(Map.of("RANK", "1", "WORLD_SIZE", "2", "LOCAL_RANK", "1", "MASTER_ADDR", "127.0.0.1",
                "MASTER_PORT", "29500", "TORCHELASTIC_USE_AGENT_STORE", "True", "TORCHELASTIC_RESTART_COUNT", "3",
                "TORCHELASTIC_RUN_ID", "none")).orElseThrow();
        assertEquals(new DistEnv(1, 2, 1, "127.0.0.1", 29500, true, "/worker/attempt_3", "torchrun"), e);
    }

    @Test
    void pytorchJobHasNoLocalRank() {
        DistEnv e = DistEnv.from(Map.of("RANK", "0", "WORLD_SIZE", "4", "MASTER_ADDR", "job-master-0", "MASTER_PORT", "23456"))
                .orElseThrow();
        assertEquals(new DistEnv(0, 4, 0, "job-master-0", 23456, false, "", "env"), e);
    }

    @Test
    void slurmTakesTheFirstHostOfTheNodeList() {
        DistEnv e = DistEnv.from(Map.of("SLURM_PROCID", "5", "SLURM_NTASKS", "8", "SLURM_LOCALID", "1",
                "SLURM_NODELIST", "gpu[003-005,9],cpu1")).orElseThrow();
        assertEquals(new DistEnv(5, 8, 1, "gpu003", DistEnv.DEFAULT_PORT, false, "", "slurm"), e);
        assertEquals("node1", DistEnv.firstHost("node1,node2"));
        assertEquals("a07b", DistEnv.firstHost("a[07-09]b"));
    }

    @Test
    void badValuesAreOneClearLine() {
        assertEquals("RANK 2 is outside 0..1 (WORLD_SIZE=2)", assertThrows(DistException.class, () -> DistEnv.from(Map.of(
                "RANK", "2", "WORLD_SIZE", "2", "MASTER_ADDR", "h", "MASTER_PORT", "1"))).getMessage());
        assertTrue(assertThrows(DistException.class, () -> DistEnv.from(Map.of("RANK", "0", "WORLD_SIZE", "2",
                "MASTER_PORT", "1"))).getMessage().startsWith("MASTER_ADDR is not set"));
        assertEquals("WORLD_SIZE='two' is not an integer", assertThrows(DistException.class, () -> DistEnv.from(Map.of(
                "RANK", "0", "WORLD_SIZE", "two", "MASTER_ADDR", "h", "MASTER_PORT", "1"))).getMessage());
    }
}
