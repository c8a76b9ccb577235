package io.timesformer4j.cli;

import io.timesformer4j.api.ClassifierException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Runs a {@link io.timesformer4j.api.VideoClassifier} call on every video, {@code workers} at a time: while one
 * video runs through the model (the classifier serialises its forwards) the next ones decode. Outcomes come back
 * in argument order, a video that cannot be read as its {@link ClassifierException}.
 */
final class PerVideo {
    private PerVideo() {}

    /** One video's result, or why it has none. */
    record Outcome<T>(Path video, T value, ClassifierException error) {}

    static <T> List<Outcome<T>> map(List<Path> videos, int workers, Function<Path, T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(workers, videos.size())), r -> {
            Thread t = new Thread(r, "timesformer4j-video");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Outcome<T>>> pending = new ArrayList<>();
            for (Path v : videos) pending.add(pool.submit(() -> {
                try {
                    return new Outcome<>(v, call.apply(v), null);
                } catch (ClassifierException e) {
                    return new Outcome<>(v, null, e);
                }
            }));
            List<Outcome<T>> out = new ArrayList<>();
            for (Future<Outcome<T>> f : pending) out.add(f.get());
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }
}
