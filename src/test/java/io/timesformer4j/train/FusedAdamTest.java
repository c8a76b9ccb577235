package io.timesformer4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.runtime.Natives;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerOptions;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fused Adam/AdamW against libtorch's {@code torch::optim::Adam}/{@code AdamW} on the same parameters and
 * gradients, a hand-computed first step, and checkpoints crossing between the two in both directions.
 */
class FusedAdamTest {
    private static final long[][] SHAPES = {{4, 3}, {3}, {2, 2, 2}};
    private static final double LR = 1e-2;

    @BeforeAll
    static void natives() {
        Natives.ensureLoaded();
    }

    /** Two groups: {the 2-D and 3-D weights}, {the bias}; each call gives fresh tensors with the same values. */
    private static List<List<Tensor>> params() {
        torch.manual_seed(3);
        List<Tensor> all = new ArrayList<>();
        for (long[] s : SHAPES) all.add(torch.randn(s).set_requires_grad(true));
        return List.of(List.of(all.get(0), all.get(2)), List.of(all.get(1)));
    }

    /** The gradient of parameter {@code i} at step {@code step}: fixed, different per step, signs mixed. */
    private static void setGrads(List<List<Tensor>> groups, int step) {
        int i = 0;
        for (List<Tensor> g : groups) {
            for (Tensor p : g) {
                torch.manual_seed(1000L * step + i++);
                p.mutable_grad().put(torch.randn(p.sizes().vec().get()).mul(new Scalar(0.1 + step)));
            }
        }
    }

    private static List<FusedAdam.Group> groups(List<List<Tensor>> ps, double wd) {
        return List.of(new FusedAdam.Group(ps.get(0), wd), new FusedAdam.Group(ps.get(1), 0.0));
    }

    /** libtorch's Adam or AdamW over the same two groups: {@code wd} on group 0, none on group 1. */
    private static Optimizer libtorch(List<List<Tensor>> ps, double wd, boolean adamW) {
        TensorVector decayed = new TensorVector(ps.get(0).toArray(new Tensor[0]));
        TensorVector rest = new TensorVector(ps.get(1).toArray(new Tensor[0]));
        Optimizer o;
        OptimizerOptions none;
        if (adamW) {
            AdamWOptions d = new AdamWOptions(LR), nd = new AdamWOptions(LR);
            d.weight_decay().put(wd);
            nd.weight_decay().put(0.0);
            o = new AdamW(decayed, d);
            none = nd;
        } else {
            AdamOptions d = new AdamOptions(LR), nd = new AdamOptions(LR);
            d.weight_decay().put(wd);
            nd.weight_decay().put(0.0);
            o = new Adam(decayed, d);
            none = nd;
        }
        o.add_param_group(new OptimizerParamGroup(rest, none));
        return o;
    }

    private static FusedAdam fused(List<List<Tensor>> ps, double wd, boolean adamW) {
        return adamW ? FusedAdam.adamW(groups(ps, wd), LR, 0.9, 0.999, 1e-8) : FusedAdam.adam(groups(ps, wd), LR, 0.9, 0.999, 1e-8);
    }

    private static double maxDiff(List<List<Tensor>> a, List<List<Tensor>> b) {
        double d = 0;
        for (int g = 0; g < a.size(); g++)
            for (int i = 0; i < a.get(g).size(); i++)
                d = Math.max(d, a.get(g).get(i).sub(b.get(g).get(i)).abs().max().item_double());
        return d;
    }

    @Test
    void firstStepMovesEveryWeightByTheLearningRateAgainstItsGradient() {
        List<List<Tensor>> ps = params();
        Tensor before = ps.get(0).get(0).detach().clone();
        FusedAdam opt = fused(ps, 0.0, false);
        setGrads(ps, 0);
        Tensor g = ps.get(0).get(0).grad().clone();
        opt.step();
        // step 1: m = (1 - b1) g, v = (1 - b2) g^2, so m / (1 - b1) / (sqrt(v / (1 - b2)) + eps) = g / (|g| + eps)
        Tensor expected = before.sub(g.div(g.abs().add(new Scalar(1e-8))).mul(new Scalar(LR)));
        assertEquals(0.0, ps.get(0).get(0).sub(expected).abs().max().item_double(), 1e-7);
        assertEquals(1, opt.stepCount(0, 0));
    }

