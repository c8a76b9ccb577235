package io.timesformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.data.SyntheticMotion;
import io.timesformer4j.train.EpochMetrics;
import io.timesformer4j.run.MetricsLog;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.InputTransform;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --recipe small-data} learns the direction of motion from scratch, end to end from encoded
 * videos (left vs right: the same frames in reverse order, so only frame order separates the classes), within
 * a fixed number of steps; the official per-frame model with the official init, trained the same way, does not.
 */
class SmallDataRecipeTest {
    @TempDir
    static Path dir;
    static Path train, val;

    @BeforeAll
    static void generate() throws Exception {
        train = dir.resolve("train");
        val = dir.resolve("val");
        SyntheticMotion.generate(train, new SyntheticMotion.Spec(List.of("left", "right"), 16, 8, 32, 32, 15, "mp4", 11));
        SyntheticMotion.generate(val, new SyntheticMotion.Spec(List.of("left", "right"), 8, 8, 32, 32, 15, "mp4", 12));
    }

    private static double bestValAcc(Path run) throws Exception {
        return MetricsLog.read(run.resolve("metrics.jsonl")).stream().mapToDouble(EpochMetrics::valAcc).max().orElse(0);
    }

    private static CliRun train(Path run, String... extra) {
        String[] base = {"train", "--data", train.toString(), "--val-data", val.toString(), "--out", run.toString(),
                "--recipe", "small-data", "--preset", "tiny", "--frames", "8", "--image-size", "32", "--epochs", "20",
                "--threads", "1", "--workers", "1", "--no-progress"};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.run(args);
    }

    @Test
    void smallDataRecipeLearnsLeftVersusRight() throws Exception {
        Path run = dir.resolve("small");
        CliRun r = train(run);                                    // 20 epochs x 4 steps of 8 clips
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("tubelet 2, conv stem [32, 32]") && r.out().contains("mean pooling"), r.out());
        double acc = bestValAcc(run);
        System.out.println("small-data recipe, left vs right: best val_acc " + acc);
        assertTrue(acc > 0.9, "small-data recipe: best val_acc " + acc + "\n" + r.out());
        var loaded = ModelDir.load(run.resolve("best"));
        assertEquals(2, loaded.config().tubeletSize());
        assertEquals(InputTransform.TEMPORAL_RESIDUAL, loaded.config().inputTransform());
        assertEquals(List.of(32, 32), loaded.config().convStem());
        assertEquals(io.timesformer4j.model.Pooling.MEAN, loaded.config().pooling());
    }

    @Test
    void officialModelAndInitTrainedTheSameWayStaysNearChance() throws Exception {
        Path run = dir.resolve("official");
        CliRun r = train(run, "--tubelet-size", "1", "--init-scheme", "official", "--conv-stem", "0", "--pooling", "cls",
                "--input-transform", "none");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("tubelet 1, divided_space_time, input none, cls pooling, official init"), r.out());
        double acc = bestValAcc(run);
        System.out.println("official model and init, left vs right: best val_acc " + acc);
        assertTrue(acc <= 0.75, "official per-frame model at the official init: best val_acc " + acc + "\n" + r.out());
    }
}
