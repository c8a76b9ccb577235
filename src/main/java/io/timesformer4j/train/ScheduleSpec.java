package io.timesformer4j.train;

import java.util.List;
import java.util.Locale;

/**
 * Learning-rate schedule settings.
 *
 * @param kind         constant, step (multiply by {@code gamma} at each milestone epoch) or cosine (to {@code minLr})
 * @param warmupEpochs linear warm-up from lr/steps to lr over this many epochs (may be fractional; 0 = none)
 * @param milestones   epochs (0-based, counted in finished epochs) at which the step schedule decays
 * @param gamma        step decay factor
 * @param minLr        the cosine schedule's final value
 */
public record ScheduleSpec(Kind kind, double warmupEpochs, List<Integer> milestones, double gamma, double minLr) {
    /** Schedule shapes. */
    public enum Kind {
        CONSTANT, STEP, COSINE;

        /** Parses {@code constant|step|cosine}. */
        public static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown schedule '" + s + "' (constant, step, cosine)");
            }
        }
    }

    public ScheduleSpec {
        milestones = List.copyOf(milestones);
        if (warmupEpochs < 0) throw new IllegalArgumentException("warm-up epochs must be >= 0");
        if (gamma <= 0) throw new IllegalArgumentException("gamma must be > 0");
    }

    /** A constant learning rate (the seed script). */
    public static ScheduleSpec constant() {
        return new ScheduleSpec(Kind.CONSTANT, 0, List.of(), 0.1, 0);
    }

    /** The official TimeSformer K400 recipe: 15 epochs, lr divided by 10 after epochs 11 and 14. */
    public static ScheduleSpec paper() {
        return new ScheduleSpec(Kind.STEP, 0, List.of(11, 14), 0.1, 0);
    }
}
