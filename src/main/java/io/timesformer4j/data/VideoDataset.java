package io.timesformer4j.data;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * A labelled set of videos found on disk. {@link #scan} reads one of the {@link DatasetLayout}s, infers a
 * sorted {@link LabelMap} (or uses a given one) and collects {@link BadInput}s instead of failing on them:
 * zero-byte files, files named in a list but missing, unknown labels, empty class folders and unreadable
 * list lines. Hidden files and files that are neither videos nor frame folders are ignored silently.
 * Scanning does not decode: broken video content is found later by the {@link ClipLoader}.
 */
public final class VideoDataset {
    /** Video file extensions recognised (case-insensitive). */
    public static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "avi", "mkv", "webm", "mov");
    /** Image extensions that make a folder a frame folder ({@code frame0001.png} ...). */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg");

    private static final Set<String> CSV_PATH_HEADERS = Set.of("path", "video", "file", "filename", "video_path", "clip");
    private static final Set<String> CSV_LABEL_HEADERS = Set.of("label", "class", "category", "label_name", "class_name");

    private final Path root;
    private final DatasetLayout layout;
    private final List<Sample> samples;
    private final LabelMap labels;
    private final List<BadInput> problems;

    private VideoDataset(Path root, DatasetLayout layout, List<Sample> samples, LabelMap labels, List<BadInput> problems) {
        this.root = root;
        this.layout = layout;
        this.samples = List.copyOf(samples);
        this.labels = labels;
        this.problems = List.copyOf(problems);
    }

    /** A dataset made from known samples (e.g. a split, or a test fixture). */
    public static VideoDataset of(List<Sample> samples, LabelMap labels) {
        return new VideoDataset(null, DatasetLayout.AUTO, samples, labels, List.of());
    }

    /**
     * Scans a dataset folder or list file.
     *
     * @throws IOException when {@code root} does not exist, cannot be read, or holds no usable sample
     *                     (the message names the path and the first problems found)
     */
    public static VideoDataset scan(Path root, DatasetOptions options) throws IOException {
        if (options == null) options = DatasetOptions.defaults();
        if (!Files.exists(root)) throw new IOException(root + ": no such file or folder");
        DatasetLayout layout = options.layout() == DatasetLayout.AUTO ? detect(root) : options.layout();
        boolean isList = layout == DatasetLayout.CSV || layout == DatasetLayout.KINETICS_CSV || layout == DatasetLayout.UCF101_LIST;
        if (isList && !Files.isRegularFile(root)) throw new IOException(root + ": layout " + layout + " needs a list file, not a folder");
        if (!isList && !Files.isDirectory(root)) throw new IOException(root + ": layout " + layout + " needs a folder");

        List<BadInput> problems = new ArrayList<>();
        List<Map.Entry<Path, String>> raw = new ArrayList<>();
        Path base = options.videoRoot() != null ? options.videoRoot() : (isList ? parentOf(root) : root);
        switch (layout) {
            case CLASS_FOLDERS -> scanClassFolders(root, raw, problems);
            case FLAT_PREFIX -> scanFlat(root, raw, problems);
            case CSV -> scanCsv(root, base, raw, problems);
            case KINETICS_CSV -> scanKinetics(root, base, raw, problems);
            case UCF101_LIST -> scanUcf(root, base, options.videoRoot() != null, raw, problems);
            default -> throw new IllegalStateException(layout.toString());
        }
        raw = withoutDuplicates(raw, problems);

        LabelMap labels = options.labels() != null ? options.labels() : inferLabels(raw);
        List<Sample> samples = new ArrayList<>();
        for (Map.Entry<Path, String> e : raw) {
            int idx = labels.indexOf(e.getValue());
            if (idx < 0) {
                problems.add(new BadInput(e.getKey(), "unknown label '" + e.getValue() + "' (known: " + abbreviate(labels.names()) + ")"));
            } else {
                samples.add(new Sample(e.getKey(), idx));
            }
        }
        if (samples.isEmpty()) {
            StringBuilder sb = new StringBuilder(root + ": no usable videos (layout " + layout + ")");
            problems.stream().limit(3).forEach(p -> sb.append("; ").append(p));
            if (problems.size() > 3) sb.append("; ... ").append(problems.size() - 3).append(" more problems");
            throw new IOException(sb.toString());
        }
        return new VideoDataset(root, layout, samples, labels, problems);
    }

    /**
     * Unlabelled videos for self-supervised pretraining: every video file and frame folder under a folder, at any
     * depth (class folders, flat folders with any file names, nested collections), or every entry of a list file
     * (its labels are read but not needed). All samples get label 0 of a one-class map {@code video}; zero-byte
     * files and broken links are reported in {@link #problems()}.
     *
     * @throws IOException when {@code root} does not exist or holds no usable video
     */
    public static VideoDataset scanUnlabeled(Path root) throws IOException {
        if (!Files.exists(root)) throw new IOException(root + ": no such file or folder");
        LabelMap one = LabelMap.of(List.of("video"));
        if (Files.isRegularFile(root)) {
            VideoDataset listed = scan(root, DatasetOptions.defaults());
            List<Sample> s = listed.samples().stream().map(x -> new Sample(x.path(), 0)).toList();
            return new VideoDataset(root, listed.layout(), s, one, listed.problems());
        }
        List<Map.Entry<Path, String>> raw = new ArrayList<>();
        List<BadInput> problems = new ArrayList<>();
        collectVideos(root, raw, problems, 0);
        if (raw.isEmpty()) {
            StringBuilder sb = new StringBuilder(root + ": no usable videos or frame folders found");
            problems.stream().limit(3).forEach(p -> sb.append("; ").append(p));
            throw new IOException(sb.toString());
        }
        List<Sample> samples = raw.stream().map(e -> new Sample(e.getKey(), 0)).toList();
        return new VideoDataset(root, DatasetLayout.AUTO, samples, one, problems);
    }

    private static void collectVideos(Path dir, List<Map.Entry<Path, String>> raw, List<BadInput> problems, int depth)
            throws IOException {
        if (depth > 8) return;
        for (Path c : children(dir)) {
            if (isBrokenVideoLink(c)) problems.add(new BadInput(c, BROKEN_LINK));
            else if (isVideoFile(c)) addIfUsable(c, "video", raw, problems);
            else if (Files.isDirectory(c) && isFrameFolder(c)) addIfUsable(c, "video", raw, problems);
            else if (Files.isDirectory(c)) collectVideos(c, raw, problems, depth + 1);
        }
    }

    /** Scans with auto-detected layout and inferred labels. */
    public static VideoDataset scan(Path root) throws IOException {
        return scan(root, DatasetOptions.defaults());
    }

    /** The layout {@link DatasetLayout#AUTO} picks for {@code root} (see {@link DatasetLayout}). */
    public static DatasetLayout detect(Path root) throws IOException {
        if (Files.isRegularFile(root)) {
            String name = root.getFileName().toString().toLowerCase(Locale.ROOT);
            String first = firstDataLine(root);
            if (name.endsWith(".csv")) {
                String h = first.toLowerCase(Locale.ROOT).replace(" ", "");
                return h.startsWith("label,youtube_id,time_start,time_end") ? DatasetLayout.KINETICS_CSV : DatasetLayout.CSV;
            }
            if (name.endsWith(".txt") || name.endsWith(".list") || name.endsWith(".lst")) {
                return first.contains(",") ? DatasetLayout.CSV : DatasetLayout.UCF101_LIST;
            }
            throw new IOException(root + ": cannot tell the dataset layout of this file (expected a folder, a .csv or a .txt list)");
        }
        boolean hasClassDirs = false, hasDirs = false, hasDirectVideos = false;
        for (Path c : children(root)) {
            if (Files.isDirectory(c)) {
                hasDirs = true;
                if (isFrameFolder(c)) hasDirectVideos = true;
                else if (containsVideos(c)) hasClassDirs = true;
            } else if (isVideoFile(c)) {
                hasDirectVideos = true;
            }
        }
        if (hasClassDirs) return DatasetLayout.CLASS_FOLDERS;
        if (hasDirectVideos) return DatasetLayout.FLAT_PREFIX;
        if (hasDirs) return DatasetLayout.CLASS_FOLDERS;          // only empty class folders: each is reported
        throw new IOException(root + ": no videos, frame folders or class folders found");
    }

    // ---------------------------------------------------------------------------------------- layouts

    private static void scanClassFolders(Path root, List<Map.Entry<Path, String>> raw, List<BadInput> problems) throws IOException {
        for (Path c : children(root)) {
            if (Files.isDirectory(c) && !isFrameFolder(c)) {
                String label = c.getFileName().toString();
                int candidates = 0;
                for (Path v : children(c)) {
                    if (isVideoFile(v) || (Files.isDirectory(v) && isFrameFolder(v))) {
                        candidates++;
                        addIfUsable(v, label, raw, problems);
                    } else if (isBrokenVideoLink(v)) {
                        problems.add(new BadInput(v, BROKEN_LINK));
                    } else if (Files.isDirectory(v) && containsVideos(v)) {
                        problems.add(new BadInput(v, "nested folder with videos inside class '" + label
                                + "' (only <class>/<video> and <class>/<frame folder> are used); ignored"));
                    }
                }
                if (candidates == 0) {
                    problems.add(new BadInput(c, "empty class folder (no videos or frame folders); class '" + label + "' left out"));
                }
            } else if (isVideoFile(c) || Files.isDirectory(c)) {
                problems.add(new BadInput(c, "video outside a class folder; ignored"));
            }
        }
    }

    static final String FLAT_NAME_RULE = "file name is not '<label>_<number>' (flat layout: the label is the name before "
            + "the trailing _<digits>, e.g. jumping_jacks_0001.mp4 -> jumping_jacks)";
    private static final java.util.regex.Pattern FLAT_NAME = java.util.regex.Pattern.compile("(.+)_\\d+");

    /** Flat layout label: the name (without extension for files) before its trailing {@code _<digits>}; null if none. */
    static String flatLabel(String name, boolean folder) {
        String stem = name;
        int dot = name.lastIndexOf('.');
        if (!folder && dot > 0) stem = name.substring(0, dot);
        java.util.regex.Matcher m = FLAT_NAME.matcher(stem);
        return m.matches() ? m.group(1) : null;
    }

    private static void scanFlat(Path root, List<Map.Entry<Path, String>> raw, List<BadInput> problems) throws IOException {
        for (Path c : children(root)) {
            if (isBrokenVideoLink(c)) problems.add(new BadInput(c, BROKEN_LINK));
            if (!isVideoFile(c) && !(Files.isDirectory(c) && isFrameFolder(c))) continue;
            String label = flatLabel(c.getFileName().toString(), Files.isDirectory(c));
            if (label == null) {
                problems.add(new BadInput(c, FLAT_NAME_RULE));
                continue;
            }
            addIfUsable(c, label, raw, problems);
        }
    }

    private static void scanCsv(Path list, Path base, List<Map.Entry<Path, String>> raw, List<BadInput> problems) throws IOException {
        try (Reader r = Files.newBufferedReader(list, StandardCharsets.UTF_8)) {
            boolean first = true;
            for (CSVRecord rec : CSVFormat.DEFAULT.builder().setTrim(true).setIgnoreEmptyLines(true).setCommentMarker('#').get().parse(r)) {
                if (first) {
                    first = false;
                    if (rec.size() >= 2 && (CSV_PATH_HEADERS.contains(rec.get(0).toLowerCase(Locale.ROOT))
                            || CSV_LABEL_HEADERS.contains(rec.get(1).toLowerCase(Locale.ROOT)))) continue;  // header
                }
                long line = rec.getParser().getCurrentLineNumber();
                if (rec.size() < 2 || rec.get(0).isEmpty() || rec.get(1).isEmpty()) {
                    problems.add(new BadInput(list, "line " + line + ": expected 'path,label', got '" + String.join(",", rec.values()) + "'"));
                    continue;
                }
                Path p = base.resolve(rec.get(0).replace('\\', '/')).normalize();
                if (!Files.exists(p)) {
                    problems.add(new BadInput(p, "missing file named in " + list.getFileName() + " line " + line));
                    continue;
                }
                addIfUsable(p, rec.get(1), raw, problems);
            }
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new IOException(list + ": not a readable CSV file: " + e.getMessage(), e);
        }
    }

    private static void scanKinetics(Path list, Path base, List<Map.Entry<Path, String>> raw, List<BadInput> problems) throws IOException {
        try (Reader r = Files.newBufferedReader(list, StandardCharsets.UTF_8)) {
            for (CSVRecord rec : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
                    .setIgnoreEmptyLines(true).get().parse(r)) {
                long line = rec.getParser().getCurrentLineNumber();
                String label, id;
                int start, end;
                try {
                    label = rec.get("label");
                    id = rec.get("youtube_id");
                    start = (int) Math.round(Double.parseDouble(rec.get("time_start")));
                    end = (int) Math.round(Double.parseDouble(rec.get("time_end")));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    problems.add(new BadInput(list, "line " + line + ": not a Kinetics row (" + e.getMessage() + ")"));
                    continue;
                }
                String stem = String.format(Locale.ROOT, "%s_%06d_%06d", id, start, end);
                Path found = null;
                String split = rec.isMapped("split") ? rec.get("split") : "";
                Set<Path> dirs = new java.util.LinkedHashSet<>();
                for (Path b : split.isEmpty() ? List.of(base) : List.of(base, base.resolve(split), parentOf(base).resolve(split))) {
                    dirs.add(b.resolve(label));
                    dirs.add(b.resolve(label.replace(' ', '_')));
                    dirs.add(b);
                }
                outer:
                for (Path d : dirs) {
                    for (String ext : List.of("mp4", "mkv", "webm", "avi", "mov")) {
                        Path p = d.resolve(stem + "." + ext);
                        if (Files.isRegularFile(p)) {
                            found = p;
                            break outer;
                        }
                    }
                }
                if (found == null) {
                    problems.add(new BadInput(base.resolve(label).resolve(stem + ".mp4"),
                            "missing video for " + list.getFileName() + " line " + line + " (looked in <root>[/<split>]/<label>/ and <root>[/<split>]/)"));
                    continue;
                }
                addIfUsable(found, label, raw, problems);
            }
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new IOException(list + ": not a readable Kinetics CSV: " + e.getMessage(), e);
        }
    }

    private static void scanUcf(Path list, Path base, boolean explicitRoot, List<Map.Entry<Path, String>> raw, List<BadInput> problems) throws IOException {
        Map<Integer, String> classInd = new HashMap<>();
        Path ind = parentOf(list).resolve("classInd.txt");
        if (Files.isRegularFile(ind)) {
            for (String l : Files.readAllLines(ind, StandardCharsets.UTF_8)) {
                String[] t = l.trim().split("\\s+");
                if (t.length == 2 && t[0].matches("\\d+")) classInd.put(Integer.parseInt(t[0]), t[1]);
            }
        }
        List<String> lines = Files.readAllLines(list, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] t = l.split("\\s+");
            String rel = t[0].replace('\\', '/');
            String label;
            if (t.length >= 2 && !classInd.isEmpty() && t[1].matches("\\d+")) {
                label = classInd.get(Integer.parseInt(t[1]));
                if (label == null) {
                    problems.add(new BadInput(list, "line " + (i + 1) + ": class id " + t[1] + " not in " + ind.getFileName()));
                    continue;
                }
            } else if (t.length >= 2) {
                label = t[1];
            } else {
                int slash = rel.lastIndexOf('/');
                if (slash <= 0) {
                    problems.add(new BadInput(list, "line " + (i + 1) + ": no label and no class folder in '" + rel + "'"));
                    continue;
                }
                String dir = rel.substring(0, slash);
                label = dir.substring(dir.lastIndexOf('/') + 1);
            }
            Path p = base.resolve(rel).normalize();
            if (!Files.exists(p) && !explicitRoot) {        // official layout: ucfTrainTestlist/ beside UCF-101/
                for (Path alt : List.of(parentOf(base).resolve(rel), parentOf(base).resolve("UCF-101").resolve(rel))) {
                    if (Files.exists(alt)) {
                        p = alt.normalize();
                        break;
                    }
                }
            }
            if (!Files.exists(p)) {
                problems.add(new BadInput(p, "missing file named in " + list.getFileName() + " line " + (i + 1)));
                continue;
            }
            addIfUsable(p, label, raw, problems);
        }
    }

    // ---------------------------------------------------------------------------------------- helpers

    private static void addIfUsable(Path p, String label, List<Map.Entry<Path, String>> raw, List<BadInput> problems) throws IOException {
        if (Files.isRegularFile(p) && Files.size(p) == 0) {
            problems.add(new BadInput(p, "zero-byte file"));
        } else if (Files.isDirectory(p) && !isFrameFolder(p)) {
            problems.add(new BadInput(p, "folder without frame images"));
        } else {
            BadInput folder = Files.isDirectory(p) ? frameFolderProblem(p) : null;
            if (folder != null) problems.add(folder);
            if (folder == null || folder.warning()) raw.add(Map.entry(p, label));
        }
    }

    /**
     * A video listed twice (a list file naming it on two lines) would count twice, or, with two labels, train
     * the model on a contradiction: the first entry is kept and the others are reported.
     */
    private static List<Map.Entry<Path, String>> withoutDuplicates(List<Map.Entry<Path, String>> raw, List<BadInput> problems) {
        Map<Path, String> first = new java.util.HashMap<>();
        List<Map.Entry<Path, String>> out = new ArrayList<>(raw.size());
        for (Map.Entry<Path, String> e : raw) {
            Path key = e.getKey().toAbsolutePath().normalize();
            String label = first.putIfAbsent(key, e.getValue());
            if (label == null) {
                out.add(e);
            } else if (label.equals(e.getValue())) {
                problems.add(new BadInput(e.getKey(), "listed twice (label '" + label + "'); counted once"));
            } else {
                problems.add(new BadInput(e.getKey(), "listed again with label '" + e.getValue() + "' after '" + label
                        + "'; the first label is used"));
            }
        }
        return out;
    }

    /** Sorted names; numerically when every label is a non-negative integer ("2" before "10"). */
    private static LabelMap inferLabels(List<Map.Entry<Path, String>> raw) {
        TreeSet<String> names = new TreeSet<>();
        for (Map.Entry<Path, String> e : raw) names.add(e.getValue());
        if (!names.isEmpty() && names.stream().allMatch(n -> n.matches("\\d{1,9}"))) {
            List<String> numeric = new ArrayList<>(names);
            numeric.sort(Comparator.comparingInt(Integer::parseInt));
            return LabelMap.of(numeric);
        }
        return LabelMap.sorted(names);
    }

    private static List<Path> children(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }

    private static final String BROKEN_LINK = "symbolic link to a missing file";

    /** A symlink named like a video whose target is gone (a moved dataset): reported, not silently skipped. */
    private static boolean isBrokenVideoLink(Path p) {
        return Files.isSymbolicLink(p) && !Files.exists(p) && VIDEO_EXTENSIONS.contains(extension(p));
    }

    static boolean isVideoFile(Path p) {
        return Files.isRegularFile(p) && VIDEO_EXTENSIONS.contains(extension(p));
    }

    /**
     * A frame folder's problem, checked without decoding ({@link io.timesformer4j.video.VideoSource#checkFrameFolder}):
     * an empty, cut or damaged image, or images of different sizes, name the image and leave the folder out; a
     * gap in the numbering is a warning (the folder is used). Null when fine.
     */
    private static BadInput frameFolderProblem(Path dir) {
        try {
            String warning = io.timesformer4j.video.VideoSource.checkFrameFolder(dir);
            return warning == null ? null : BadInput.warning(dir, warning);
        } catch (io.timesformer4j.video.VideoException e) {
            return new BadInput(e.path(), e.reason() + (e.path().equals(dir) ? "" : "; " + dir.getFileName() + " left out"));
        }
    }

    static boolean isFrameFolder(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> !p.getFileName().toString().startsWith(".") && IMAGE_EXTENSIONS.contains(extension(p)) && Files.isRegularFile(p));
        }
    }

    private static boolean containsVideos(Path dir) throws IOException {
        for (Path c : children(dir)) {
            if (isVideoFile(c) || (Files.isDirectory(c) && isFrameFolder(c))) return true;
        }
        return false;
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static Path parentOf(Path p) {
        Path a = p.toAbsolutePath().getParent();
        return a == null ? p.toAbsolutePath() : a;
    }

    private static String firstDataLine(Path f) throws IOException {
        try (Stream<String> lines = Files.lines(f, StandardCharsets.UTF_8)) {
            return lines.map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst().orElse("");
        } catch (java.io.UncheckedIOException e) {
            throw new IOException(f + ": not a text file: " + e.getCause().getMessage(), e);
        }
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 8 ? String.join(", ", names) : String.join(", ", names.subList(0, 8)) + ", ... (" + names.size() + ")";
    }

    // ---------------------------------------------------------------------------------------- access

    /** Usable samples in scan order (sorted by path within each class folder, file order for lists). */
    public List<Sample> samples() {
        return samples;
    }

    /** The label map: sorted inferred names, or the map given in the options. */
    public LabelMap labels() {
        return labels;
    }

    /** Bad inputs found while scanning (each with file and reason); they are not in {@link #samples()}. */
    public List<BadInput> problems() {
        return problems;
    }

    /** The layout actually read (the detected one for AUTO). */
    public DatasetLayout layout() {
        return layout;
    }

    /** The scanned folder or list file; null for {@link #of}. */
    public Path root() {
        return root;
    }

    /** Train and validation samples. */
    public record Split(List<Sample> train, List<Sample> val) {}

    /**
     * Stratified random split: in every class, {@code round(n * valFraction)} samples (at least 1 when the class
     * has 2 or more and {@code valFraction > 0}) go to validation, chosen by {@code seed}. When the whole dataset
     * has at least 2 samples and {@code 0 < valFraction < 1}, both parts are non-empty. Order inside each part
     * follows {@link #samples()}.
     */
    public Split split(double valFraction, long seed) {
        if (valFraction < 0 || valFraction >= 1) throw new IllegalArgumentException("valFraction must be in [0, 1): " + valFraction);
        Map<Integer, List<Integer>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < samples.size(); i++) byClass.computeIfAbsent(samples.get(i).label(), k -> new ArrayList<>()).add(i);
        boolean[] isVal = new boolean[samples.size()];
        Random rnd = new Random(seed);
        int nVal = 0;
        for (List<Integer> idx : byClass.values()) {
            List<Integer> shuffled = new ArrayList<>(idx);
            Collections.shuffle(shuffled, rnd);
            int k = (int) Math.round(idx.size() * valFraction);
            if (valFraction > 0 && idx.size() >= 2) k = Math.max(1, Math.min(k, idx.size() - 1));
            for (int j = 0; j < k; j++) isVal[shuffled.get(j)] = true;
            nVal += k;
        }
        if (valFraction > 0 && samples.size() >= 2) {
            if (nVal == 0) isVal[rnd.nextInt(samples.size())] = true;                 // all classes singletons
            else if (nVal == samples.size()) isVal[rnd.nextInt(samples.size())] = false;
        }
        List<Sample> train = new ArrayList<>(), val = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) (isVal[i] ? val : train).add(samples.get(i));
        return new Split(List.copyOf(train), List.copyOf(val));
    }
}
