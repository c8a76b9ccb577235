package io.timesformer4j.run;

import io.timesformer4j.train.Trainer;
import io.timesformer4j.train.TrainingListener;
import java.io.IOException;

/** Writes the atomic {@code checkpoint/} after every epoch and keeps copies by the {@link CheckpointPolicy}. */
record CheckpointWriter(RunDir dir, Trainer trainer, CheckpointPolicy policy) implements TrainingListener {
    @Override
    public void onEpochEnd(EpochEnd e) throws IOException {
        int epoch = e.metrics().epoch();
        Checkpoint.save(dir.root(), trainer.model().module(), trainer.optimizer(),
                new Checkpoint.State(epoch, e.step(), e.bestValAcc(), e.bestEpoch()));
        if (policy.keeps(epoch)) Checkpoint.keep(dir, epoch, policy.keepLast());
    }
}
