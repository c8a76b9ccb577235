package io.timesformer4j.cli;

import io.timesformer4j.export.TorchScriptExport;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.runtime.Natives;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code timesformer export}: a model as TorchScript for Python, C++ and DJL. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a model as a TorchScript archive (torch.jit.load in Python, torch::jit::load in C++): "
                + "forward(pixel_values) -> logits and features(pixel_values) -> CLS embedding, pixel_values "
                + "(B, T, C, H, W) normalised, T/H/W of the model's config; parameters under the Hugging Face names.",
                "For ONNX, export the Hugging Face model dir with Python tools (docs/api.md)."})
public final class ExportCommand extends PrintingCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "<model>",
            description = "Model dir (e.g. RUN/best), .pyth file, or Hugging Face Hub id org/name[@revision].")
    Path model;
    @Option(names = "--torchscript", required = true, paramLabel = "<file>", description = "TorchScript archive to write (.pt).")
    Path torchscript;

    @Override
    public Integer call() throws Exception {
        Natives.ensureLoaded();
        ModelDir.LoadedModel m = ModelDir.load(io.timesformer4j.run.RunDir.modelPath(ModelArgs.resolve(model, spec)));
        TorchScriptExport.save(m.model(), torchscript);
        out().println("wrote " + torchscript + " (TorchScript, " + m.config().attentionType().name().toLowerCase(java.util.Locale.ROOT)
                + ", input (B, " + m.config().numFrames() + ", " + m.config().numChannels() + ", " + m.config().imageSize() + ", "
                + m.config().imageSize() + "))");
        return ExitCode.OK.code;
    }
}
