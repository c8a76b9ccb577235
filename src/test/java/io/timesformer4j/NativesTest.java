package io.timesformer4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.timesformer4j.runtime.Natives;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class NativesTest {
    @Test
    void libtorchComputes() {
        Natives.ensureLoaded();
        Tensor t = org.bytedeco.pytorch.global.torch.ones(2, 3);
        assertEquals(6.0, t.sum().item_double(), 0.0);
    }
}
