package io.timesformer4j.cli;

import io.timesformer4j.data.SyntheticPairs;
import io.timesformer4j.runtime.Natives;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code timesformer synth}: the time-reversal-pairs synthetic dataset ({@link SyntheticPairs}). */
@Command(name = "synth", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate a synthetic dataset whose classes differ only in the direction of motion, in time-reversal "
                + "pairs (left/right, up/down, cw/ccw, grow/shrink): each clip is the frame-exact time reversal of its twin "
                + "in the partner class, so time order is the only cue within a pair. Textured/noisy backgrounds, varied shapes, "
                + "mixed codecs, sizes and frame rates; split by scene (validation scenes unseen in training).",
                "Writes OUT/train/<class>/, OUT/val/<class>/ and OUT/manifest.csv; train with "
                        + "'train --data OUT/train --val-data OUT/val'."})
public final class SynthCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"--out", "--output-dir"}, required = true, paramLabel = "<dir>", description = "Output folder (created; must not hold a dataset already).")
    Path out;
    @Option(names = "--classes", split = ",", paramLabel = "<class>", description = "Classes: all (default) or a subset of "
            + "left,right,up,down,cw,ccw,grow,shrink.")
    List<String> classes;
    @Option(names = "--clips-per-class", defaultValue = "40", paramLabel = "<n>", description = "Clips per class, train + val (default: ${DEFAULT-VALUE}).")
    int clipsPerClass;
    @Option(names = "--val-fraction", defaultValue = "0.2", paramLabel = "<fraction>", description = "Fraction of scenes for val/ (default: ${DEFAULT-VALUE}).")
    double valFraction;
    @Option(names = "--sizes", split = ",", paramLabel = "<wxh>", description = "Frame sizes, used in turn (default: 176x144,320x240,480x360,"
            + "640x360,640x480,960x540,1280x720).")
    List<String> sizes;
    @Option(names = "--max-size", paramLabel = "<wxh>", description = "Keep only the sizes that fit in WxH (e.g. 320x240 for quick runs).")
    String maxSize;
    @Option(names = "--fps", split = ",", paramLabel = "<fps>", description = "Frame rates, one drawn per scene (default: 10,12,15,24,25,30).")
    List<Double> fps;
    @Option(names = "--seconds", defaultValue = "2-4", paramLabel = "<min-max>", description = "Clip length in seconds, drawn per scene (default: ${DEFAULT-VALUE}).")
    String seconds;
    @Option(names = "--codecs", split = ",", paramLabel = "<codec>", description = "Codecs, used in turn: h264 (mp4), mpeg4 (mkv, avi), mjpeg (avi), "
            + "vp9 (webm), ffv1 (mkv, lossless), or codec.container such as mpeg4.avi (default: h264,mpeg4,mjpeg,vp9).")
    List<String> codecs;
    @Option(names = "--noise", defaultValue = "1.0", paramLabel = "<scale>", description = "Pixel-noise scale, 0 = clean (default: ${DEFAULT-VALUE}).")
    double noise;
    @Option(names = "--seed", paramLabel = "<seed>", defaultValue = "42", description = "Seed: the same seed and options give the same frames (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--workers", defaultValue = "1", paramLabel = "<n>", description = "Clips encoded in parallel (default: ${DEFAULT-VALUE}).")
    int workers;
    @Option(names = "--overwrite", description = "Delete OUT/train, OUT/val and OUT/manifest.csv first.")
    boolean overwrite;
    @Option(names = "--quiet", description = "No line per scene.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        SyntheticPairs.Options o = options();
        if (overwrite) {
            for (String p : List.of("train", "val", "manifest.csv")) deleteTree(out.resolve(p));
        }
        Natives.ensureLoaded();
        long t0 = System.nanoTime();
        SyntheticPairs.Result r = SyntheticPairs.generate(out, o, quiet ? null : spec.commandLine().getOut());
        Map<String, Integer> perFormat = new TreeMap<>(), perSize = new TreeMap<>();
        for (SyntheticPairs.Clip c : r.clips()) {
            perFormat.merge(c.codec() + "." + c.container(), 1, Integer::sum);
            perSize.merge(c.width() + "x" + c.height(), 1, Integer::sum);
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %d train + %d val clips (%d classes) in %.1f s under %s%n", r.count("train"), r.count("val"),
                o.classes().size(), (System.nanoTime() - t0) / 1e9, out);
        spec.commandLine().getOut().println("  codecs: " + perFormat);
        spec.commandLine().getOut().println("  sizes:  " + perSize);
        spec.commandLine().getOut().println("  manifest: " + r.manifest());
        spec.commandLine().getOut().println("  train with: timesformer train --data " + out.resolve("train")
                + (r.count("val") > 0 ? " --val-data " + out.resolve("val") : ""));
        return 0;
    }

    SyntheticPairs.Options options() {
        SyntheticPairs.Options o = SyntheticPairs.Options.defaults();
        List<String> cls = classes == null || classes.equals(List.of("all")) ? SyntheticPairs.ALL_CLASSES
                : classes.stream().map(c -> c.trim().toLowerCase(Locale.ROOT)).toList();
        List<SyntheticPairs.Size> sz = sizes == null ? SyntheticPairs.DEFAULT_SIZES : sizes.stream().map(SyntheticPairs.Size::parse).toList();
        o = o.withClasses(cls).withClipsPerClass(clipsPerClass).withValFraction(valFraction).withSizes(sz)
                .withFps(fps == null ? SyntheticPairs.DEFAULT_FPS : fps).withNoise(noise).withWorkers(workers).withSeed(seed);
        if (maxSize != null) {
            SyntheticPairs.Size max = SyntheticPairs.Size.parse(maxSize);
            List<SyntheticPairs.Size> kept = o.sizes().stream().filter(s -> s.fitsIn(max)).toList();
            if (kept.isEmpty()) throw new IllegalArgumentException("--max-size " + maxSize + ": no size left of " + o.sizes());
            o = o.withSizes(kept);
        }
        if (codecs != null) o = o.withFormats(SyntheticPairs.Format.parse(codecs));
        String[] s = seconds.split("-");
        try {
            double lo = Double.parseDouble(s[0].trim()), hi = s.length > 1 ? Double.parseDouble(s[1].trim()) : lo;
            if (s.length > 2) throw new NumberFormatException();
            o = o.withSeconds(lo, hi);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--seconds '" + seconds + "': expected MIN-MAX or one value, e.g. 2-4");
        }
        return o;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(p)) {
            s.forEach(all::add);
        }
        all.sort(Comparator.reverseOrder());
        for (Path q : all) Files.delete(q);
    }
}
