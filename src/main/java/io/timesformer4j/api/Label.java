package io.timesformer4j.api;

/**
 * A class name and its probability (softmax, averaged over the test views).
 *
 * @param label       the class name from the model's {@code id2label}
 * @param probability in {@code [0, 1]}, float32 as computed
 */
public record Label(String label, float probability) {}
