package io.timesformer4j.run;

import io.timesformer4j.train.Trainer;
import io.timesformer4j.train.TrainingListener;
import java.io.IOException;

/** Writes the atomic {@code checkpoint/} after every epoch and keeps copies by the {@link CheckpointPolicy}. */
final class CheckpointWriter implements TrainingListener {
    private final RunDir dir;
    private final Trainer trainer;
    private final CheckpointPolicy policy;

    CheckpointWriter(RunDir dir, Trainer trainer, CheckpointPolicy policy) {
        this.dir = dir;
        this.trainer = trainer;
        this.policy = policy;
    }

    @Override
    public void onEpochEnd(EpochEnd e) throws IOException {
        int epoch = e.metrics().epoch();
        Checkpoint.save(dir.root(), trainer.model().module(), trainer.optimizer(),
                new Checkpoint.State(epoch, e.step(), e.bestValAcc(), e.bestEpoch()));
        if (policy.keeps(epoch)) Checkpoint.keep(dir, epoch, policy.keepLast());
    }
}
