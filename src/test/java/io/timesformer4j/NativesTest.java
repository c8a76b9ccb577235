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

    /** One pool: MKL threads follow libtorch's, OpenBLAS's own pthread pool stays at one thread. */
    @Test
    void blasThreadsFollowTorchThreads() {
        int before = org.bytedeco.pytorch.global.torch.get_num_threads();
        try {
            for (int n : new int[] {1, 2}) {
                Natives.setTorchThreads(n);
                assertEquals(n, org.bytedeco.pytorch.global.torch.get_num_threads());
                assertEquals(Natives.blas() == Natives.Blas.MKL ? n : 1, Natives.blasThreads());
            }
        } finally {
            Natives.setTorchThreads(before);
        }
    }
}
