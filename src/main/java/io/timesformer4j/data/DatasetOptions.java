package io.timesformer4j.data;

import java.nio.file.Path;

/**
 * How {@link VideoDataset#scan} reads a dataset.
 *
 * @param layout    the layout, or {@link DatasetLayout#AUTO} to detect it
 * @param videoRoot where relative paths in list files point (null: the list file's folder)
 * @param labels    a fixed label map (e.g. the model's classes); null infers a sorted one from the data.
 *                  With a fixed map, samples of other classes are reported as "unknown label".
 */
public record DatasetOptions(DatasetLayout layout, Path videoRoot, LabelMap labels) {
    public DatasetOptions {
        if (layout == null) layout = DatasetLayout.AUTO;
    }

    /** Auto-detected layout, inferred labels. */
    public static DatasetOptions defaults() {
        return new DatasetOptions(DatasetLayout.AUTO, null, null);
    }

    public DatasetOptions withLayout(DatasetLayout l) {
        return new DatasetOptions(l, videoRoot, labels);
    }

    public DatasetOptions withVideoRoot(Path root) {
        return new DatasetOptions(layout, root, labels);
    }

    public DatasetOptions withLabels(LabelMap map) {
        return new DatasetOptions(layout, videoRoot, map);
    }
}
