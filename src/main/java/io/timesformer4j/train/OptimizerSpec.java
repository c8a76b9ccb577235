package io.timesformer4j.train;

import java.util.Locale;

/**
 * Which optimizer to build and its hyper-parameters.
 *
 * @param kind        Adam, AdamW or SGD
 * @param lr          base learning rate (the schedule scales it per step)
 * @param weightDecay L2 (Adam, SGD) or decoupled (AdamW) weight decay
 * @param momentum    SGD momentum (ignored by Adam/AdamW)
 * @param nesterov    SGD Nesterov momentum
 */
public record OptimizerSpec(Kind kind, double lr, double weightDecay, double momentum, boolean nesterov) {
    /** The supported optimizers. */
    public enum Kind {
        ADAM, ADAMW, SGD;

        /** Parses {@code adam|adamw|sgd} (case-insensitive). */
        public static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown optimizer '" + s + "' (adam, adamw, sgd)");
            }
        }
    }

    public OptimizerSpec {
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        if (weightDecay < 0) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }

    /** The seed script's optimizer: Adam, lr 1e-4, no weight decay. */
    public static OptimizerSpec seedDefault() {
        return new OptimizerSpec(Kind.ADAM, 1e-4, 0, 0, false);
    }

    /** The paper's / official config's optimizer: SGD lr 0.005, momentum 0.9, weight decay 1e-4. */
    public static OptimizerSpec paper() {
        return new OptimizerSpec(Kind.SGD, 0.005, 1e-4, 0.9, false);
    }
}
