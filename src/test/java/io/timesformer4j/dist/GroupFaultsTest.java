package io.timesformer4j.dist;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.runtime.Natives;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Faults at the rendezvous, each a one-line message naming the rank and the cause (a 2 s timeout). */
class GroupFaultsTest {
    static final Duration T = Duration.ofSeconds(2);

    @BeforeAll
    static void load() {
        Natives.ensureLoaded();
    }

    @Test
    void portInUse() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            DistEnv env = new DistEnv(0, 2, 0, "127.0.0.1", taken.getLocalPort(), false, "", "env");
            String m = assertThrows(DistException.class, () -> DdpGroup.open(env, T)).getMessage();
            assertTrue(m.startsWith("rank 0: cannot host the store on 127.0.0.1:" + taken.getLocalPort()), m);
            assertTrue(m.contains("port in use"), m);
        }
    }

    @Test
    void unreachableMaster() throws IOException {
        int port = Launcher.freePort();                                        // nobody listens there
        DistEnv env = new DistEnv(1, 2, 1, "127.0.0.1", port, false, "", "env");
        String m = assertThrows(DistException.class, () -> DdpGroup.open(env, T)).getMessage();
        assertTrue(m.startsWith("rank 1: cannot reach the store at 127.0.0.1:" + port + " within 2 s"), m);
    }

    @Test
    void aRankThatNeverJoinsIsNamed() throws IOException {
        DistEnv env = new DistEnv(0, 3, 0, "127.0.0.1", Launcher.freePort(), false, "", "env");
        String m = assertThrows(DistException.class, () -> DdpGroup.open(env, T)).getMessage();
        assertTrue(m.startsWith("rank 0: rank(s) 1, 2 of WORLD_SIZE=3 did not join within 2 s"), m);
    }
}
