package io.timesformer4j.cli;

import io.timesformer4j.hub.HubClient;
import io.timesformer4j.hub.HubId;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code --model} and {@code --init} values: a local path as it is, or, when no such path exists and the value
 * reads as {@code org/name[@revision]}, the model's snapshot folder in the Hugging Face cache (downloaded if
 * needed, progress on stderr).
 */
final class ModelArgs {
    private ModelArgs() {}

    static Path resolve(Path value) throws IOException {
        if (value == null || !HubId.looksLike(value.toString())) return value;
        return HubClient.resolveModel(value.toString(), System.err);
    }
}
