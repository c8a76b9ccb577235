package io.timesformer4j.cli;

import io.timesformer4j.runtime.Natives;
import io.timesformer4j.video.FrameExtractor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code timesformer extract VIDEO --fps 30 --out DIR}: the seed's {@code ffmpeg -vf fps=30 DIR/frame%04d.png}, in-process. */
@Command(name = "extract", mixinStandardHelpOptions = true,
        description = {"Write a video's frames as numbered images at a fixed rate, in-process.",
                "Same frames and names as: ffmpeg -i VIDEO -vf fps=30 DIR/frame%%04d.png (rotation applied)."})
public final class ExtractCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<video>", description = "Video file (mp4, avi, mkv, webm, mov...)")
    Path video;

    @Option(names = {"--out", "--output-dir"}, required = true, paramLabel = "<dir>", description = "Output folder (created if missing).")
    Path out;

    @Option(names = "--fps", defaultValue = "30", paramLabel = "<rate>",
            description = "Output frame rate: 30, 29.97 or 30000/1001 (default: ${DEFAULT-VALUE}).")
    String fps;

    @Option(names = "--format", defaultValue = "png", paramLabel = "<format>", description = "Image format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--short-side", defaultValue = "0", paramLabel = "<n>",
            description = "Resize so the short side is N pixels; 0 keeps the native size (default: ${DEFAULT-VALUE}).")
    int shortSide;

    @Override
    public Integer call() throws Exception {
        Natives.ensureLoaded();
        var r = FrameExtractor.extract(video, out,
                new FrameExtractor.Options(fps, format, shortSide, "frame%04d"));
        spec.commandLine().getOut().printf("%s: %d frames decoded, %d images (%dx%d) written to %s%n",
                video, r.framesDecoded(), r.framesWritten(), r.width(), r.height(), r.dir());
        String warning = r.truncationWarning(video);
        if (warning != null) spec.commandLine().getErr().println("warning: " + warning);
        return 0;
    }
}
