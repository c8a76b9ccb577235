package io.timesformer4j.train;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerParamGroupVector;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * What the training loops ask of an optimizer: a step over the current gradients, resetting them, the learning
 * rate of its parameter groups, and the state a checkpoint keeps. {@link Optimizers#create} gives a
 * {@link FusedAdam} for Adam and AdamW and libtorch's own optimizer for SGD.
 */
public interface TrainOptimizer {
    /** One update from the gradients the parameters hold; parameters without a gradient are left alone. */
    void step();

    /** Sets every parameter's gradient to none (PyTorch's {@code zero_grad(set_to_none=True)}). */
    void zeroGrad();

    /** Sets the learning rate of every parameter group. */
    void setLr(double lr);

    /** The learning rate of parameter group 0. */
    double lr();

    /** The number of parameters (tensors) in each group, for logs and tests. */
    int[] groupSizes();

    /** The parameters it updates, group after group (handles to the same tensors as the model's). */
    List<Tensor> parameters();

    /** Writes the optimizer state in libtorch's layout for this optimizer ({@code optimizer.pt} of a checkpoint). */
    void save(OutputArchive archive);

    /** Reads state written by {@link #save}, or by libtorch's optimizer of the same kind over the same groups. */
    void load(InputArchive archive);

    /** A libtorch optimizer (SGD here) behind this interface. */
    static TrainOptimizer of(Optimizer o) {
        return new TrainOptimizer() {
            @Override public void step() {
                o.step();
            }

            @Override public void zeroGrad() {
                o.zero_grad(true);
            }

            @Override public void setLr(double lr) {
                OptimizerParamGroupVector gs = o.param_groups();
                for (long i = 0; i < gs.size(); i++) gs.get(i).options().set_lr(lr);
            }

            @Override public double lr() {
                return o.param_groups().get(0).options().get_lr();
            }

            @Override public int[] groupSizes() {
                OptimizerParamGroupVector gs = o.param_groups();
                int[] out = new int[(int) gs.size()];
                for (int i = 0; i < out.length; i++) out[i] = (int) gs.get(i).params().size();
                return out;
            }

            @Override public List<Tensor> parameters() {
                List<Tensor> out = new ArrayList<>();
                OptimizerParamGroupVector gs = o.param_groups();
                for (long g = 0; g < gs.size(); g++) {
                    TensorVector ps = gs.get(g).params();
                    for (long i = 0; i < ps.size(); i++) out.add(ps.get(i));
                }
                return out;
            }

            @Override public void save(OutputArchive archive) {
                o.save(archive);
            }

            @Override public void load(InputArchive archive) {
                o.load(archive);
            }
        };
    }
}
