/**
 * The Java API: {@link io.timesformer4j.api.VideoClassifier} loads a model once (a model directory, a
 * {@code .pyth} file or a Hugging Face Hub id) and classifies videos, extracts their embeddings and labels
 * long videos window by window. Only JDK types and this package's records appear in its signatures; no
 * libtorch or FFmpeg type leaks out, and failures are unchecked {@link io.timesformer4j.api.ClassifierException}s
 * naming the file and the reason.
 */
package io.timesformer4j.api;