    /**
     * Three AdamW steps with VideoMAE's betas (0.9, 0.95) against the update written out (PyTorch's AdamW):
     * decay, both moments, both bias corrections. Swapped betas, as the previous build's pretraining ran them
     * (libtorch's {@code AdamWOptions.betas()} is a {@code std::tuple} whose elements libstdc++ stores last
     * first), move the third step's weights by about 3 % of a step and fail this.
     */
    @Test
    void adamWWithVideoMaeBetasFollowsTheUpdateRule() {
        double b1 = 0.9, b2 = 0.95, wd = 0.05, eps = 1e-8;
        List<List<Tensor>> ps = params();
        FusedAdam opt = FusedAdam.adamW(groups(ps, wd), LR, b1, b2, eps);
        Tensor w = ps.get(0).get(0), p = w.detach().clone(), m = torch.zeros_like(p), v = torch.zeros_like(p);
        for (int t = 1; t <= 3; t++) {
            setGrads(ps, t);
            Tensor g = w.grad().clone();
            opt.step();
            p = p.mul(new Scalar(1 - LR * wd));
            m = m.mul(new Scalar(b1)).add(g.mul(new Scalar(1 - b1)));
            v = v.mul(new Scalar(b2)).add(g.mul(g).mul(new Scalar(1 - b2)));
            Tensor denom = v.div(new Scalar(1 - Math.pow(b2, t))).sqrt().add(new Scalar(eps));
            p = p.sub(m.div(denom).mul(new Scalar(LR / (1 - Math.pow(b1, t)))));
            assertEquals(0.0, w.sub(p).abs().max().item_double(), 1e-6, "step " + t);
        }
    }

    @Test
    void adamAndAdamWMatchLibtorchStepByStep() {
        for (boolean adamW : new boolean[] {false, true}) {
            List<List<Tensor>> a = params(), b = params();
            Optimizer reference = libtorch(a, 0.05, adamW);
            FusedAdam opt = fused(b, 0.05, adamW);
            for (int step = 0; step < 6; step++) {
                setGrads(a, step);
                setGrads(b, step);
                reference.step();
                opt.step();
                assertTrue(maxDiff(a, b) < 1e-6, (adamW ? "AdamW" : "Adam") + " step " + (step + 1) + ": " + maxDiff(a, b));
            }
            assertTrue(maxDiff(a, params()) > 1e-2, "the parameters moved");
        }
    }

    @Test
    void aParameterWithoutGradientIsLeftAlone() {
        List<List<Tensor>> ps = params();
        FusedAdam opt = fused(ps, 0.05, true);
        setGrads(ps, 0);
        ps.get(1).get(0).mutable_grad().reset();                      // the bias got no gradient this step
        Tensor bias = ps.get(1).get(0).detach().clone();
        opt.step();
        assertEquals(0.0, ps.get(1).get(0).sub(bias).abs().max().item_double());
        assertEquals(0, opt.stepCount(1, 0));
        assertEquals(1, opt.stepCount(0, 1));
        opt.zeroGrad();
        assertTrue(!ps.get(0).get(0).grad().defined());
    }

    @Test
    void resumesFromALibtorchAdamWCheckpointAndLibtorchResumesFromItsOwn(@TempDir Path dir) {
        // libtorch -> fused: what checkpoints written before FusedAdam hold
        List<List<Tensor>> a = params(), b = params(), c = params();
        FusedAdam opt = fused(b, 0.05, true);
        double d = handOver(dir.resolve("libtorch.pt"), 0, 3, side(a, libtorch(a, 0.05, true)), side(b, opt));
        assertTrue(d < 1e-6, "continued after loading libtorch's state: " + d);
        assertEquals(5, opt.stepCount(0, 0), "3 steps loaded, 2 taken");
        // fused -> libtorch: the layout FusedAdam writes is libtorch's
        d = handOver(dir.resolve("fused.pt"), 5, 5, side(b, opt), side(c, libtorch(c, 0.05, true)));
        assertTrue(d < 1e-6, "libtorch continued from FusedAdam's state: " + d);
    }

