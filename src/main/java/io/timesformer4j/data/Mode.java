package io.timesformer4j.data;

/**
 * What clips are for. TRAIN: random temporal jitter and random-resized crop, shuffled order.
 * VAL: one centred clip, centre crop, file order. TEST: {@code temporalViews × spatialViews} clips per
 * video (evenly spaced in time; centre or three crops), file order.
 */
public enum Mode { TRAIN, VAL, TEST }
