package io.timesformer4j.cli;

import io.timesformer4j.run.RunDir;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.SafeTensors;
import io.timesformer4j.model.TimeSformer;
import io.timesformer4j.runtime.Natives;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code timesformer forward}: pixel_values in, logits out, both as safetensors (interop and debugging). */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Run a model on pixel_values (B,T,C,H,W) from a safetensors file and write the logits.")
public final class ForwardCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "<model>", required = true, description = "HF model dir, .safetensors, pytorch_model.bin, .pyth or Hub id org/name[@revision].") Path model;
    @Option(names = "--input", paramLabel = "<input>", required = true, description = "Safetensors file holding the input tensor.") Path input;
    @Option(names = "--output", paramLabel = "<output>", required = true, description = "Safetensors file to write: logits, and more with --all.") Path output;
    @Option(names = "--key", paramLabel = "<key>", defaultValue = "pixel_values", description = "Input tensor name (default: ${DEFAULT-VALUE}).") String key;
    @Option(names = "--all", description = "Also write last_hidden_state and cls_feature.") boolean all;
    @Option(names = "--threads", paramLabel = "<threads>", description = "libtorch intra-op threads.") Integer threads;

    @Override
    public Integer call() throws Exception {
        Natives.ensureLoaded();
        if (threads != null) Natives.setTorchThreads(threads);
        ModelDir.LoadedModel m = ModelDir.load(RunDir.modelPath(ModelArgs.resolve(model, spec)));
        Map<String, Tensor> in = SafeTensors.read(input);
        Tensor x = in.get(key);
        if (x == null) throw new IllegalArgumentException(input + ": no tensor '" + key + "' (has " + in.size() + " tensors, e.g. "
                + in.keySet().stream().limit(3).toList() + ")");
        if (x.dim() != 5)
            throw new IllegalArgumentException(input + ": '" + key + "' must be (B, T, C, H, W), has " + x.dim() + " dims");
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            TimeSformer net = m.model();
            net.eval();
            Tensor typed = x.to(net.stateDict().get("classifier.weight").scalar_type());
            TimeSformer.Outputs out = net.forwardWithOutputs(typed, false);
            Map<String, Tensor> result = new LinkedHashMap<>();
            result.put("logits", out.logits());
            if (all) {
                result.put("last_hidden_state", out.lastHiddenState());
                result.put("cls_feature", out.clsFeature());
            }
            SafeTensors.write(output, result, Map.of("format", "pt"));
            Tensor top = out.logits().argmax(new org.bytedeco.pytorch.LongOptional(1), false);
            for (long b = 0; b < top.size(0); b++) {
                int k = (int) top.get(b).item_long();
                spec.commandLine().getOut().printf("clip %d: %s (logit %.4f)%n", b, m.config().labels().get(k),
                        out.logits().get(b).get(k).item_double());
            }
        }
        spec.commandLine().getOut().println("wrote " + output);
        return 0;
    }
}