    /** The betas FusedAdam writes are the ones libtorch reads back (libtorch adopts the saved options on load). */
    @Test
    void libtorchReadsTheBetasItWrites(@TempDir Path dir) {
        List<List<Tensor>> a = params(), b = params();
        FusedAdam opt = FusedAdam.adamW(groups(a, 0.05), LR, 0.9, 0.95, 1e-8);
        Optimizer other = libtorch(b, 0.05, true);                  // built with the default betas (0.9, 0.999)
        double d = handOver(dir.resolve("opt.pt"), 0, 2, side(a, opt), side(b, other));
        assertTrue(d < 1e-6, "libtorch continued with the saved betas: " + d);
    }

    @Test
    void saveAndLoadResumeExactly(@TempDir Path dir) {
        List<List<Tensor>> a = params(), b = params();
        FusedAdam first = fused(a, 0.01, false), second = fused(b, 0.01, false);
        first.setLr(LR / 4);
        assertEquals(0.0, handOver(dir.resolve("opt.pt"), 0, 3, side(a, first), side(b, second)),
                "a resumed run takes the very same steps");
        assertEquals(LR / 4, second.lr());
    }

    /** Parameters and the optimizer stepping them, as {@link #handOver} moves state between two of them. */
    private record Side(List<List<Tensor>> params, Runnable step, Consumer<OutputArchive> save, Consumer<InputArchive> load) {}

    private static Side side(List<List<Tensor>> ps, Optimizer o) {
        return new Side(ps, o::step, o::save, o::load);
    }

    private static Side side(List<List<Tensor>> ps, FusedAdam o) {
        return new Side(ps, o::step, o::save, o::load);
    }

    /**
     * {@code first} takes steps [from, to) and saves; {@code second} starts from a copy of its parameters and
     * loads that file; both take steps [to, to + 2). Returns the largest parameter difference after.
     */
    private static double handOver(Path file, int from, int to, Side first, Side second) {
        run(from, to, first.params(), first.step());
        save(first.save(), file);
        copyValues(first.params(), second.params());
        second.load().accept(load(file));
        run(to, to + 2, first.params(), first.step(), second.params(), second.step());
        return maxDiff(first.params(), second.params());
    }

    @Test
    void refusesTheStateOfADifferentModel(@TempDir Path dir) {
        List<List<Tensor>> a = params();
        FusedAdam opt = fused(a, 0.05, true);
        setGrads(a, 0);
        opt.step();
        save(opt::save, dir.resolve("opt.pt"));

        FusedAdam oneGroup = FusedAdam.adamW(List.of(new FusedAdam.Group(params().get(0), 0.05)), LR, 0.9, 0.999, 1e-8);
        var e = assertThrows(IllegalArgumentException.class, () -> oneGroup.load(load(dir.resolve("opt.pt"))));
        assertTrue(e.getMessage().contains("2 parameter groups, this one 1"), e.getMessage());

        List<List<Tensor>> wider = List.of(List.of(torch.zeros(4, 5), torch.zeros(2, 2, 2)), List.of(torch.zeros(3)));
        FusedAdam other = fused(wider, 0.05, true);
        var s = assertThrows(IllegalArgumentException.class, () -> other.load(load(dir.resolve("opt.pt"))));
        assertTrue(s.getMessage().contains("has shape [4, 5], its saved Adam moments [4, 3]"), s.getMessage());
        assertEquals(0, other.stepCount(0, 1), "nothing was half-loaded");
    }

    /** Steps {@code from} to {@code to - 1}: the parameters get that step's gradients, then the optimizer steps. */
    private static void run(int from, int to, List<List<Tensor>> ps, Runnable step) {
        for (int t = from; t < to; t++) {
            setGrads(ps, t);
            step.run();
        }
    }

    /** The same steps on two sides that must stay equal. */
    private static void run(int from, int to, List<List<Tensor>> a, Runnable stepA, List<List<Tensor>> b, Runnable stepB) {
        run(from, to, a, stepA);
        run(from, to, b, stepB);
    }

    private static void copyValues(List<List<Tensor>> from, List<List<Tensor>> to) {
        try (var ng = new org.bytedeco.pytorch.NoGradGuard()) {
            for (int g = 0; g < from.size(); g++)
                for (int i = 0; i < from.get(g).size(); i++) to.get(g).get(i).copy_(from.get(g).get(i));
        }
    }

    private static void save(Consumer<OutputArchive> writer, Path file) {
        OutputArchive o = new OutputArchive();
        writer.accept(o);
        o.save_to(file.toString());
    }

    private static InputArchive load(Path file) {
        InputArchive in = new InputArchive();
        in.load_from(file.toString());
        return in;
    }
}
