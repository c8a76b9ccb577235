import io.timesformer4j.api.Label;
import io.timesformer4j.api.Prediction;
import io.timesformer4j.api.TimelineWindow;
import io.timesformer4j.api.VideoClassifier;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The Java API in a few lines: load a model (a model dir such as RUN/best, a .pyth file, or a Hugging Face Hub
 * id like facebook/timesformer-base-finetuned-k400), classify videos, get an embedding, label a long video.
 *
 * <pre>
 * java -cp "target/classes:$(cat target/classpath.txt):examples" ClassifyVideo MODEL VIDEO...
 * </pre>
 * (compile it first: {@code javac -cp "target/classes:$(cat target/classpath.txt)" examples/ClassifyVideo.java})
 */
public final class ClassifyVideo {
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: ClassifyVideo MODEL VIDEO...");
            System.exit(2);
        }
        try (VideoClassifier classifier = VideoClassifier.load(args[0], VideoClassifier.Options.defaults().withTopK(3))) {
            for (int i = 1; i < args.length; i++) {
                Path video = Path.of(args[i]);
                Prediction p = classifier.classify(video);
                System.out.println(video + ": " + p.best().label() + " " + p.best().probability());
                for (Label l : p.top()) System.out.println("  " + l.label() + " " + l.probability());
                float[] embedding = classifier.features(video);
                System.out.println("  embedding: " + embedding.length + " floats");
                for (TimelineWindow w : classifier.timeline(video, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                    System.out.println("  " + w.startSeconds() + "-" + w.endSeconds() + " s: " + w.top().get(0).label());
            }
        }
    }
}
