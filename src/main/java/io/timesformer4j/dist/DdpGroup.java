package io.timesformer4j.dist;

import io.timesformer4j.data.BadInput;
import io.timesformer4j.train.DataParallel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.BackendOptional;
import org.bytedeco.pytorch.BarrierOptions;
import org.bytedeco.pytorch.BoolVector;
import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.LoggerOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.PrefixStore;
import org.bytedeco.pytorch.ProcessGroup;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.Reducer;
import org.bytedeco.pytorch.SizeTStringMap;
import org.bytedeco.pytorch.SizeTVector;
import org.bytedeco.pytorch.SizeTVectorVector;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.StringVector;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * One rank of a data-parallel job on PyTorch's c10d engine: a {@code TCPStore} for the rendezvous, a
 * {@code ProcessGroup} with the Gloo backend (CPU tensors), and the C++ {@code Reducer} that is the engine of
 * {@code torch.nn.parallel.DistributedDataParallel}. What DDP's Python constructor and forward add around the
 * Reducer is done here: parameters broadcast from rank 0 in 250 MB coalesced buffers under a no-grad guard,
 * {@code verify_params_across_processes}, buckets from {@code compute_bucket_assignment_by_size} with a first
 * bucket of 1 MB and then 25 MB, in reverse registration order; per step {@code rebuild_buckets},
 * {@code prepare_for_forward} and {@code prepare_for_backward} (with {@code find_unused_parameters=false}),
 * skipped on accumulation micro-steps as {@code no_sync()} skips them. The Reducer's autograd hooks then
 * all-reduce (sum, divided by the world size) each bucket as soon as its gradients are ready, overlapping the
 * rest of backward; when {@code backward()} returns every parameter's gradient is the average over the ranks.
 *
 * <p>Store clients: JavaCPP wraps the raw pointer of a Java {@code Store} in a new {@code intrusive_ptr} on
 * every call that takes one, so handing one Store object to two constructors aborts the JVM. Every consumer
 * (our own keys, the ProcessGroup, the Gloo backend) therefore gets its own TCPStore client.
 *
 * <p>Backend: Gloo on CPU. NCCL for CUDA would be {@code org.bytedeco.pytorch.nccl.ProcessGroupNCCL} from the
 * {@code linux-x86_64-gpu} jar registered for {@code DeviceType.CUDA} in {@link #open}; it has not run here.
 */
public final class DdpGroup implements DataParallel, AutoCloseable {
    /** PyTorch DDP's defaults: {@code dist._DEFAULT_FIRST_BUCKET_BYTES} and {@code bucket_cap_mb=25}. */
    public static final long FIRST_BUCKET_BYTES = torchLong(true), BUCKET_BYTES = torchLong(false);
    private static final long BROADCAST_BUCKET_BYTES = 250L << 20;               // DDP's _sync_params_and_buffers
    private static final String KEYS = "timesformer/";

    private final DistEnv env;
    private final long timeoutMs;
    private final List<Object> keep = new ArrayList<>();                            // native objects kept reachable
    private final Store control;
    private final ProcessGroup pg;
    private Reducer reducer;
    private int barriers;

    private DdpGroup(DistEnv env, long timeoutMs, Store control, ProcessGroup pg) {
        this.env = env;
        this.timeoutMs = timeoutMs;
        this.control = control;
        this.pg = pg;
    }

    /**
     * Joins the job: rank 0 hosts the store (unless the launcher's agent does), every rank announces itself and
     * waits for all {@code WORLD_SIZE} ranks, then the Gloo process group connects.
     *
     * @throws DistException port in use, master unreachable, ranks missing or disagreeing on WORLD_SIZE, within
     *                       {@code timeout}
     */
    public static DdpGroup open(DistEnv env, Duration timeout) {
        long ms = Math.max(1000, timeout.toMillis());
        String where = env.masterAddr() + ":" + env.masterPort();
        List<Object> keep = new ArrayList<>();
        Store control;
        boolean server = env.rank() == 0 && !env.agentStore();
        try {
            control = store(env, ms, server, keep);
        } catch (RuntimeException e) {
            if (server) throw new DistException("rank 0: cannot host the store on " + where + ": " + cause(e)
                    + " (is the port in use? pick another MASTER_PORT)", e);
            throw new DistException("rank " + env.rank() + ": cannot reach the store at " + where + " within "
                    + seconds(ms) + ": " + cause(e) + " (is MASTER_ADDR right and rank 0 / the launcher running?)", e);
        }
        hello(env, control, ms);
        ProcessGroup pg;
        try {
            ProcessGroupGloo.Options o = ProcessGroupGloo.Options.create(new Milliseconds(ms));
            o.devices(new GlooDeviceVector(glooDevice(env)));
            ProcessGroupGloo gloo = new ProcessGroupGloo(store(env, ms, false, keep), env.rank(), env.world(), o);
            pg = new ProcessGroup(store(env, ms, false, keep), env.rank(), env.world());
            pg.setDefaultBackend(ProcessGroup.BackendType.GLOO);
            pg.setBackend(torch.DeviceType.CPU, ProcessGroup.BackendType.GLOO, new BackendOptional(gloo));
            keep.add(gloo);
            keep.add(o);
        } catch (RuntimeException e) {
            throw new DistException("rank " + env.rank() + ": the Gloo process group did not connect within " + seconds(ms)
                    + ": " + cause(e), e);
        }
        DdpGroup g = new DdpGroup(env, ms, control, pg);
        g.keep.addAll(keep);
        return g;
    }

    /** A TCPStore client (or rank 0's server), under the torchrun attempt prefix when there is one. */
    private static Store store(DistEnv env, long ms, boolean server, List<Object> keep) {
        TCPStoreOptions o = new TCPStoreOptions();
        o.port((short) env.masterPort()).isServer(server).waitWorkers(false).timeout(new Milliseconds(ms));
        TCPStore s = new TCPStore(env.masterAddr(), o);
        keep.add(o);
        keep.add(s);
        if (env.keyPrefix().isEmpty()) return s;
        PrefixStore p = new PrefixStore(env.keyPrefix(), s);
        keep.add(p);
        return p;
    }

    /** Gloo's network device: loopback for a local job, GLOO_SOCKET_IFNAME when set, else the host's address. */
    private static org.bytedeco.pytorch.gloo.Device glooDevice(DistEnv env) {
        String ifname = System.getenv("GLOO_SOCKET_IFNAME");
        if (ifname != null && !ifname.isBlank()) return ProcessGroupGloo.createDeviceForInterface(ifname.split(",")[0]);
        String a = env.masterAddr();
        if (a.equals("127.0.0.1") || a.equals("localhost") || a.equals("::1")) return ProcessGroupGloo.createDeviceForHostname(a);
        return ProcessGroupGloo.createDefaultDevice();
    }

    /** Every rank writes its WORLD_SIZE under its rank and waits for the keys of all ranks. */
    private static void hello(DistEnv env, Store control, long ms) {
        set(control, KEYS + "hello/" + env.rank(), Integer.toString(env.world()));
        List<String> keys = new ArrayList<>();
        for (int r = 0; r < env.world(); r++) keys.add(KEYS + "hello/" + r);
        List<String> missing = waitFor(control, keys, ms);
        if (!missing.isEmpty()) {
            throw new DistException("rank " + env.rank() + ": rank(s) " + String.join(", ", missing.stream()
                    .map(k -> k.substring(k.lastIndexOf('/') + 1)).toList()) + " of WORLD_SIZE=" + env.world()
                    + " did not join within " + seconds(ms) + " (not started, crashed, or WORLD_SIZE wrong?)");
        }
        for (int r = 0; r < env.world(); r++) {
            String w = get(control, KEYS + "hello/" + r);
            if (!w.equals(Integer.toString(env.world()))) throw new DistException("rank " + env.rank() + ": rank " + r
                    + " was started with WORLD_SIZE=" + w + ", this rank with WORLD_SIZE=" + env.world());
        }
    }

    /**
     * Checks that all ranks run the same thing: each publishes {@code fingerprint} (a hash of its options and
     * sample list) under {@code what}, and every rank compares them with rank 0's.
     */
    public void verifySame(String what, String fingerprint) {
        String base = KEYS + what + "/";
        set(control, base + env.rank(), fingerprint);
        List<String> keys = new ArrayList<>();
        for (int r = 0; r < env.world(); r++) keys.add(base + r);
        List<String> missing = waitFor(control, keys, timeoutMs);
        if (!missing.isEmpty()) throw new DistException("rank " + env.rank() + ": rank(s) " + missing.stream()
                .map(k -> k.substring(k.lastIndexOf('/') + 1)).toList() + " did not report their " + what + " within "
                + seconds(timeoutMs) + " (stopped with an error? see its output)");
        String root = get(control, base + 0);
        for (int r = 1; r < env.world(); r++) {
            String v = get(control, base + r);
            if (!v.equals(root)) throw new DistException("rank " + env.rank() + ": rank " + r + " was started with different "
                    + what + " than rank 0 (fingerprint " + v + " vs " + root + "); start every rank with the same command and data");
        }
    }

    @Override public int rank() { return env.rank(); }

    @Override public int worldSize() { return env.world(); }

    /** The launcher environment this group was opened from. */
    public DistEnv env() {
        return env;
    }

    @Override
    public void attach(Module module) {
        if (reducer != null) throw new IllegalStateException("attach() was already called");
        TensorVector params = new TensorVector();
        for (Tensor p : module.parameters().get()) if (p.requires_grad()) params.push_back(p);
        keep.add(params);
        try (NoGradGuard g = new NoGradGuard()) {                                  // in-place on leaves needs no-grad
            torch.broadcast_coalesced(pg, params, BROADCAST_BUCKET_BYTES, 0);
        } catch (RuntimeException e) {
            throw failed("broadcasting the parameters of rank 0", e);
        }
        try {
            torch.verify_params_across_processes(pg, params, new LoggerOptional());
        } catch (RuntimeException e) {
            throw new DistException("rank " + env.rank() + ": the model differs between ranks: " + cause(e), e);
        }
        long n = params.size();
        BoolVector sparse = new BoolVector(n);
        for (long i = 0; i < n; i++) sparse.put(i, false);
        SizeTVectorVector assigned = torch.compute_bucket_assignment_by_size(params,
                new SizeTVector(FIRST_BUCKET_BYTES, BUCKET_BYTES), sparse, new org.bytedeco.pytorch.LongVector(), new LoggerOptional()).get0();
        SizeTVectorVector buckets = new SizeTVectorVector(assigned.size());
        for (long i = 0; i < assigned.size(); i++) buckets.put(i, assigned.get(assigned.size() - 1 - i));   // as DDP: reversed
        keep.add(sparse);
        keep.add(buckets);
        reducer = new Reducer(params, buckets, pg, sparse, BUCKET_BYTES, false, false, new SizeTStringMap(),
                FIRST_BUCKET_BYTES, false, false);
    }

    @Override
    public void beforeForward(boolean sync) {
        if (reducer == null) return;
        try {
            reducer.rebuild_buckets();                    // no-op except once after the first synced step (as DDP's forward)
            if (sync) reducer.prepare_for_forward();
        } catch (RuntimeException e) {
            throw failed("re-bucketing the gradients", e);
        }
    }

    @Override
    public void beforeBackward(boolean sync) {
        if (reducer != null && sync) reducer.prepare_for_backward(new TensorVector());
    }

    @Override
    public double[] sum(double... values) throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Tensor t = Tensor.create(values.clone(), values.length);
            pg.allreduce(new TensorVector(t), new AllreduceOptions())._wait();
            double[] out = new double[values.length];
            for (int i = 0; i < out.length; i++) out[i] = t.get(i).item_double();
            return out;
        } catch (RuntimeException e) {
            throw failed("summing the epoch totals", e);
        }
    }

    /**
     * Sums each tensor over the ranks in place: all all-reduces are issued first, then waited for, as the
     * Reducer does with its buckets (for {@code benchmark ddp}).
     */
    public void allreduce(List<Tensor> tensors) {
        try {
            List<org.bytedeco.pytorch.Work> works = new ArrayList<>();
            for (Tensor t : tensors) works.add(pg.allreduce(new TensorVector(t), new AllreduceOptions()));
            for (org.bytedeco.pytorch.Work w : works) w._wait();
        } catch (RuntimeException e) {
            throw failed("all-reducing", e);
        }
    }

    @Override
    public void barrier(String what) {
        try {
            BarrierOptions o = new BarrierOptions();
            o.timeout(new Milliseconds(timeoutMs));
            pg.barrier(o)._wait();
            barriers++;
        } catch (RuntimeException e) {
            throw failed("waiting for all ranks at " + what, e);
        }
    }

    /**
     * Through the store: every rank publishes its list under {@code skipped/<epoch>/<rank>} (path and reason,
     * NUL-separated: no path holds a NUL), rank 0 waits for all and reads them in rank order.
     */
    @Override
    public List<BadInput> gatherSkipped(int epoch, List<BadInput> mine) {
        String base = KEYS + "skipped/" + epoch + "/";
        StringBuilder sb = new StringBuilder();
        for (BadInput b : mine) sb.append(b.path()).append('\0').append(b.reason()).append('\0').append(b.warning()).append('\0');
        set(control, base + env.rank(), sb.toString());
        if (env.rank() != 0) return mine;
        List<String> keys = new ArrayList<>();
        for (int r = 0; r < env.world(); r++) keys.add(base + r);
        List<String> missing = waitFor(control, keys, timeoutMs);
        if (!missing.isEmpty()) throw new DistException("rank 0: rank(s) " + missing.stream()
                .map(k -> k.substring(k.lastIndexOf('/') + 1)).toList() + " did not report their skipped videos of epoch "
                + (epoch + 1) + " within " + seconds(timeoutMs) + " (--dist-timeout)");
        List<BadInput> all = new ArrayList<>(mine);
        for (int r = 1; r < env.world(); r++) {
            String[] f = get(control, base + r).split("\0", -1);
            for (int i = 0; i + 2 < f.length; i += 3)               // path, reason, warning
                all.add(new BadInput(java.nio.file.Path.of(f[i]), f[i + 1], Boolean.parseBoolean(f[i + 2])));
            control.deleteKey(base + r);
        }
        control.deleteKey(base + 0);
        return all;
    }

    /** A collective failed: one line naming this rank, what it did and Gloo's reason. */
    public DistException failed(String doing, RuntimeException e) {
        if (e instanceof DistException d) return d;
        return new DistException("rank " + env.rank() + ": lost the other ranks while " + doing + " (" + cause(e)
                + "); another rank died, or was silent for more than " + seconds(timeoutMs) + " (--dist-timeout)", e);
    }

    @Override
    public void close() {
        if (reducer != null) {
            try {
                reducer.remove_autograd_hooks();
            } catch (RuntimeException ignored) {
                // the group is going away anyway
            }
        }
    }

    private static List<String> waitFor(Store s, List<String> keys, long ms) {
        long deadline = System.currentTimeMillis() + ms;
        while (true) {
            List<String> missing = new ArrayList<>();
            for (String k : keys) if (!s.check(new StringVector(k))) missing.add(k);
            if (missing.isEmpty() || System.currentTimeMillis() > deadline) return missing;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return missing;
            }
        }
    }

    private static void set(Store s, String key, String value) {
        s.set(key, new ByteVector(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static String get(Store s, String key) {
        return new String(s.get(key).get(), StandardCharsets.UTF_8);
    }

    /** The first line of a native error message (c10d appends stack traces and source positions). */
    static String cause(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        m = m.strip();
        int nl = m.indexOf('\n');
        if (nl > 0) m = m.substring(0, nl);
        int exc = m.indexOf("Exception raised from");
        m = (exc > 0 ? m.substring(0, exc) : m).strip();
        return m.replaceAll("\\[[^\\]\\s]*\\.(cc|cpp|h|hpp):\\d+\\] ?", "").strip();    // Gloo's [/path/pair.cc:547] source tags
    }

    static String seconds(long ms) {
        return (ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0)) + " s";
    }

    private static long torchLong(boolean first) {
        io.timesformer4j.runtime.Natives.ensureLoaded();
        return first ? torch.kDefaultFirstBucketBytes() : torch.kDefaultBucketBytesCap();
    }
}
