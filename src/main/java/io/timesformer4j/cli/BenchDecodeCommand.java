package io.timesformer4j.cli;

import io.timesformer4j.runtime.Natives;
import io.timesformer4j.video.DecodeBenchmark;
import io.timesformer4j.video.VideoWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code timesformer benchmark decode [VIDEO...]}: frames/s decoded, one decoder thread and one per core. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"Decode throughput (frames/s through FFmpeg + swscale + copy to the Java heap),",
                "native size and short side 224, one decoder thread and one per core.",
                "Without VIDEO, generates 30 fps H.264 clips in a temp dir: 10 s at 320x240 and 1280x720",
                "(encoder's default GOP), and 60 s at 320x240 with a keyframe every 2 s (for keyframe seeks)."})
public final class BenchDecodeCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "<video>", arity = "0..*", description = "Videos or frame folders to decode.")
    List<Path> videos = new ArrayList<>();

    @Option(names = "--json", description = "Print the rows as JSON instead of a table.")
    boolean json;

    @Option(names = "--min-seconds", paramLabel = "<min-seconds>", defaultValue = "1.0", description = "Repeat each measurement at least this long (default: ${DEFAULT-VALUE}).")
    double minSeconds;

    @Option(names = "--threads", split = ",", paramLabel = "<n>[,<n>...]",
            description = "Decoder thread counts to measure (default: 1 and the number of cores).")
    List<Integer> threads;

    @Option(names = "--modes", split = ",", paramLabel = "<mode>[,<mode>...]",
            description = "Modes to measure: native, short224, clip8, clip8_noseek (default: all).")
    List<String> modes;

    @Option(names = "--codecs", split = ",", paramLabel = "<codec>[,<codec>...]",
            description = "Generate 320x240 and 1280x720 clips in these codecs instead (h264, mpeg4, mjpeg, vp9, ffv1).")
    List<String> codecs;

    @Option(names = "--seconds", paramLabel = "<seconds>", defaultValue = "10", description = "Length of the short generated clips; the long one is 6x (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Override
    public Integer call() throws Exception {
        Natives.ensureLoaded();
        DecodeBenchmark.Options defaults = DecodeBenchmark.Options.defaults();
        var options = new DecodeBenchmark.Options(minSeconds, threads == null ? defaults.threads() : threads,
                modes == null ? defaults.modes() : modes.stream().map(m -> DecodeBenchmark.Mode.valueOf(m.trim().toUpperCase(java.util.Locale.ROOT))).toList());
        List<Path> inputs = videos;
        Path tmp = null;
        if (inputs.isEmpty() && codecs != null) {
            tmp = Files.createTempDirectory("timesformer-bench-decode");
            inputs = new ArrayList<>();
            for (String c : codecs) {
                VideoWriter.Codec codec = VideoWriter.Codec.valueOf(c.trim().toUpperCase(java.util.Locale.ROOT));
                String ext = switch (codec) {
                    case MJPEG -> "avi";
                    case VP9 -> "webm";
                    case MPEG4, FFV1 -> "mkv";
                    default -> "mp4";
                };
                String name = codec.name().toLowerCase(java.util.Locale.ROOT);
                inputs.add(generate(tmp.resolve(name + "_320x240." + ext), 320, 240, seconds, 0, codec));
                inputs.add(generate(tmp.resolve(name + "_1280x720." + ext), 1280, 720, seconds, 0, codec));
            }
        } else if (inputs.isEmpty()) {
            tmp = Files.createTempDirectory("timesformer-bench-decode");
            inputs = List.of(generate(tmp.resolve("h264_320x240.mp4"), 320, 240, seconds, 0),
                    generate(tmp.resolve("h264_1280x720.mp4"), 1280, 720, seconds, 0),
                    generate(tmp.resolve("h264_320x240_long_gop60.mp4"), 320, 240, 6 * seconds, 60));
        }
        try {
            List<DecodeBenchmark.Row> rows = DecodeBenchmark.run(inputs, options);
            if (json) {
                spec.commandLine().getOut().println(io.timesformer4j.run.Json.pretty().writeValueAsString(rows));
            } else {
                spec.commandLine().getOut().printf("%-28s %-10s %-6s %6s %-12s %7s %6s %10s %10s%n",
                        "video", "size", "codec", "frames", "mode", "threads", "passes", "frames/s", "ms/pass");
                for (var r : rows) {
                    spec.commandLine().getOut().printf("%-28s %-10s %-6s %6d %-12s %7d %6d %10.0f %10.1f%n", r.video(), r.width() + "x" + r.height(),
                            r.codec(), r.frames(), r.mode(), r.threads(), r.passes(), r.framesPerSecond(), r.msPerPass());
                }
                spec.commandLine().getOut().println("modes: native/short224 = every frame; clip8 = read(uniform(8), 224) with keyframe seeks, clip8_noseek without;");
                spec.commandLine().getOut().println("       clip frames/s count the frames up to the last wanted one (decoded or skipped by a seek).");
                spec.commandLine().getOut().println("cores: " + Runtime.getRuntime().availableProcessors() + "; figures vary with machine load.");
            }
        } finally {
            if (tmp != null) {
                try (var s = Files.walk(tmp)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        return 0;
    }

    private static Path generate(Path p, int w, int h, int seconds, int gop) throws Exception {
        return generate(p, w, h, seconds, gop, VideoWriter.Codec.H264);
    }

    private static Path generate(Path p, int w, int h, int seconds, int gop, VideoWriter.Codec codec) throws Exception {
        int n = seconds * 30;
        byte[] rgb = new byte[w * h * 3];
        try (VideoWriter vw = new VideoWriter(p, w, h, 30, codec, gop)) {
            for (int t = 0; t < n; t++) {
                for (int y = 0; y < h; y++) {                         // moving gradient: not trivially compressible
                    for (int x = 0; x < w; x++) {
                        int o = (y * w + x) * 3;
                        rgb[o] = (byte) (x + 3 * t);
                        rgb[o + 1] = (byte) (y - 2 * t);
                        rgb[o + 2] = (byte) ((x ^ y) + t);
                    }
                }
                vw.write(rgb);
            }
        }
        return p;
    }
}
