package io.timesformer4j.model;

import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A bf16 CPU autocast region on the calling thread (autocast state is thread-local in libtorch), as
 * {@code torch.autocast("cpu", dtype=torch.bfloat16)} opens one. {@code eval.Precision} and
 * {@code api.VideoClassifier} both enter their bf16 forwards through it.
 */
public final class Autocast {
    private Autocast() {}

    /** Opens the region; closing it restores fp32 and the weight-cast cache setting found on entry. */
    public static Scope bf16() {
        boolean cache = torch.is_autocast_cache_enabled();
        // Without grad the weight-cast cache only costs memory: each weight is read once per forward and a
        // scope covers one forward, so caching kept every bf16 weight copy alive to the end of it (base: +230 MiB
        // peak RSS, no time saved). With grad, autograd keeps those copies for backward anyway.
        if (!GradMode.is_enabled()) torch.set_autocast_cache_enabled(false);
        torch.set_autocast_dtype(DeviceType.CPU, ScalarType.BFloat16);
        torch.set_autocast_enabled(DeviceType.CPU, true);
        torch.increment_nesting();
        return () -> {
            torch.set_autocast_enabled(DeviceType.CPU, false);
            // as torch.autocast.__exit__: drop the cached bf16 weight casts (the weights change every step)
            if (torch.decrement_nesting() == 0) torch.clear_cache();
            torch.set_autocast_cache_enabled(cache);
        };
    }

    /** An autocast region; {@link #close()} throws nothing. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
