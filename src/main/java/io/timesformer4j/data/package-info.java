/**
 * Datasets, labels, clip sampling, transforms and the parallel clip loader (see {@code docs/data.md}).
 *
 * <pre>{@code
 * VideoDataset ds = VideoDataset.scan(Path.of("data"), DatasetOptions.defaults());   // layout detected
 * VideoDataset.Split split = ds.split(0.2, seed);
 * ClipSpec spec = ClipSpec.forModel(8, 224, null, null);                             // 8x224, TSN, 0.45/0.225
 * try (ClipLoader loader = new ClipLoader(split.train(), spec, Mode.TRAIN, 8, 2, seed, epoch)) {
 *     for (Batch b : loader) {
 *         try (PointerScope scope = new PointerScope()) {
 *             Tensor x = b.pixelValues();     // (B, T, C, H, W) float32, normalised
 *             Tensor y = b.labelTensor();     // (B) int64
 *         }
 *     }
 *     loader.skipped().forEach(System.err::println);   // videos that failed to decode, with the reason
 * }
 * }</pre>
 */
package io.timesformer4j.data;
