package io.timesformer4j.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.timesformer4j.data.FrameOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Does a model use time? The same clips evaluated twice, with the frames in their natural order and permuted
 * ({@link FrameOrder}: time-reversed or shuffled); how many predictions change and into what. A model blind to
 * frame order changes none; one that reads the direction of motion turns a reversed "left" into "right", which
 * {@code partner} counts when class pairs are known ({@code --pairs}, or a {@code synth} manifest).
 *
 * @param order            {@link FrameOrder#describe()}
 * @param samples          clips compared (those predicted in both passes)
 * @param changed          clips whose top-1 prediction differs between the passes
 * @param fractionChanged  changed / samples
 * @param accuracy         top-1 accuracy with the natural order
 * @param accuracyPermuted top-1 accuracy with the permuted order
 * @param meanProbChange   mean over clips of the largest absolute change of a class probability
 * @param pairs            class → partner used for {@code partner*} (empty when none known)
 * @param partnerClips     clips whose true class has a partner
 * @param partner          of those, clips whose permuted prediction is the partner of their true class
 * @param partnerFraction  partner / partnerClips (NaN when no pair is known)
 * @param transitions      {@code transitions[original prediction][permuted prediction]} counts
 * @param perClass         one row per true class present
 * @param clips            one row per clip
 */
public record OrderDiagnostic(
        @JsonProperty("order") String order,
        @JsonProperty("samples") int samples,
        @JsonProperty("changed") int changed,
        @JsonProperty("fraction_changed") double fractionChanged,
        @JsonProperty("accuracy") double accuracy,
        @JsonProperty("accuracy_permuted") double accuracyPermuted,
        @JsonProperty("mean_prob_change") double meanProbChange,
        @JsonProperty("pairs") Map<String, String> pairs,
        @JsonProperty("partner_clips") int partnerClips,
        @JsonProperty("partner") int partner,
        @JsonProperty("partner_fraction") double partnerFraction,
        @JsonProperty("classes") List<String> classes,
        @JsonProperty("transitions") int[][] transitions,
        @JsonProperty("per_class") List<ClassRow> perClass,
        @JsonProperty("clips") List<ClipRow> clips) {

    /**
     * @param moves "original→permuted" prediction → clips, most frequent first (unchanged ones included)
     */
    public record ClassRow(@JsonProperty("class") String name, @JsonProperty("clips") int clips,
                           @JsonProperty("changed") int changed, @JsonProperty("fraction_changed") double fractionChanged,
                           @JsonProperty("partner") String partnerClass, @JsonProperty("to_partner") int toPartner,
                           @JsonProperty("moves") Map<String, Integer> moves) {}

    public record ClipRow(@JsonProperty("path") String path, @JsonProperty("label") String label,
                          @JsonProperty("predicted") String predicted, @JsonProperty("predicted_permuted") String predictedPermuted,
                          @JsonProperty("prob_change") double probChange) {}

    /**
     * Compares two passes over the same clips, matched by id (path) when both have ids, else by position.
     *
     * @param pairs class → partner; entries whose classes are not in {@code classes} are ignored
     */
    public static OrderDiagnostic of(FrameOrder order, Predictions natural, Predictions permuted, List<String> classes,
                                     Map<String, String> pairs) {
        int k = classes.size();
        Map<String, Integer> permutedRow = new HashMap<>();
        boolean byId = !natural.ids().isEmpty() && !permuted.ids().isEmpty();
        if (byId) for (int i = 0; i < permuted.size(); i++) permutedRow.put(permuted.ids().get(i), i);
        else if (natural.size() != permuted.size()) {
            throw new IllegalArgumentException(natural.size() + " natural but " + permuted.size() + " permuted predictions");
        }
        Map<String, String> usable = new LinkedHashMap<>();
        pairs.forEach((a, b) -> {
            if (classes.contains(a) && classes.contains(b)) usable.put(a, b);
        });
        int[][] trans = new int[k][k];
        int[] clipsOf = new int[k], changedOf = new int[k], toPartnerOf = new int[k];
        List<Map<String, Integer>> movesOf = new ArrayList<>();
        for (int c = 0; c < k; c++) movesOf.add(new LinkedHashMap<>());
        List<ClipRow> rows = new ArrayList<>();
        int n = 0, changed = 0, correct = 0, correctPermuted = 0, partnerClips = 0, partner = 0;
        double probChangeSum = 0;
        for (int i = 0; i < natural.size(); i++) {
            Integer j = byId ? permutedRow.get(natural.ids().get(i)) : Integer.valueOf(i);
            if (j == null) continue;                               // skipped in the permuted pass only
            int y = natural.labels()[i];
            int a = natural.topK(i, 1)[0], b = permuted.topK(j, 1)[0];
            double dp = 0;
            for (int c = 0; c < k; c++) dp = Math.max(dp, Math.abs(natural.probs()[i][c] - permuted.probs()[j][c]));
            n++;
            probChangeSum += dp;
            trans[a][b]++;
            if (a != b) changed++;
            rows.add(new ClipRow(byId ? natural.ids().get(i) : String.valueOf(i), y >= 0 ? classes.get(y) : null, classes.get(a),
                    classes.get(b), dp));
            if (y < 0) continue;
            if (a == y) correct++;
            if (b == y) correctPermuted++;
            clipsOf[y]++;
            if (a != b) changedOf[y]++;
            movesOf.get(y).merge(classes.get(a) + "->" + classes.get(b), 1, Integer::sum);
            String p = usable.get(classes.get(y));
            if (p != null) {
                partnerClips++;
                if (classes.get(b).equals(p)) {
                    partner++;
                    toPartnerOf[y]++;
                }
            }
        }
        int labelled = 0;
        for (int c = 0; c < k; c++) labelled += clipsOf[c];
        List<ClassRow> perClass = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            if (clipsOf[c] == 0) continue;
            Map<String, Integer> sorted = new LinkedHashMap<>();
            movesOf.get(c).entrySet().stream().sorted((x, y) -> Integer.compare(y.getValue(), x.getValue()))
                    .forEach(e -> sorted.put(e.getKey(), e.getValue()));
            perClass.add(new ClassRow(classes.get(c), clipsOf[c], changedOf[c], (double) changedOf[c] / clipsOf[c],
                    usable.get(classes.get(c)), toPartnerOf[c], sorted));
        }
        return new OrderDiagnostic(order.describe(), n, changed, n == 0 ? Double.NaN : (double) changed / n,
                labelled == 0 ? Double.NaN : (double) correct / labelled, labelled == 0 ? Double.NaN : (double) correctPermuted / labelled,
                n == 0 ? Double.NaN : probChangeSum / n, usable, partnerClips, partner,
                partnerClips == 0 ? Double.NaN : (double) partner / partnerClips, List.copyOf(classes), trans, perClass, rows);
    }

    /** The summary lines and the per-class table, for the terminal. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%n%s frames: %d of %d predictions changed (%.1f %%); accuracy %.3f -> %.3f; "
                + "mean largest probability change %.3f%n", order, changed, samples, 100 * fractionChanged, accuracy, accuracyPermuted,
                meanProbChange));
        if (partnerClips > 0) {
            sb.append(String.format(Locale.ROOT, "predicted as the partner class: %d of %d (%.1f %%); pairs %s%n", partner, partnerClips,
                    100 * partnerFraction, pairsText()));
        }
        int w = Math.max(5, classes.stream().mapToInt(String::length).max().orElse(5));
        sb.append(String.format(Locale.ROOT, "%-" + w + "s  %5s  %13s  %13s  %s%n", "class", "clips", "changed", "to partner",
                "original -> " + order + " prediction (clips)"));
        for (ClassRow r : perClass) {
            StringBuilder moves = new StringBuilder();
            r.moves().forEach((m, c) -> moves.append(moves.isEmpty() ? "" : ", ").append(m).append(' ').append(c));
            String toPartner = r.partnerClass() == null ? "-" : String.format(Locale.ROOT, "%d (%.0f %%)", r.toPartner(),
                    100.0 * r.toPartner() / r.clips());
            sb.append(String.format(Locale.ROOT, "%-" + w + "s  %5d  %13s  %13s  %s%n", r.name(), r.clips(),
                    String.format(Locale.ROOT, "%d (%.0f %%)", r.changed(), 100 * r.fractionChanged()), toPartner, moves));
        }
        return sb.toString();
    }

    private String pairsText() {
        List<String> seen = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        pairs.forEach((a, b) -> {
            if (seen.contains(a)) return;
            seen.add(a);
            seen.add(b);
            sb.append(sb.isEmpty() ? "" : ",").append(a).append(':').append(b);
        });
        return sb.toString();
    }

    /**
     * Parses {@code left:right,up:down}: each pair both ways (a→b and b→a).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static Map<String, String> parsePairs(List<String> entries) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String e : entries) {
            String[] ab = e.trim().split(":");
            if (ab.length != 2 || ab[0].isBlank() || ab[1].isBlank() || ab[0].trim().equals(ab[1].trim())) {
                throw new IllegalArgumentException("--pairs: expected CLASS:PARTNER entries such as left:right, got '" + e + "'");
            }
            String a = ab[0].trim(), b = ab[1].trim();
            for (String c : List.of(a, b)) {
                if (out.containsKey(c)) throw new IllegalArgumentException("--pairs: class '" + c + "' is in two pairs");
            }
            out.put(a, b);
            out.put(b, a);
        }
        return out;
    }
}
