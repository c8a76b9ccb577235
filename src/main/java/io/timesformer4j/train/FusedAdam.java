package io.timesformer4j.train;

import static org.bytedeco.pytorch.global.torch.scalar_tensor;
import static org.bytedeco.pytorch.global.torch.zeros_like;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.CompilationUnit;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Dispatcher;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.LayoutOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OperatorHandle;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.StringVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorList;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Tuple;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Adam and AdamW with one fused kernel per parameter group and step: ATen's {@code _fused_adam_} and
 * {@code _fused_adamw_}, what {@code torch.optim.Adam(fused=True)} runs. Over base's 121.6 M parameters one step
 * takes about 0.2 s on 2 threads where libtorch's C++ {@code torch::optim::Adam}, a loop of separate tensor
 * operations per parameter, takes 0.45-0.75 s (docs/performance.md). This binding maps neither op, so the step
 * calls them through the dispatcher, boxed, with the schema's arguments in order.
 *
 * <p>The update is Adam's (Kingma and Ba) with PyTorch's bias correction; {@code adam} adds the weight decay to
 * the gradient (L2, as {@code torch.optim.Adam}), {@code adamW} shrinks the weights by {@code lr * weight_decay}
 * first (decoupled, as {@code torch.optim.AdamW}). A parameter without a gradient is skipped and its step count
 * stays. The moments are created at a parameter's first step, as in PyTorch.
 *
 * <p>{@link #save} writes libtorch's own {@code torch::optim::Adam}/{@code AdamW} archive layout (pytorch_version
 * 1.5.0: {@code state/<key>/{step, exp_avg, exp_avg_sq}}, {@code param_groups/<i>/{params/<j>, options}}), so
 * checkpoints written before this class existed resume with it, and libtorch's optimizer loads what it writes.
 * {@link #load} restores the moments, step counts and learning rates; betas, eps and weight decay stay as
 * configured.
 *
 * <p>The betas are two plain arguments here. libtorch's {@code AdamWOptions.betas()} is a {@code std::tuple},
 * which libstdc++ lays out last element first, and this binding exposes it as a bare {@code double*}. So
 * {@code betas().put(0, 0.9).put(1, 0.95)} set beta1 = 0.95 and beta2 = 0.9, which pretraining ran with until
 * this class replaced it.
 */
public final class FusedAdam implements TrainOptimizer {
    /** One parameter group: its tensors, in a fixed order (checkpoints map state by it), and its weight decay. */
    public record Group(List<Tensor> params, double weightDecay) {
        public Group {
            params = List.copyOf(params);
            if (params.isEmpty()) throw new IllegalArgumentException("a parameter group needs at least one parameter");
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
    }

    /** The layout tag libtorch's optimizers write and require. */
    private static final String LAYOUT_VERSION = "1.5.0";

    private final boolean decoupled;
    private final double beta1, beta2, eps;
    private final double[] lr, weightDecay;     // per group
    private final Tensor[][] params;            // [group][index]
    private final Tensor[][] expAvg, expAvgSq;  // null until the parameter's first step
    private final long[][] steps;
    private final OperatorHandle op;

    private FusedAdam(List<Group> groups, double lr, double beta1, double beta2, double eps, boolean decoupled) {
        if (groups.isEmpty()) throw new IllegalArgumentException("the optimizer has no parameter groups");
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1))
            throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be > 0, got " + eps);
        this.decoupled = decoupled;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        int n = groups.size();
        this.lr = new double[n];
        Arrays.fill(this.lr, lr);
        this.weightDecay = new double[n];
        this.params = new Tensor[n][];
        this.expAvg = new Tensor[n][];
        this.expAvgSq = new Tensor[n][];
        this.steps = new long[n][];
        for (int g = 0; g < n; g++) {
            List<Tensor> ps = groups.get(g).params();
            weightDecay[g] = groups.get(g).weightDecay();
            params[g] = new Tensor[ps.size()];
            for (int i = 0; i < ps.size(); i++) {
                Tensor p = ps.get(i);
                if (!p.is_floating_point() || !p.is_contiguous())
                    throw new IllegalArgumentException("fused Adam needs contiguous floating-point parameters; group " + g
                            + " parameter " + i + " is " + p.scalar_type() + (p.is_contiguous() ? "" : ", not contiguous"));
                params[g][i] = kept(new Tensor(p));
            }
            expAvg[g] = new Tensor[ps.size()];
            expAvgSq[g] = new Tensor[ps.size()];
            steps[g] = new long[ps.size()];
        }
        this.op = kept(Dispatcher.singleton().findSchemaOrThrow(decoupled ? "aten::_fused_adamw_" : "aten::_fused_adam_", ""));
    }

    /** Adam with L2 weight decay per group ({@code torch.optim.Adam(fused=True)}). */
    public static FusedAdam adam(List<Group> groups, double lr, double beta1, double beta2, double eps) {
        return new FusedAdam(groups, lr, beta1, beta2, eps, false);
    }

    /** AdamW, decoupled weight decay per group ({@code torch.optim.AdamW(fused=True)}). */
    public static FusedAdam adamW(List<Group> groups, double lr, double beta1, double beta2, double eps) {
        return new FusedAdam(groups, lr, beta1, beta2, eps, true);
    }

    @Override
    public void step() {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            for (int g = 0; g < params.length; g++) {
                List<Tensor> ps = new ArrayList<>(), grads = new ArrayList<>(), m = new ArrayList<>(), v = new ArrayList<>(),
                        counts = new ArrayList<>();
                for (int i = 0; i < params[g].length; i++) {
                    Tensor p = params[g][i], grad = p.grad();
                    if (grad == null || !grad.defined()) continue;
                    if (expAvg[g][i] == null) {
                        expAvg[g][i] = kept(zeros_like(p));
                        expAvgSq[g][i] = kept(zeros_like(p));
                    }
                    steps[g][i]++;
                    ps.add(p);
                    grads.add(grad.is_contiguous() ? grad : grad.contiguous());
                    m.add(expAvg[g][i]);
                    v.add(expAvgSq[g][i]);
                    counts.add(scalar_tensor(new Scalar((double) steps[g][i]), new ScalarTypeOptional(ScalarType.Float),
                            new LayoutOptional(), new DeviceOptional(p.device()), new BoolOptional()));
                }
                if (ps.isEmpty()) continue;
                // _fused_adam(w)_(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, lr, beta1,
                // beta2, weight_decay, eps, amsgrad, maximize, grad_scale=None, found_inf=None): steps counted first
                op.callBoxed(new IValueVector(list(ps), list(grads), list(m), list(v), list(List.of()), list(counts),
                        new IValue(lr[g]), new IValue(beta1), new IValue(beta2), new IValue(weightDecay[g]), new IValue(eps),
                        new IValue(false), new IValue(false), new IValue(), new IValue()));
            }
        }
    }

    @Override
    public void zeroGrad() {
        try (PointerScope scope = new PointerScope()) {
            for (Tensor[] group : params) for (Tensor p : group) p.mutable_grad().reset();
        }
    }

    @Override
    public void setLr(double lr) {
        Arrays.fill(this.lr, lr);
    }

    @Override
    public double lr() {
        return lr[0];
    }

    @Override
    public int[] groupSizes() {
        return Arrays.stream(params).mapToInt(g -> g.length).toArray();
    }

    @Override
    public List<Tensor> parameters() {
        return Arrays.stream(params).flatMap(Arrays::stream).toList();
    }

    /** True for AdamW (decoupled weight decay), false for Adam. */
    public boolean decoupled() {
        return decoupled;
    }

    /** {@code {beta1, beta2}}. */
    public double[] betas() {
        return new double[] {beta1, beta2};
    }

    /** The weight decay of parameter group {@code group}. */
    public double weightDecay(int group) {
        return weightDecay[group];
    }

    /** The steps parameter {@code index} of {@code group} has taken (0 before its first gradient). */
    public long stepCount(int group, int index) {
        return steps[group][index];
    }

    @Override
    public void save(OutputArchive archive) {
        try (PointerScope scope = new PointerScope()) {
            CompilationUnit cu = archive.compilation_unit();
            OutputArchive state = new OutputArchive(cu), groups = new OutputArchive(cu);
            groups.write("param_groups/size", longScalar(params.length));
            long key = 0;
            for (int g = 0; g < params.length; g++) {
                OutputArchive group = new OutputArchive(cu);
                group.write("params/size", longScalar(params[g].length));
                for (int i = 0; i < params[g].length; i++) {
                    String k = Long.toString(++key);     // libtorch writes the TensorImpl address; any distinct number does
                    group.write("params/" + i, new IValue(k));
                    if (expAvg[g][i] == null) continue;
                    OutputArchive s = new OutputArchive(cu);
                    s.write("step", new IValue(steps[g][i]));
                    s.write("exp_avg", new IValue(expAvg[g][i]));
                    s.write("exp_avg_sq", new IValue(expAvgSq[g][i]));
                    state.write(k, s);
                }
                OutputArchive o = new OutputArchive(cu);
                o.write("lr", new IValue(lr[g]));
                o.write("betas", new IValue(Tuple.create(new IValue(beta1), new IValue(beta2))));
                o.write("eps", new IValue(eps));
                o.write("weight_decay", new IValue(weightDecay[g]));
                o.write("amsgrad", new IValue(false));
                group.write("options", o);
                groups.write("param_groups/" + g, group);
            }
            archive.write("pytorch_version", new IValue(LAYOUT_VERSION));
            archive.write("state", state);
            archive.write("param_groups", groups);
        }
    }

    /**
     * Loads the state of libtorch's Adam or AdamW, or of {@link #save}, over the same groups in the same order.
     * Everything is checked before anything is replaced.
     *
     * @throws IllegalArgumentException when the groups, their sizes or a moment's shape differ, or amsgrad state is there
     */
    @Override
    public void load(InputArchive archive) {
        try (PointerScope scope = new PointerScope()) {
            IValue version = new IValue();
            if (!archive.try_read("pytorch_version", version) || !version.isString()
                    || !LAYOUT_VERSION.equals(version.toStringRef().getString()))
                throw new IllegalArgumentException("not the state of an Adam optimizer (libtorch layout " + LAYOUT_VERSION + ")");
            InputArchive state = new InputArchive(), groups = new InputArchive();
            archive.read("state", state);
            archive.read("param_groups", groups);
            Set<String> stateKeys = new HashSet<>();
            StringVector ks = state.keys();
            for (long i = 0; i < ks.size(); i++) stateKeys.add(ks.get(i).getString());
            int saved = (int) readLong(groups, "param_groups/size");
            if (saved != params.length)
                throw new IllegalArgumentException("the saved optimizer has " + saved + " parameter groups, this one " + params.length);
            Tensor[][] m = new Tensor[params.length][], v = new Tensor[params.length][];
            long[][] st = new long[params.length][];
            double[] lrs = lr.clone();
            for (int g = 0; g < params.length; g++) {
                InputArchive group = new InputArchive();
                groups.read("param_groups/" + g, group);
                long size = readLong(group, "params/size");
                if (size != params[g].length)
                    throw new IllegalArgumentException("parameter group " + g + " has " + size + " parameters in the saved optimizer, "
                            + params[g].length + " here");
                m[g] = new Tensor[params[g].length];
                v[g] = new Tensor[params[g].length];
                st[g] = new long[params[g].length];
                for (int i = 0; i < params[g].length; i++) {
                    IValue k = new IValue();
                    group.read("params/" + i, k);
                    String key = k.toStringRef().getString();
                    if (!stateKeys.contains(key)) continue;           // never stepped
                    InputArchive s = new InputArchive();
                    state.read(key, s);
                    IValue max = new IValue();
                    if (s.try_read("max_exp_avg_sq", max) && max.isTensor() && max.toTensor().defined())
                        throw new IllegalArgumentException("the saved optimizer used amsgrad, which this one does not");
                    IValue step = new IValue(), a = new IValue(), b = new IValue();
                    s.read("step", step);
                    s.read("exp_avg", a);
                    s.read("exp_avg_sq", b);
                    // handles of their own: toTensor() is a reference into the IValue, which the collector may free
                    m[g][i] = like(params[g][i], new Tensor(a.toTensor()), g, i);
                    v[g][i] = like(params[g][i], new Tensor(b.toTensor()), g, i);
                    st[g][i] = step.toInt();
                }
                InputArchive o = new InputArchive();
                IValue l = new IValue();
                if (group.try_read("options", o) && o.try_read("lr", l) && l.isDouble()) lrs[g] = l.toDouble();
            }
            for (int g = 0; g < params.length; g++) {
                for (int i = 0; i < params[g].length; i++) {
                    release(expAvg[g][i]);
                    release(expAvgSq[g][i]);
                    expAvg[g][i] = m[g][i] == null ? null : kept(m[g][i]);
                    expAvgSq[g][i] = v[g][i] == null ? null : kept(v[g][i]);
                    steps[g][i] = st[g][i];
                }
            }
            System.arraycopy(lrs, 0, lr, 0, lrs.length);
        }
    }

    /** A copy of the saved moment {@code t} with the parameter's shape, dtype and device. */
    private static Tensor like(Tensor p, Tensor t, int g, int i) {
        long[] want = p.sizes().vec().get(), got = t.sizes().vec().get();
        if (!Arrays.equals(want, got))
            throw new IllegalArgumentException("parameter " + i + " of group " + g + " has shape " + Arrays.toString(want)
                    + ", its saved Adam moments " + Arrays.toString(got));
        return zeros_like(p).copy_(t);
    }

    private static long readLong(InputArchive a, String key) {
        Tensor t = new Tensor();
        a.read(key, t);
        return t.item_long();
    }

    private static Tensor longScalar(long n) {
        return scalar_tensor(new Scalar(n), new TensorOptions(ScalarType.Long));
    }

    /**
     * A boxed {@code Tensor[]}: {@code c10::List<Tensor>} and {@code c10::List<IValue>} are one pointer to the same
     * list implementation, which records the element type Tensor, so the cast is what the schema expects.
     */
    private static IValue list(List<Tensor> ts) {
        TensorList typed = new TensorList(new TensorVector(ts.toArray(new Tensor[0])));
        IValue out = new IValue(new GenericList(typed));
        java.lang.ref.Reference.reachabilityFence(typed);
        return out;
    }

    /** {@code p} kept past the scope it was made in (this optimizer owns it; {@link #release} frees it). */
    private static <P extends Pointer> P kept(P p) {
        p.retainReference();
        return p;
    }

    private static void release(Pointer p) {
        if (p != null) p.releaseReference();
    }
}
