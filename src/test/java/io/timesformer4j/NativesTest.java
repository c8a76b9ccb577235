package io.timesformer4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.timesformer4j.runtime.Natives;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class NativesTest {
    @Test
    void libtorchComputes() {
        Natives.ensureLoaded();
        Tensor t = org.bytedeco.pytorch.global.torch.ones(2, 3);
        assertEquals(6.0, t.sum().item_double(), 0.0);
    }

    /** MKL by default on x86-64 (its redist jar is a dependency); -Dtimesformer.blas=openblas selects OpenBLAS. */
    @Test
    void blasIsMklOnX86UnlessOpenBlasIsAsked() {
        boolean openblas = "openblas".equalsIgnoreCase(System.getProperty(Natives.BLAS_PROPERTY, ""));
        Natives.Blas expected = !openblas && Loader.getPlatform().endsWith("-x86_64") ? Natives.Blas.MKL : Natives.Blas.OPENBLAS;
        assertEquals(expected, Natives.blas());
        // libtorch's matmul really runs in that library: sgemm gives the exact product of small integers
        Tensor a = org.bytedeco.pytorch.global.torch.arange(new org.bytedeco.pytorch.Scalar(12)).reshape(3, 4).to(
                org.bytedeco.pytorch.global.torch.ScalarType.Float);
        assertEquals(0 * 0 + 1 * 1 + 2 * 2 + 3 * 3, a.matmul(a.t()).get(0).get(0).item_double(), 0.0);
    }

    /**
     * libtorch runs on n threads; OpenBLAS stays at one (its own pthread pool would fight libtorch's), MKL follows
     * n (unless {@link Natives#MKL_THREADED_PROPERTY} is false). A GEMM big enough to be threaded computes at
     * 2 threads (under MKL it ended the test JVM with exit 127 on Intel Xeons before Intel OpenMP was loaded
     * globally).
     */
    @Test
    void blasThreadsFollowTheRuleAndThreadedGemmsRun() {
        int before = org.bytedeco.pytorch.global.torch.get_num_threads();
        try {
            for (int n : new int[] {1, 2}) {
                Natives.setTorchThreads(n);
                assertEquals(n, org.bytedeco.pytorch.global.torch.get_num_threads());
                boolean threadedMkl = Natives.blas() == Natives.Blas.MKL && Boolean.parseBoolean(System.getProperty(Natives.MKL_THREADED_PROPERTY, "true"));
                assertEquals(threadedMkl ? n : 1, Natives.blasThreads());
                Tensor ones = org.bytedeco.pytorch.global.torch.ones(256, 256);
                assertEquals(256.0 * 256 * 256, ones.matmul(ones).sum().item_double(), 0.0);
            }
        } finally {
            Natives.setTorchThreads(before);
        }
    }
}
