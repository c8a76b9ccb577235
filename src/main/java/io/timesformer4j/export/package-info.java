/**
 * Export of trained models to formats other runtimes load: {@link io.timesformer4j.export.TorchScriptExport}
 * scripts the TimeSformer forward as TorchScript with the trained weights under their Hugging Face names.
 * Depends on {@code model} only.
 */
package io.timesformer4j.export;
