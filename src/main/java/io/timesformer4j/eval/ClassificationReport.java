package io.timesformer4j.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Single-label classification metrics: top-1, top-5, mean class accuracy (mean of per-class recall over
 * classes that occur), mean cross-entropy, confusion matrix ({@code confusion[true][predicted]}) and a
 * per-class table.
 */
public record ClassificationReport(
        @JsonProperty("samples") int samples,
        @JsonProperty("top1") double top1,
        @JsonProperty("top5") double top5,
        @JsonProperty("mean_class_accuracy") double meanClassAccuracy,
        @JsonProperty("loss") double loss,
        @JsonProperty("classes") List<String> classes,
        @JsonProperty("per_class") List<ClassStats> perClass,
        @JsonProperty("confusion") int[][] confusion) {

    /**
     * One class's row.
     *
     * @param precision correct / predicted as this class (NaN when never predicted)
     * @param recall    correct / support, which is the class accuracy (NaN when support is 0)
     */
    public record ClassStats(@JsonProperty("name") String name, @JsonProperty("support") int support,
                             @JsonProperty("predicted") int predicted, @JsonProperty("correct") int correct,
                             @JsonProperty("precision") double precision, @JsonProperty("recall") double recall,
                             @JsonProperty("f1") double f1) {}

    /** Computes the report; samples with label -1 are ignored. */
    public static ClassificationReport of(Predictions p, List<String> classNames) {
        int k = classNames.size();
        int[][] conf = new int[k][k];
        int n = 0, top1 = 0, top5 = 0;
        double lossSum = 0;
        for (int i = 0; i < p.size(); i++) {
            int y = p.labels()[i];
            if (y < 0) continue;
            if (y >= k || p.probs()[i].length != k) {
                throw new IllegalArgumentException("sample " + i + ": label " + y + " / " + p.probs()[i].length
                        + " scores do not fit " + k + " classes");
            }
            int[] top = p.topK(i, 5);
            conf[y][top[0]]++;
            n++;
            if (top[0] == y) top1++;
            for (int c : top) if (c == y) { top5++; break; }
            lossSum += -Math.log(Math.max(p.probs()[i][y], 1e-12));
        }
        List<ClassStats> rows = new ArrayList<>();
        double recallSum = 0;
        int present = 0;
        for (int c = 0; c < k; c++) {
            int support = 0, predicted = 0;
            for (int j = 0; j < k; j++) { support += conf[c][j]; predicted += conf[j][c]; }
            int correct = conf[c][c];
            double precision = predicted == 0 ? Double.NaN : (double) correct / predicted;
            double recall = support == 0 ? Double.NaN : (double) correct / support;
            double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : (support == 0 ? Double.NaN : 0);
            rows.add(new ClassStats(classNames.get(c), support, predicted, correct, precision, recall, f1));
            if (support > 0) { recallSum += recall; present++; }
        }
        return new ClassificationReport(n, n == 0 ? Double.NaN : (double) top1 / n, n == 0 ? Double.NaN : (double) top5 / n,
                present == 0 ? Double.NaN : recallSum / present, n == 0 ? Double.NaN : lossSum / n,
                List.copyOf(classNames), List.copyOf(rows), conf);
    }

    /** A fixed-width text table: one row per class, then the summary lines. */
    public String table() {
        int w = Math.max(5, classes.stream().mapToInt(String::length).max().orElse(5));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-" + w + "s  %9s  %9s  %9s  %7s%n", "class", "precision", "recall", "f1", "support"));
        for (ClassStats s : perClass) {
            sb.append(String.format(Locale.ROOT, "%-" + w + "s  %9s  %9s  %9s  %7d%n", s.name(), fmt(s.precision()),
                    fmt(s.recall()), fmt(s.f1()), s.support()));
        }
        sb.append(String.format(Locale.ROOT, "top-1 %.4f   top-5 %.4f   mean class accuracy %.4f   loss %.4f   (%d clips)%n",
                top1, top5, meanClassAccuracy, loss, samples));
        return sb.toString();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
