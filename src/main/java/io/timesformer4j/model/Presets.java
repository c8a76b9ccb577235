package io.timesformer4j.model;

import java.util.List;
import java.util.Locale;

/**
 * Named model shapes. {@code tiny} is for tests; {@code seed} (dim 512, depth 12, 8 heads, 16x224);
 * {@code base} is the paper's TimeSformer (8x224); {@code hr} is TimeSformer-HR (16x448);
 * {@code l} is TimeSformer-L (96x224). All use divided space-time attention and patch 16 (tiny: 8).
 */
public final class Presets {
    /** The preset names, in size order. */
    public static final List<String> NAMES = List.of("tiny", "seed", "base", "hr", "l");

    private Presets() {}

    /**
     * The preset config with the given class names; {@code null} or empty labels give the preset's
     * default count ({@code tiny}: 5, others: 400 as Kinetics-400) named {@code LABEL_i}.
     */
    public static TimesformerConfig get(String name, List<String> labels) {
        String n = name.toLowerCase(Locale.ROOT);
        List<String> l = labels == null || labels.isEmpty()
                ? TimesformerConfig.defaultLabels(n.equals("tiny") ? 5 : 400) : labels;
        AttentionType div = AttentionType.DIVIDED_SPACE_TIME;
        return switch (n) {
            case "tiny" -> TimesformerConfig.of(32, 8, 4, 64, 2, 4, 256, div, l);
            case "seed" -> TimesformerConfig.of(224, 16, 16, 512, 12, 8, 2048, div, l);
            case "base" -> TimesformerConfig.of(224, 16, 8, 768, 12, 12, 3072, div, l);
            case "hr" -> TimesformerConfig.of(448, 16, 16, 768, 12, 12, 3072, div, l);
            case "l" -> TimesformerConfig.of(224, 16, 96, 768, 12, 12, 3072, div, l);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (known: " + NAMES + ")");
        };
    }
}
