package io.timesformer4j.model;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

import java.util.function.Supplier;

/**
 * Freeing a forward pass's intermediates as it goes, as PyTorch frees a tensor when its last reference goes.
 * A pointer made inside a {@code PointerScope} is attached to it (reference count 1) and freed when the scope
 * closes; under one step-wide scope every intermediate of every block lived until the step ended (a base 8x224
 * no-grad forward peaked at 2.5 GiB instead of PyTorch's 0.9). {@code retainReference()} before the close keeps
 * a result alive (count 1, attached to nothing) and {@link #adopt} hands it to the enclosing scope. What
 * backward needs, autograd keeps through its own references.
 */
final class NativeScopes {
    private NativeScopes() {}

    /** {@code f} run in its own scope: everything it makes is freed when it returns, except its result (adopted). */
    static Tensor scoped(Supplier<Tensor> f) {
        Tensor out;
        try (PointerScope scope = new PointerScope()) {
            out = f.get();
            out.retainReference();
        }
        return adopt(out);
    }

    /**
     * {@code p}, retained past the scope it was made in, attached to the caller's innermost scope, which now
     * frees it. Outside any scope it stays as it is (the garbage collector frees it, as every handle made outside
     * a scope).
     */
    static <P extends Pointer> P adopt(P p) {
        PointerScope outer = PointerScope.getInnerScope();
        if (outer != null) {
            outer.attach(p);
            p.releaseReference();
        }
        return p;
    }

    /**
     * Frees {@code p} now: a handle {@link #adopt}ed by the caller's innermost scope (or, outside any scope, one
     * retained past its own) that nothing will read again.
     */
    static void release(Pointer p) {
        PointerScope outer = PointerScope.getInnerScope();
        if (outer != null) outer.detach(p);
        else p.releaseReference();
    }
}
