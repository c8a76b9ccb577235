package io.timesformer4j.cli;

import io.timesformer4j.run.RunDir;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.TimesformerConfig;
import io.timesformer4j.runtime.Natives;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code timesformer info}: a preset's or a saved model's config and parameter count. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the config, parameter count and FLOPs per clip of a preset or a saved model.")
public final class InfoCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static final class Source {
        @Option(names = "--preset", paramLabel = "<preset>", description = "Preset name: tiny, seed, base, hr, l.") String preset;
        @Option(names = "--model", paramLabel = "<model>", description = "HF model dir, .safetensors, pytorch_model.bin, official .pyth or Hub id org/name[@revision].") Path model;
    }

    @ArgGroup(exclusive = true, multiplicity = "1") Source source;
    @Option(names = "--num-labels", paramLabel = "<num-labels>", description = "Number of classes for a preset (default: 400; tiny: 5).") Integer numLabels;
    @Option(names = {"--frames", "--num-frames"}, paramLabel = "<frames>", description = "Override the preset's frame count.") Integer frames;
    @Option(names = "--image-size", paramLabel = "<image-size>", description = "Override the preset's input size.") Integer imageSize;
    @Option(names = "--json", description = "Print one JSON object.") boolean json;

    @Override
    public Integer call() throws Exception {
        Natives.ensureLoaded();
        TimesformerConfig config;
        long params;
        String from;
        if (source.preset != null) {
            config = Presets.get(source.preset, numLabels == null ? null : TimesformerConfig.defaultLabels(numLabels));
            if (frames != null) config = config.withFrames(frames);
            if (imageSize != null) config = config.withImageSize(imageSize);
            params = config.parameterCount();
            from = "preset " + source.preset;
        } else {
            ModelDir.LoadedModel m = ModelDir.load(RunDir.modelPath(ModelArgs.resolve(source.model, spec)));
            config = m.config();
            params = m.model().parameterCount();
            from = source.model.toString();
        }
        double gflops = config.forwardFlopsPerClip() / 1e9;
        if (json) {
            ObjectMapper om = io.timesformer4j.run.Json.MAPPER;
            ObjectNode o = om.createObjectNode();
            o.put("source", from);
            o.put("parameters", params);
            o.put("num_labels", config.numLabels());
            o.put("forward_gflops_per_clip", gflops);
            o.set("config", config.toJson());
            o.put("blas", Natives.blas().toString());
            o.put("runtime", Natives.describe());
            spec.commandLine().getOut().println(om.writeValueAsString(o));
        } else {
            spec.commandLine().getOut().printf("source:       %s%n", from);
            spec.commandLine().getOut().printf("attention:    %s%n", config.attentionType().hfName());
            spec.commandLine().getOut().printf("input:        %d frames x %dx%d, patch %d (%d tokens per frame)%n", config.numFrames(),
                    config.imageSize(), config.imageSize(), config.patchSize(), config.numPatches());
            spec.commandLine().getOut().printf("width/depth:  hidden %d, %d layers, %d heads, MLP %d%n", config.hiddenSize(),
                    config.numHiddenLayers(), config.numAttentionHeads(), config.intermediateSize());
            spec.commandLine().getOut().printf("labels:       %d%n", config.numLabels());
            spec.commandLine().getOut().printf("parameters:   %,d%n", params);
            spec.commandLine().getOut().printf("forward:      %.3f GFLOP per clip (training step ~3x)%n", gflops);
            spec.commandLine().getOut().printf("runtime:      %s%n", Natives.describe());
        }
        return 0;
    }
}
