package io.timesformer4j.train;

/**
 * The learning rate at each optimizer step, computed from a {@link ScheduleSpec}. Steps count optimizer
 * updates (after gradient accumulation), from 0.
 */
public final class LrSchedule {
    private final ScheduleSpec spec;
    private final double baseLr;
    private final long stepsPerEpoch, totalSteps, warmupSteps;

    /**
     * @param stepsPerEpoch optimizer steps in one epoch (&ge; 1)
     * @param epochs        planned number of epochs
     */
    public LrSchedule(ScheduleSpec spec, double baseLr, long stepsPerEpoch, int epochs) {
        if (stepsPerEpoch < 1) throw new IllegalArgumentException("an epoch needs at least one step");
        this.spec = spec;
        this.baseLr = baseLr;
        this.stepsPerEpoch = stepsPerEpoch;
        this.totalSteps = Math.max(1, stepsPerEpoch * epochs);
        this.warmupSteps = Math.round(spec.warmupEpochs() * stepsPerEpoch);
    }

    /** Learning rate for optimizer step {@code step} (0-based). */
    public double lrAt(long step) {
        if (step < warmupSteps) return baseLr * (step + 1) / warmupSteps;
        return switch (spec.kind()) {
            case CONSTANT -> baseLr;
            case STEP -> {
                long epoch = step / stepsPerEpoch;
                int passed = 0;
                for (int m : spec.milestones()) if (epoch >= m) passed++;
                yield baseLr * Math.pow(spec.gamma(), passed);
            }
            case COSINE -> {
                double span = Math.max(1, totalSteps - warmupSteps);
                double progress = Math.min(1.0, (step - warmupSteps) / span);
                yield spec.minLr() + (baseLr - spec.minLr()) * 0.5 * (1 + Math.cos(Math.PI * progress));
            }
        };
    }
}
